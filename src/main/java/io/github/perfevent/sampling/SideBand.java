/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.lang.foreign.MemorySegment;

/**
 * The side-band records a {@link Sampler} asks the kernel for, besides samples: each is one flag bit of
 * {@code perf_event_attr} ({@code perf_event_open(2)}, the {@code mmap}, {@code comm}, {@code task}... bits). The
 * sampler sets them on its first event only, so that each record comes once.
 */
public enum SideBand {
    /** {@code mmap}: {@code PERF_RECORD_MMAP2} for every executable mapping (with {@code mmap2} set). */
    MMAP,
    /** {@code mmap_data}: MMAP2 records for non-executable mappings too. */
    MMAP_DATA,
    /** {@code build_id}: MMAP2 records carry the file's build id instead of device and inode. */
    MMAP_BUILD_ID,
    /** {@code comm}: {@code PERF_RECORD_COMM} when a task changes its name. */
    COMM,
    /** {@code comm_exec}: the COMM record of an {@code exec} carries {@code PERF_RECORD_MISC_COMM_EXEC}. */
    COMM_EXEC,
    /** {@code task}: {@code PERF_RECORD_FORK} and {@code PERF_RECORD_EXIT}. */
    TASK,
    /** {@code context_switch}: {@code PERF_RECORD_SWITCH}, or {@code SWITCH_CPU_WIDE} on a CPU-wide event. */
    CONTEXT_SWITCH,
    /** {@code namespaces}: {@code PERF_RECORD_NAMESPACES} at fork and at {@code setns}/{@code unshare}. */
    NAMESPACES,
    /** {@code ksymbol}: {@code PERF_RECORD_KSYMBOL} when kernel symbols (BPF programs, trampolines) come and go. */
    KSYMBOL,
    /** {@code bpf_event}: {@code PERF_RECORD_BPF_EVENT} when a BPF program is loaded or unloaded. */
    BPF_EVENT,
    /** {@code cgroup}: {@code PERF_RECORD_CGROUP} when a cgroup is created, with its path. */
    CGROUP,
    /** {@code text_poke}: {@code PERF_RECORD_TEXT_POKE} when the kernel patches its own code. */
    TEXT_POKE;

    /** Sets this record's bit in {@code attr}. */
    void writeTo(MemorySegment attr) {
        switch (this) {
            case MMAP -> {
                perf_event_attr_bits.mmap(attr, 1);
                perf_event_attr_bits.mmap2(attr, 1);
            }
            case MMAP_DATA -> {
                perf_event_attr_bits.mmap_data(attr, 1);
                perf_event_attr_bits.mmap2(attr, 1);
            }
            case MMAP_BUILD_ID -> {
                perf_event_attr_bits.build_id(attr, 1);
                perf_event_attr_bits.mmap2(attr, 1);
            }
            case COMM -> perf_event_attr_bits.comm(attr, 1);
            case COMM_EXEC -> {
                perf_event_attr_bits.comm(attr, 1);
                perf_event_attr_bits.comm_exec(attr, 1);
            }
            case TASK -> perf_event_attr_bits.task(attr, 1);
            case CONTEXT_SWITCH -> perf_event_attr_bits.context_switch(attr, 1);
            case NAMESPACES -> perf_event_attr_bits.namespaces(attr, 1);
            case KSYMBOL -> perf_event_attr_bits.ksymbol(attr, 1);
            case BPF_EVENT -> perf_event_attr_bits.bpf_event(attr, 1);
            case CGROUP -> perf_event_attr_bits.cgroup(attr, 1);
            case TEXT_POKE -> perf_event_attr_bits.text_poke(attr, 1);
        }
    }
}
