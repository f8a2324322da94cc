/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_MISC_COMM_EXEC;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_MISC_MMAP_BUILD_ID;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_MISC_MMAP_DATA;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_MISC_SWITCH_OUT;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_MISC_SWITCH_OUT_PREEMPT;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_MISC_USER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.bindings.perf_ns_link_info;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Every record type other than SAMPLE, written by hand from the header's comment (not from the decoder's tables),
 * with a full sample_id trailer, decoded by the cursor and as records.
 */
class RecordTypesTest {

    private static final EnumSet<SampleField> ID_FIELDS = EnumSet.of(SampleField.TID, SampleField.TIME,
            SampleField.ID, SampleField.STREAM_ID, SampleField.CPU, SampleField.IDENTIFIER);
    private static final SampleFormat FORMAT = SampleFormat.builder().sampleType(SampleField.bits(ID_FIELDS)
            | SampleField.IP.bit()).sampleIdAll(true).readFormat(0b1111).build(); // group: enabled, running, id
    private static final PerfRecord.SampleId ID = new PerfRecord.SampleId(ID_FIELDS, 11, 12, 0x7100, 0x7200, 0x7300,
            5, 0x7400);

    /** Writes one record with {@code body}, then the sample_id; returns the decoded record after cursor checks. */
    private static PerfRecord decode(RecordType type, int misc, Consumer<RecordBuffer> body) {
        return decode(FORMAT, ID, type, misc, body);
    }

    private static PerfRecord decode(SampleFormat format, PerfRecord.SampleId id, RecordType type, int misc,
            Consumer<RecordBuffer> body) {
        try (RecordBuffer b = new RecordBuffer()) {
            b.begin(type, misc);
            body.accept(b);
            b.pad();
            b.sampleId(format, id);
            b.end();
            MemorySegment records = b.segment();
            RecordCursor c = RecordCursor.of(format).wrap(records, 0);
            assertEquals(type, c.recordType());
            assertEquals(type.id(), c.type());
            assertEquals(misc, c.misc());
            assertEquals(records.byteSize(), c.size());
            if (format.sampleIdAll()) {
                checkSampleId(c, format, id);
            }
            PerfRecord r = c.toRecord();
            assertEquals(type, r.recordType());
            assertEquals(misc, r.misc());
            assertEquals(id, r.sampleId());
            return r;
        }
    }

    private static void checkSampleId(RecordCursor c, SampleFormat format, PerfRecord.SampleId id) {
        if (format.has(SampleField.TID)) {
            assertEquals(id.pid(), c.pid());
            assertEquals(id.tid(), c.tid());
        }
        if (format.has(SampleField.TIME)) {
            assertEquals(id.time(), c.time());
        }
        if (format.has(SampleField.ID) || format.has(SampleField.IDENTIFIER)) {
            assertEquals(id.id(), c.id());
        }
        if (format.has(SampleField.STREAM_ID)) {
            assertEquals(id.streamId(), c.streamId());
        }
        if (format.has(SampleField.CPU)) {
            assertEquals(id.cpu(), c.cpu());
        }
        for (SampleField f : ID_FIELDS) {
            assertEquals(format.has(f), c.has(f), f.toString());
        }
        assertFalse(c.has(SampleField.IP), "IP is a sample's only");
        assertThrows(IllegalStateException.class, c::ip);
    }

    @Test
    void mmapDecodes() {
        PerfRecord r = decode(RecordType.MMAP, PERF_RECORD_MISC_USER() | PERF_RECORD_MISC_MMAP_DATA(),
                b -> b.u32(100).u32(101).u64(0x400000).u64(0x2000).u64(0x1000).string("/usr/bin/true"));
        assertEquals(new PerfRecord.Mmap(PERF_RECORD_MISC_USER() | PERF_RECORD_MISC_MMAP_DATA(), 100, 101, 0x400000,
                0x2000, 0x1000, "/usr/bin/true", ID), r);
        assertTrue(((PerfRecord.Mmap) r).data());
        assertFalse(((PerfRecord.Mmap) decode(RecordType.MMAP, PERF_RECORD_MISC_USER(), b -> b.u32(1).u32(1).u64(1)
                .u64(1).u64(1).string("x"))).data());
        assertEquals(PERF_RECORD_MISC_USER(), r.cpuMode());
    }

    @Test
    void mmap2DecodesInInodeForm() {
        PerfRecord r = decode(RecordType.MMAP2, 0, b -> b.u32(100).u32(101).u64(0x400000).u64(0x2000).u64(0x1000)
                .u32(8).u32(3).u64(0xABCDEF).u64(77).u32(5).u32(2).string("/lib/libc.so.6"));
        PerfRecord.Mmap2 m = assertInstanceOf(PerfRecord.Mmap2.class, r);
        assertFalse(m.hasBuildId());
        assertFalse(m.data());
        assertEquals(List.of(100, 101, 0x400000L, 0x2000L, 0x1000L, 8, 3, 0xABCDEFL, 77L, 5, 2, "/lib/libc.so.6"),
                List.of(m.pid(), m.tid(), m.addr(), m.len(), m.pgoff(), m.maj(), m.min(), m.ino(), m.inoGeneration(),
                        m.prot(), m.flags(), m.filename()));
        assertNull(m.buildId());
    }

    @Test
    void mmap2DecodesInBuildIdForm() {
        byte[] buildId = new byte[20];
        for (int i = 0; i < buildId.length; i++) {
            buildId[i] = (byte) (0xB0 + i);
        }
        PerfRecord r = decode(RecordType.MMAP2, PERF_RECORD_MISC_MMAP_BUILD_ID(), b -> b.u32(100).u32(101)
                .u64(0x400000).u64(0x2000).u64(0x1000).u8(20).u8(0).u16(0).bytes(buildId).u32(5).u32(2)
                .string("/lib/libc.so.6"));
        PerfRecord.Mmap2 m = assertInstanceOf(PerfRecord.Mmap2.class, r);
        assertTrue(m.hasBuildId());
        assertArrayEquals(buildId, m.buildId());
        assertEquals(List.of(0, 0, 0L, 0L, 5, 2, "/lib/libc.so.6"),
                List.of(m.maj(), m.min(), m.ino(), m.inoGeneration(), m.prot(), m.flags(), m.filename()));
        byte[] shorter = new byte[20];
        System.arraycopy(buildId, 0, shorter, 0, 16);
        PerfRecord.Mmap2 sha = (PerfRecord.Mmap2) decode(RecordType.MMAP2, PERF_RECORD_MISC_MMAP_BUILD_ID(), b -> b
                .u32(1).u32(1).u64(1).u64(1).u64(1).u8(16).u8(0).u16(0).bytes(shorter).u32(5).u32(2).string("x"));
        assertArrayEquals(java.util.Arrays.copyOf(buildId, 16), sha.buildId(), "build_id_size bytes");
    }

    @Test
    void lostDecodes() {
        assertEquals(new PerfRecord.Lost(0, 0x7200, 14113, ID), decode(RecordType.LOST, 0,
                b -> b.u64(0x7200).u64(14113)));
    }

    @Test
    void commDecodesWithItsExecFlag() {
        PerfRecord.Comm exec = (PerfRecord.Comm) decode(RecordType.COMM, PERF_RECORD_MISC_COMM_EXEC(),
                b -> b.u32(200).u32(201).string("true"));
        assertEquals(new PerfRecord.Comm(PERF_RECORD_MISC_COMM_EXEC(), 200, 201, "true", ID), exec);
        assertTrue(exec.exec());
        PerfRecord.Comm rename = (PerfRecord.Comm) decode(RecordType.COMM, 0,
                b -> b.u32(200).u32(202).string("worker-seven"));
        assertFalse(rename.exec());
        assertEquals("worker-seven", rename.comm());
    }

    @Test
    void exitAndForkDecode() {
        assertEquals(new PerfRecord.Exit(0, 300, 301, 302, 303, 0x7050, ID), decode(RecordType.EXIT, 0,
                b -> b.u32(300).u32(301).u32(302).u32(303).u64(0x7050)));
        assertEquals(new PerfRecord.Fork(0, 310, 311, 312, 313, 0x7060, ID), decode(RecordType.FORK, 0,
                b -> b.u32(310).u32(311).u32(312).u32(313).u64(0x7060)));
    }

    @Test
    void throttleAndUnthrottleDecode() {
        assertEquals(new PerfRecord.Throttle(0, 0x7070, 0x7201, 0x7301, ID), decode(RecordType.THROTTLE, 0,
                b -> b.u64(0x7070).u64(0x7201).u64(0x7301)));
        assertEquals(new PerfRecord.Unthrottle(0, 0x7080, 0x7202, 0x7302, ID), decode(RecordType.UNTHROTTLE, 0,
                b -> b.u64(0x7080).u64(0x7202).u64(0x7302)));
    }

    @Test
    void readDecodesItsGroupValues() {
        PerfRecord.Read r = (PerfRecord.Read) decode(RecordType.READ, 0, b -> {
            b.u32(400).u32(401);
            Samples.readFormat(b, FORMAT);
        });
        assertEquals(400, r.pid());
        assertEquals(401, r.tid());
        assertEquals(new PerfRecord.ReadValues(0x8001, 0x8002, List.of(
                new PerfRecord.ReadValue(Samples.readValue(0), Samples.readId(0), 0),
                new PerfRecord.ReadValue(Samples.readValue(1), Samples.readId(1), 0),
                new PerfRecord.ReadValue(Samples.readValue(2), Samples.readId(2), 0))), r.values());
    }

    @Test
    void auxItraceStartLostSamplesAndHwIdDecode() {
        assertEquals(new PerfRecord.Aux(0, 0x10000, 0x800, 3, ID), decode(RecordType.AUX, 0,
                b -> b.u64(0x10000).u64(0x800).u64(3)));
        assertEquals(new PerfRecord.ItraceStart(0, 500, 501, ID), decode(RecordType.ITRACE_START, 0,
                b -> b.u32(500).u32(501)));
        assertEquals(new PerfRecord.LostSamples(0, 99, ID), decode(RecordType.LOST_SAMPLES, 0, b -> b.u64(99)));
        assertEquals(new PerfRecord.AuxOutputHwId(0, 0xD00D, ID), decode(RecordType.AUX_OUTPUT_HW_ID, 0,
                b -> b.u64(0xD00D)));
    }

    @Test
    void switchDecodesItsOutAndPreemptFlags() {
        PerfRecord.Switch in = (PerfRecord.Switch) decode(RecordType.SWITCH, 0, b -> { });
        assertFalse(in.out());
        assertFalse(in.preempted());
        int outPreempt = PERF_RECORD_MISC_SWITCH_OUT() | PERF_RECORD_MISC_SWITCH_OUT_PREEMPT();
        PerfRecord.Switch out = (PerfRecord.Switch) decode(RecordType.SWITCH, outPreempt, b -> { });
        assertTrue(out.out());
        assertTrue(out.preempted());
        PerfRecord.SwitchCpuWide wide = (PerfRecord.SwitchCpuWide) decode(RecordType.SWITCH_CPU_WIDE,
                PERF_RECORD_MISC_SWITCH_OUT(), b -> b.u32(600).u32(601));
        assertEquals(new PerfRecord.SwitchCpuWide(PERF_RECORD_MISC_SWITCH_OUT(), 600, 601, ID), wide);
        assertTrue(wide.out());
        assertFalse(wide.preempted());
        PerfRecord.SwitchCpuWide wideIn = (PerfRecord.SwitchCpuWide) decode(RecordType.SWITCH_CPU_WIDE,
                PERF_RECORD_MISC_SWITCH_OUT_PREEMPT(), b -> b.u32(600).u32(601));
        assertFalse(wideIn.out());
        assertTrue(wideIn.preempted());
    }

    @Test
    void namespacesDecodeAsPerfNsLinkInfo() {
        PerfRecord r = decode(RecordType.NAMESPACES, 0, b -> {
            b.u32(700).u32(701).u64(7);
            for (int i = 0; i < 7; i++) {
                MemorySegment link = perf_ns_link_info.allocate(b.arena());
                perf_ns_link_info.dev(link, 0x40 + i);
                perf_ns_link_info.ino(link, 0xF0000000L + i);
                b.struct(link);
            }
        });
        PerfRecord.Namespaces n = assertInstanceOf(PerfRecord.Namespaces.class, r);
        assertEquals(700, n.pid());
        assertEquals(701, n.tid());
        assertEquals(7, n.namespaces().size());
        for (int i = 0; i < 7; i++) {
            assertEquals(new PerfRecord.NamespaceLink(0x40 + i, 0xF0000000L + i), n.namespaces().get(i));
        }
    }

    @Test
    void ksymbolBpfEventAndCgroupDecode() {
        assertEquals(new PerfRecord.Ksymbol(0, 0xffffffffa0001000L, 0x120, 1, 1, "bpf_prog_6deef7357e7b4530", ID),
                decode(RecordType.KSYMBOL, 0, b -> b.u64(0xffffffffa0001000L).u32(0x120).u16(1).u16(1)
                        .string("bpf_prog_6deef7357e7b4530")));
        byte[] tag = {1, 2, 3, 4, 5, 6, 7, 8};
        PerfRecord.BpfEvent bpf = (PerfRecord.BpfEvent) decode(RecordType.BPF_EVENT, 0,
                b -> b.u16(1).u16(0x22).u32(0x33).bytes(tag));
        assertEquals(List.of(1, 0x22, 0x33), List.of(bpf.type(), bpf.flags(), bpf.id()));
        assertArrayEquals(tag, bpf.tag());
        assertEquals(new PerfRecord.Cgroup(0, 0x1234, "/system.slice/perf-test", ID), decode(RecordType.CGROUP, 0,
                b -> b.u64(0x1234).string("/system.slice/perf-test")));
    }

    @Test
    void textPokeDecodesOldThenNewBytes() {
        byte[] old = {(byte) 0x0f, 0x1f, 0x44, 0x00, 0x00};
        byte[] neu = {(byte) 0xe8, 1, 2};
        PerfRecord.TextPoke p = (PerfRecord.TextPoke) decode(RecordType.TEXT_POKE, 0,
                b -> b.u64(0xffffffff81000000L).u16(old.length).u16(neu.length).bytes(old).bytes(neu));
        assertEquals(0xffffffff81000000L, p.addr());
        assertArrayEquals(old, p.oldBytes());
        assertArrayEquals(neu, p.newBytes());
        PerfRecord.TextPoke removal = (PerfRecord.TextPoke) decode(RecordType.TEXT_POKE, 0,
                b -> b.u64(0xffffffff81000000L).u16(old.length).u16(0).bytes(old));
        assertArrayEquals(new byte[0], removal.newBytes());
    }

    @Test
    void deferredCallchainDecodesThroughCursorAndRecord() {
        long[] ips = {0x401000, 0x401100, 0x401200};
        try (RecordBuffer b = new RecordBuffer()) {
            b.begin(RecordType.CALLCHAIN_DEFERRED, 0).u64(0xC00C1E).u64(ips.length);
            for (long ip : ips) {
                b.u64(ip);
            }
            b.sampleId(FORMAT, ID).end();
            RecordCursor c = RecordCursor.of(FORMAT).wrap(b.segment(), 0);
            assertEquals(ips.length, c.callchainLength());
            assertEquals(ips[2], c.callchain(2));
            PerfRecord.CallchainDeferred d = (PerfRecord.CallchainDeferred) c.toRecord();
            assertEquals(0xC00C1E, d.cookie());
            assertArrayEquals(ips, d.ips());
            assertEquals(ID, d.sampleId());
            assertEquals(RecordType.CALLCHAIN_DEFERRED, d.recordType());
            assertTrue(d.sampleId().has(SampleField.CPU));
            assertFalse(PerfRecord.SampleId.NONE.has(SampleField.TIME));
        }
    }

    @Test
    void unknownTypeIsKeptWholeWithItsSampleId() {
        try (RecordBuffer b = new RecordBuffer()) {
            b.begin(99, 0).u64(0x1111).sampleId(FORMAT, ID).end();
            RecordCursor c = RecordCursor.of(FORMAT).wrap(b.segment(), 0);
            assertEquals(RecordType.UNKNOWN, c.recordType());
            assertEquals(99, c.type());
            assertEquals(ID.time(), c.time());
            PerfRecord.Unknown u = (PerfRecord.Unknown) c.toRecord();
            assertEquals(99, u.type());
            assertEquals(8 + FORMAT.sampleIdSize(), u.bytes().length);
            assertEquals(ID, u.sampleId());
            assertEquals(RecordType.UNKNOWN, u.recordType());
        }
    }

    @Test
    void aPartialSampleIdIsReadFromItsOwnOffsets() {
        for (EnumSet<SampleField> fields : List.of(EnumSet.of(SampleField.TIME), EnumSet.of(SampleField.IDENTIFIER),
                EnumSet.of(SampleField.TIME, SampleField.CPU, SampleField.IDENTIFIER),
                EnumSet.of(SampleField.TID, SampleField.STREAM_ID), EnumSet.of(SampleField.ID, SampleField.CPU))) {
            SampleFormat f = SampleFormat.builder().sampleType(SampleField.bits(fields)).sampleIdAll(true).build();
            boolean tid = fields.contains(SampleField.TID);
            long id = fields.contains(SampleField.ID) ? 0x7200 : fields.contains(SampleField.IDENTIFIER) ? 0x7400 : 0;
            PerfRecord.SampleId expected = new PerfRecord.SampleId(fields, tid ? 11 : 0, tid ? 12 : 0,
                    fields.contains(SampleField.TIME) ? 0x7100 : 0, id,
                    fields.contains(SampleField.STREAM_ID) ? 0x7300 : 0, fields.contains(SampleField.CPU) ? 5 : 0,
                    fields.contains(SampleField.IDENTIFIER) ? 0x7400 : 0);
            assertEquals(new PerfRecord.Lost(0, 1, 2, expected), decode(f, expected, RecordType.LOST, 0,
                    b -> b.u64(1).u64(2)), fields.toString());
        }
    }

    @Test
    void withoutSampleIdAllOtherRecordsHaveNoTimeOrId() {
        SampleFormat f = SampleFormat.builder().sampleType(SampleField.bits(ID_FIELDS)).build();
        assertEquals(0, f.sampleIdSize());
        PerfRecord r = decode(f, PerfRecord.SampleId.NONE, RecordType.LOST, 0, b -> b.u64(1).u64(2));
        assertEquals(PerfRecord.SampleId.NONE, r.sampleId());
        try (RecordBuffer b = new RecordBuffer()) {
            b.begin(RecordType.LOST, 0).u64(1).u64(2).end();
            RecordCursor c = RecordCursor.of(f).wrap(b.segment(), 0);
            IllegalStateException e = assertThrows(IllegalStateException.class, c::time);
            assertTrue(e.getMessage().contains("sample_id_all"), e.getMessage());
            assertThrows(IllegalStateException.class, c::id);
            assertThrows(IllegalStateException.class, c::pid);
            assertThrows(IllegalStateException.class, c::cpu);
        }
    }

    @Test
    void bodyFieldsAreReadByTheirTable() {
        try (RecordBuffer b = new RecordBuffer()) {
            b.begin(RecordType.MMAP2, 0).u32(100).u32(101).u64(0x400000).u64(0x2000).u64(0x1000).u32(8).u32(3)
                    .u64(0xABCDEF).u64(77).u32(5).u32(2).string("/bin/sh").sampleId(FORMAT, ID).end();
            RecordCursor c = RecordCursor.of(FORMAT).wrap(b.segment(), 0);
            assertEquals(0xABCDEF, c.get(RecordType.MMAP2.field("ino")));
            assertEquals(8, c.get(RecordType.MMAP2.field("maj")));
            assertEquals(8, c.get(RecordType.MMAP2.field("build_id_size")), "the union's other form, same bytes");
            assertEquals("/bin/sh", c.string(RecordType.MMAP2.field("filename")));
            assertThrows(IllegalStateException.class, () -> c.get(RecordType.MMAP.field("addr")));
            assertThrows(IllegalArgumentException.class, () -> c.get(RecordType.MMAP2.field("filename")));
            assertThrows(IllegalArgumentException.class, () -> c.string(RecordType.MMAP2.field("ino")));
            assertThrows(IllegalArgumentException.class, () -> c.get(RecordType.MMAP2.field("build_id")));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RecordType.MMAP2.field("inode"));
            assertTrue(e.getMessage().contains("ino_generation"), e.getMessage());
        }
    }
}
