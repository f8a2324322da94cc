/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_ADDR;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_AUX;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_BRANCH_STACK;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_CALLCHAIN;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_CGROUP;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_CODE_PAGE_SIZE;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_CPU;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_DATA_PAGE_SIZE;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_DATA_SRC;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_ID;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_IDENTIFIER;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_IP;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_PERIOD;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_PHYS_ADDR;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_RAW;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_READ;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_REGS_INTR;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_REGS_USER;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_STACK_USER;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_STREAM_ID;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_TID;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_TIME;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_TRANSACTION;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_WEIGHT;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_WEIGHT_STRUCT;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The fields a {@code PERF_RECORD_SAMPLE} can carry: the {@code PERF_SAMPLE_*} bits of {@code attr.sample_type}
 * (perf_event_open(2), "sample_type", and "MMAP layout", {@code PERF_RECORD_SAMPLE}).
 *
 * <p>The constants are declared <em>in the order the kernel writes the fields</em> in a sample (the
 * {@code PERF_RECORD_SAMPLE} comment of {@code linux/perf_event.h}), which is not the order of their bits:
 * {@link #IDENTIFIER} comes first, {@link #WEIGHT} and {@link #WEIGHT_STRUCT} share one place. This order is the
 * decoder's table for samples, and a test checks it against the header's text.
 */
public enum SampleField {
    /** {@code PERF_SAMPLE_IDENTIFIER}: the event's id, at a fixed place (first in a sample, last in a sample_id). */
    IDENTIFIER(PERF_SAMPLE_IDENTIFIER()),
    /** {@code PERF_SAMPLE_IP}: the instruction pointer. */
    IP(PERF_SAMPLE_IP()),
    /** {@code PERF_SAMPLE_TID}: the process and thread id ({@code u32 pid, tid}). */
    TID(PERF_SAMPLE_TID()),
    /** {@code PERF_SAMPLE_TIME}: the timestamp, in the clock of {@code attr.clockid} (default: the perf clock). */
    TIME(PERF_SAMPLE_TIME()),
    /** {@code PERF_SAMPLE_ADDR}: an address, usually of the data access (breakpoints, page faults). */
    ADDR(PERF_SAMPLE_ADDR()),
    /** {@code PERF_SAMPLE_ID}: the event's id ({@code PERF_EVENT_IOC_ID}); the group leader's for a group. */
    ID(PERF_SAMPLE_ID()),
    /** {@code PERF_SAMPLE_STREAM_ID}: the id of the event this one was inherited from. */
    STREAM_ID(PERF_SAMPLE_STREAM_ID()),
    /** {@code PERF_SAMPLE_CPU}: the CPU ({@code u32 cpu, res}). */
    CPU(PERF_SAMPLE_CPU()),
    /** {@code PERF_SAMPLE_PERIOD}: the sampling period in effect. */
    PERIOD(PERF_SAMPLE_PERIOD()),
    /** {@code PERF_SAMPLE_READ}: the counter values, laid out as {@code attr.read_format} says. */
    READ(PERF_SAMPLE_READ()),
    /** {@code PERF_SAMPLE_CALLCHAIN}: {@code u64 nr, ips[nr]}, with {@code PERF_CONTEXT_*} markers. */
    CALLCHAIN(PERF_SAMPLE_CALLCHAIN()),
    /** {@code PERF_SAMPLE_RAW}: {@code u32 size, char data[size]}, such as a tracepoint's payload (not an ABI). */
    RAW(PERF_SAMPLE_RAW()),
    /** {@code PERF_SAMPLE_BRANCH_STACK}: {@code u64 nr, [hw_idx], perf_branch_entry lbr[nr], [u64 cntr[nr]]}. */
    BRANCH_STACK(PERF_SAMPLE_BRANCH_STACK()),
    /** {@code PERF_SAMPLE_REGS_USER}: {@code u64 abi, regs[popcount(sample_regs_user)]} (no regs when abi is 0). */
    REGS_USER(PERF_SAMPLE_REGS_USER()),
    /** {@code PERF_SAMPLE_STACK_USER}: {@code u64 size, char data[size], u64 dyn_size} (no dyn_size when size is 0). */
    STACK_USER(PERF_SAMPLE_STACK_USER()),
    /** {@code PERF_SAMPLE_WEIGHT}: a u64 weight (such as a memory access's latency). */
    WEIGHT(PERF_SAMPLE_WEIGHT()),
    /** {@code PERF_SAMPLE_WEIGHT_STRUCT}: {@code union perf_sample_weight}, in the place of {@link #WEIGHT}. */
    WEIGHT_STRUCT(PERF_SAMPLE_WEIGHT_STRUCT()),
    /** {@code PERF_SAMPLE_DATA_SRC}: {@code union perf_mem_data_src}, where a memory access was served from. */
    DATA_SRC(PERF_SAMPLE_DATA_SRC()),
    /** {@code PERF_SAMPLE_TRANSACTION}: the {@code PERF_TXN_*} bits of a transactional-memory abort. */
    TRANSACTION(PERF_SAMPLE_TRANSACTION()),
    /** {@code PERF_SAMPLE_REGS_INTR}: {@code u64 abi, regs[popcount(sample_regs_intr)]}, at the interrupt. */
    REGS_INTR(PERF_SAMPLE_REGS_INTR()),
    /** {@code PERF_SAMPLE_PHYS_ADDR}: the physical address of {@link #ADDR}. */
    PHYS_ADDR(PERF_SAMPLE_PHYS_ADDR()),
    /** {@code PERF_SAMPLE_CGROUP}: the id of the task's cgroup (v2), as in {@code PERF_RECORD_CGROUP}. */
    CGROUP(PERF_SAMPLE_CGROUP()),
    /** {@code PERF_SAMPLE_DATA_PAGE_SIZE}: the page size of {@link #ADDR}. */
    DATA_PAGE_SIZE(PERF_SAMPLE_DATA_PAGE_SIZE()),
    /** {@code PERF_SAMPLE_CODE_PAGE_SIZE}: the page size of {@link #IP}. */
    CODE_PAGE_SIZE(PERF_SAMPLE_CODE_PAGE_SIZE()),
    /** {@code PERF_SAMPLE_AUX}: {@code u64 size, char data[size]}, a snapshot of the AUX area. */
    AUX(PERF_SAMPLE_AUX());

    private static final SampleField[] VALUES = values();

    private final long bit;

    SampleField(int bit) {
        this.bit = Integer.toUnsignedLong(bit);
    }

    /** {@return the {@code PERF_SAMPLE_*} bit} */
    public long bit() {
        return bit;
    }

    /**
     * {@return the {@code sample_type} bits of {@code fields}}
     *
     * @param fields the fields
     * @throws NullPointerException if {@code fields} is null or holds null
     */
    public static long bits(Set<SampleField> fields) {
        Objects.requireNonNull(fields, "fields");
        long bits = 0;
        for (SampleField f : fields) {
            bits |= f.bit;
        }
        return bits;
    }

    /**
     * {@return the fields whose bits are set in {@code bits}, as a new mutable set; bits of no field are ignored
     * (use {@link SampleFormat} to refuse them)}
     *
     * @param bits {@code sample_type} bits
     */
    public static Set<SampleField> of(long bits) {
        Set<SampleField> fields = EnumSet.noneOf(SampleField.class);
        for (SampleField f : VALUES) {
            if ((bits & f.bit) != 0) {
                fields.add(f);
            }
        }
        return fields;
    }
}
