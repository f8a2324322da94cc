/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_MISC_MMAP_BUILD_ID;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.github.perfevent.sys.bindings.perf_branch_entry;
import io.github.perfevent.sys.bindings.perf_ns_link_info;
import io.github.perfevent.sys.bitfields.perf_branch_entry_bits;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Builds the {@link PerfRecord} of a cursor's current record, reading every body field through its table. */
final class Materializer {

    private static final RecordType.Field NAMESPACES = RecordType.NAMESPACES.field("namespaces");
    private static final RecordType.Field NAMESPACES_NR = RecordType.NAMESPACES.field("nr_namespaces");
    private static final RecordType.Field BUILD_ID = RecordType.MMAP2.field("build_id");
    private static final RecordType.Field BPF_TAG = RecordType.BPF_EVENT.field("tag");
    private static final RecordType.Field POKE_BYTES = RecordType.TEXT_POKE.field("bytes");
    private static final int BRANCH_ENTRY = Math.toIntExact(perf_branch_entry.sizeof());

    private Materializer() {
    }

    static PerfRecord toRecord(RecordCursor c) {
        int misc = c.misc();
        return switch (c.recordType()) {
            case SAMPLE -> sample(c, misc);
            case MMAP -> new PerfRecord.Mmap(misc, i32(c, RecordType.MMAP, "pid"), i32(c, RecordType.MMAP, "tid"),
                    u(c, RecordType.MMAP, "addr"), u(c, RecordType.MMAP, "len"), u(c, RecordType.MMAP, "pgoff"),
                    c.string(RecordType.MMAP.field("filename")), sampleId(c));
            case LOST -> new PerfRecord.Lost(misc, u(c, RecordType.LOST, "id"), u(c, RecordType.LOST, "lost"),
                    sampleId(c));
            case COMM -> new PerfRecord.Comm(misc, i32(c, RecordType.COMM, "pid"), i32(c, RecordType.COMM, "tid"),
                    c.string(RecordType.COMM.field("comm")), sampleId(c));
            case EXIT -> new PerfRecord.Exit(misc, i32(c, RecordType.EXIT, "pid"), i32(c, RecordType.EXIT, "ppid"),
                    i32(c, RecordType.EXIT, "tid"), i32(c, RecordType.EXIT, "ptid"), u(c, RecordType.EXIT, "time"),
                    sampleId(c));
            case FORK -> new PerfRecord.Fork(misc, i32(c, RecordType.FORK, "pid"), i32(c, RecordType.FORK, "ppid"),
                    i32(c, RecordType.FORK, "tid"), i32(c, RecordType.FORK, "ptid"), u(c, RecordType.FORK, "time"),
                    sampleId(c));
            case THROTTLE -> new PerfRecord.Throttle(misc, u(c, RecordType.THROTTLE, "time"),
                    u(c, RecordType.THROTTLE, "id"), u(c, RecordType.THROTTLE, "stream_id"), sampleId(c));
            case UNTHROTTLE -> new PerfRecord.Unthrottle(misc, u(c, RecordType.UNTHROTTLE, "time"),
                    u(c, RecordType.UNTHROTTLE, "id"), u(c, RecordType.UNTHROTTLE, "stream_id"), sampleId(c));
            case READ -> new PerfRecord.Read(misc, i32(c, RecordType.READ, "pid"), i32(c, RecordType.READ, "tid"),
                    read(c), sampleId(c));
            case MMAP2 -> mmap2(c, misc);
            case AUX -> new PerfRecord.Aux(misc, u(c, RecordType.AUX, "aux_offset"), u(c, RecordType.AUX, "aux_size"),
                    u(c, RecordType.AUX, "flags"), sampleId(c));
            case ITRACE_START -> new PerfRecord.ItraceStart(misc, i32(c, RecordType.ITRACE_START, "pid"),
                    i32(c, RecordType.ITRACE_START, "tid"), sampleId(c));
            case LOST_SAMPLES -> new PerfRecord.LostSamples(misc, u(c, RecordType.LOST_SAMPLES, "lost"), sampleId(c));
            case SWITCH -> new PerfRecord.Switch(misc, sampleId(c));
            case SWITCH_CPU_WIDE -> new PerfRecord.SwitchCpuWide(misc,
                    i32(c, RecordType.SWITCH_CPU_WIDE, "next_prev_pid"),
                    i32(c, RecordType.SWITCH_CPU_WIDE, "next_prev_tid"), sampleId(c));
            case NAMESPACES -> namespaces(c, misc);
            case KSYMBOL -> new PerfRecord.Ksymbol(misc, u(c, RecordType.KSYMBOL, "addr"),
                    i32(c, RecordType.KSYMBOL, "len"), i32(c, RecordType.KSYMBOL, "ksym_type"),
                    i32(c, RecordType.KSYMBOL, "flags"), c.string(RecordType.KSYMBOL.field("name")), sampleId(c));
            case BPF_EVENT -> new PerfRecord.BpfEvent(misc, i32(c, RecordType.BPF_EVENT, "type"),
                    i32(c, RecordType.BPF_EVENT, "flags"), i32(c, RecordType.BPF_EVENT, "id"),
                    c.bytes(c.offset() + BPF_TAG.offset(), BPF_TAG.size()), sampleId(c));
            case CGROUP -> new PerfRecord.Cgroup(misc, u(c, RecordType.CGROUP, "id"),
                    c.string(RecordType.CGROUP.field("path")), sampleId(c));
            case TEXT_POKE -> textPoke(c, misc);
            case AUX_OUTPUT_HW_ID -> new PerfRecord.AuxOutputHwId(misc, u(c, RecordType.AUX_OUTPUT_HW_ID, "hw_id"),
                    sampleId(c));
            case CALLCHAIN_DEFERRED -> new PerfRecord.CallchainDeferred(misc,
                    u(c, RecordType.CALLCHAIN_DEFERRED, "cookie"), callchain(c), sampleId(c));
            case UNKNOWN -> new PerfRecord.Unknown(c.type(), misc, c.bytes(c.offset() + 8, c.size() - 8L),
                    sampleId(c));
        };
    }

    private static long u(RecordCursor c, RecordType type, String field) {
        return c.get(type.field(field));
    }

    private static int i32(RecordCursor c, RecordType type, String field) {
        return (int) c.get(type.field(field));
    }

    private static PerfRecord.SampleId sampleId(RecordCursor c) {
        SampleFormat f = c.decodedFormat();
        boolean sample = c.recordType() == RecordType.SAMPLE;
        Set<SampleField> fields = sample ? f.sampleIdFieldsOfSamples : f.sampleIdFieldsOfOthers;
        if (fields.isEmpty() || !sample && !c.has(fields.iterator().next())) { // no sample_id (a short unknown)
            return PerfRecord.SampleId.NONE;
        }
        boolean tid = c.has(SampleField.TID);
        boolean hasId = c.has(SampleField.ID) || c.has(SampleField.IDENTIFIER);
        return new PerfRecord.SampleId(fields, tid ? c.pid() : 0, tid ? c.tid() : 0,
                c.has(SampleField.TIME) ? c.time() : 0, hasId ? c.id() : 0,
                c.has(SampleField.STREAM_ID) ? c.streamId() : 0, c.has(SampleField.CPU) ? c.cpu() : 0,
                c.has(SampleField.IDENTIFIER) ? c.identifier() : 0);
    }

    private static PerfRecord.Sample sample(RecordCursor c, int misc) {
        SampleFormat f = c.decodedFormat();
        return new PerfRecord.Sample(misc, sampleId(c),
                f.has(SampleField.IP) ? c.ip() : 0,
                f.has(SampleField.ADDR) ? c.addr() : 0,
                f.has(SampleField.PERIOD) ? c.period() : 0,
                f.has(SampleField.READ) ? read(c) : null,
                f.has(SampleField.CALLCHAIN) ? callchain(c) : null,
                f.has(SampleField.RAW) ? c.bytes(c.rawOffset(), c.rawSize()) : null,
                f.has(SampleField.BRANCH_STACK) ? branchStack(c) : null,
                f.has(SampleField.REGS_USER) ? regsUser(c) : null,
                f.has(SampleField.STACK_USER) ? new PerfRecord.UserStack(
                        c.bytes(c.stackUserOffset(), c.stackUserSize()), c.stackUserDynSize()) : null,
                f.has(SampleField.WEIGHT) || f.has(SampleField.WEIGHT_STRUCT) ? c.weight() : 0,
                f.has(SampleField.DATA_SRC) ? c.dataSrc() : 0,
                f.has(SampleField.TRANSACTION) ? c.transaction() : 0,
                f.has(SampleField.REGS_INTR) ? regsIntr(c) : null,
                f.has(SampleField.PHYS_ADDR) ? c.physAddr() : 0,
                f.has(SampleField.CGROUP) ? c.cgroup() : 0,
                f.has(SampleField.DATA_PAGE_SIZE) ? c.dataPageSize() : 0,
                f.has(SampleField.CODE_PAGE_SIZE) ? c.codePageSize() : 0,
                f.has(SampleField.AUX) ? c.bytes(c.auxOffset(), c.auxSize()) : null,
                f.sampleFieldSet);
    }

    private static PerfRecord.ReadValues read(RecordCursor c) {
        SampleFormat f = c.decodedFormat();
        List<PerfRecord.ReadValue> values = new ArrayList<>();
        for (int i = 0; i < c.readValueCount(); i++) {
            values.add(new PerfRecord.ReadValue(c.readValue(i), f.readId ? c.readId(i) : 0,
                    f.readLost ? c.readLost(i) : 0));
        }
        return new PerfRecord.ReadValues(f.readEnabled ? c.readTimeEnabled() : 0,
                f.readRunning ? c.readTimeRunning() : 0, values);
    }

    private static long[] callchain(RecordCursor c) {
        long[] ips = new long[c.callchainLength()];
        for (int i = 0; i < ips.length; i++) {
            ips[i] = c.callchain(i);
        }
        return ips;
    }

    private static PerfRecord.BranchStack branchStack(RecordCursor c) {
        SampleFormat f = c.decodedFormat();
        List<PerfRecord.Branch> entries = new ArrayList<>();
        for (int i = 0; i < c.branchCount(); i++) {
            // a copy in a long[], whose 8-byte alignment the generated bitfield accessors need
            MemorySegment e = MemorySegment.ofArray(new long[BRANCH_ENTRY / Long.BYTES]);
            e.copyFrom(c.branchEntry(i));
            entries.add(new PerfRecord.Branch(perf_branch_entry.from(e), perf_branch_entry.to(e), c.branchFlags(i),
                    perf_branch_entry_bits.mispred(e) != 0, perf_branch_entry_bits.predicted(e) != 0,
                    perf_branch_entry_bits.in_tx(e) != 0, perf_branch_entry_bits.abort(e) != 0,
                    (int) perf_branch_entry_bits.cycles(e), (int) perf_branch_entry_bits.type(e),
                    (int) perf_branch_entry_bits.spec(e), (int) perf_branch_entry_bits.new_type(e),
                    (int) perf_branch_entry_bits.priv(e), f.branchCounters ? c.branchCounters(i) : 0));
        }
        return new PerfRecord.BranchStack(f.branchHwIndex, f.branchHwIndex ? c.branchHwIndex() : 0,
                f.branchCounters, entries);
    }

    private static PerfRecord.Registers regsUser(RecordCursor c) {
        long[] values = new long[c.regsUserCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = c.regsUser(i);
        }
        return new PerfRecord.Registers(c.regsUserAbi(), c.decodedFormat().regsUserMask(), values);
    }

    private static PerfRecord.Registers regsIntr(RecordCursor c) {
        long[] values = new long[c.regsIntrCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = c.regsIntr(i);
        }
        return new PerfRecord.Registers(c.regsIntrAbi(), c.decodedFormat().regsIntrMask(), values);
    }

    private static PerfRecord.Mmap2 mmap2(RecordCursor c, int misc) {
        RecordType t = RecordType.MMAP2;
        boolean buildIdForm = (misc & PERF_RECORD_MISC_MMAP_BUILD_ID()) != 0;
        byte[] buildId = null;
        if (buildIdForm) {
            int length = (int) Math.min(u(c, t, "build_id_size"), BUILD_ID.size());
            buildId = c.bytes(c.offset() + BUILD_ID.offset(), length);
        }
        return new PerfRecord.Mmap2(misc, i32(c, t, "pid"), i32(c, t, "tid"), u(c, t, "addr"), u(c, t, "len"),
                u(c, t, "pgoff"), buildIdForm ? 0 : i32(c, t, "maj"), buildIdForm ? 0 : i32(c, t, "min"),
                buildIdForm ? 0 : u(c, t, "ino"), buildIdForm ? 0 : u(c, t, "ino_generation"), buildId,
                i32(c, t, "prot"), i32(c, t, "flags"), c.string(t.field("filename")), sampleId(c));
    }

    private static PerfRecord.Namespaces namespaces(RecordCursor c, int misc) {
        long nr = c.get(NAMESPACES_NR);
        List<PerfRecord.NamespaceLink> links = new ArrayList<>();
        long first = c.offset() + NAMESPACES.offset();
        for (long i = 0; i < nr; i++) {
            long at = first + i * NAMESPACES.size();
            links.add(new PerfRecord.NamespaceLink(c.word(at + perf_ns_link_info.dev$offset()),
                    c.word(at + perf_ns_link_info.ino$offset())));
        }
        return new PerfRecord.Namespaces(misc, i32(c, RecordType.NAMESPACES, "pid"),
                i32(c, RecordType.NAMESPACES, "tid"), links, sampleId(c));
    }

    private static PerfRecord.TextPoke textPoke(RecordCursor c, int misc) {
        int oldLength = i32(c, RecordType.TEXT_POKE, "old_len");
        int newLength = i32(c, RecordType.TEXT_POKE, "new_len");
        long bytes = c.offset() + POKE_BYTES.offset();
        return new PerfRecord.TextPoke(misc, u(c, RecordType.TEXT_POKE, "addr"), c.bytes(bytes, oldLength),
                c.bytes(bytes + oldLength, newLength), sampleId(c));
    }

    static {
        if (RecordType.NAMESPACES.field("namespaces").size() != perf_ns_link_info.sizeof()) {
            throw new AssertionError("the NAMESPACES table's element is not a perf_ns_link_info");
        }
        if (JAVA_BYTE.byteSize() != 1) {
            throw new AssertionError();
        }
    }
}
