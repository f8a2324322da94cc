/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_CONTEXT_KERNEL;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_CONTEXT_USER;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_REGS_ABI_64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.bindings.perf_branch_entry;
import io.github.perfevent.sys.bindings.perf_mem_data_src;
import io.github.perfevent.sys.bindings.perf_sample_weight;
import io.github.perfevent.sys.bitfields.perf_branch_entry_bits;
import io.github.perfevent.sys.bitfields.perf_mem_data_src_bits;
import java.lang.foreign.MemorySegment;

/**
 * Test support: writes a sample of any format with a distinct value in every field (so that a field read at a wrong
 * offset reads another field's value), from the header's description and the generated layouts, and checks a cursor
 * or a {@link PerfRecord.Sample} against those values.
 */
final class Samples {

    static final int PID = 4242;
    static final int TID = 4343;
    static final int CPU = 3;
    static final int GROUP = 3;
    static final long[] CALLCHAIN = {PERF_CONTEXT_KERNEL(), 0xffffffff81000010L, 0xffffffff81000020L,
        PERF_CONTEXT_USER(), 0x401000L, 0x401100L};
    static final byte[] RAW = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    static final int BRANCHES = 2;
    static final long HW_INDEX = 0x9999;
    static final byte[] STACK = {3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39, 42, 45, 48};
    static final long DYN_SIZE = 11;
    static final byte[] AUX = {-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13, -14, -15, -16};
    static final int WEIGHT_VAR1 = 0x01020304;
    static final int WEIGHT_VAR2 = 0x0506;
    static final int WEIGHT_VAR3 = 0x0708;

    private Samples() {
    }

    /** The value of a u64 field: its ordinal in the high bits, so that no two fields share one. */
    static long value(SampleField f) {
        return 0x0011_0000_0000_0000L * (f.ordinal() + 1) + 0x77;
    }

    static long readValue(int i) {
        return 0x5000 + i;
    }

    static long readId(int i) {
        return 0x6000 + i;
    }

    static long readLost(int i) {
        return 0x7000 + i;
    }

    static long regUser(int i) {
        return 0xA000 + i;
    }

    static long regIntr(int i) {
        return 0xB000 + i;
    }

    static long branchCounters(int i) {
        return 0xC0 + i;
    }

    static long branchFrom(int i) {
        return 0xF000_0000L + i;
    }

    static long branchTo(int i) {
        return 0x7000_0000L + i;
    }

    /** A perf_branch_entry made with the generated accessors; entries 0 and 1 set opposite flags. */
    static MemorySegment branchEntry(RecordBuffer b, int i) {
        MemorySegment e = perf_branch_entry.allocate(b.arena());
        perf_branch_entry.from(e, branchFrom(i));
        perf_branch_entry.to(e, branchTo(i));
        perf_branch_entry_bits.mispred(e, i == 0 ? 1 : 0);
        perf_branch_entry_bits.predicted(e, i == 0 ? 0 : 1);
        perf_branch_entry_bits.in_tx(e, i == 0 ? 1 : 0);
        perf_branch_entry_bits.abort(e, i == 0 ? 0 : 1);
        perf_branch_entry_bits.cycles(e, 0x1234 + i);
        perf_branch_entry_bits.type(e, 5 + i);
        perf_branch_entry_bits.spec(e, 2 + i);
        perf_branch_entry_bits.new_type(e, 3 + i);
        perf_branch_entry_bits.priv(e, 6 - i);
        return e;
    }

    static MemorySegment dataSrc(RecordBuffer b) {
        MemorySegment d = perf_mem_data_src.allocate(b.arena());
        perf_mem_data_src_bits.mem_op(d, 2);
        perf_mem_data_src_bits.mem_lvl(d, 0x45);
        perf_mem_data_src_bits.mem_snoop(d, 4);
        perf_mem_data_src_bits.mem_lock(d, 1);
        perf_mem_data_src_bits.mem_dtlb(d, 0x11);
        perf_mem_data_src_bits.mem_lvl_num(d, 3);
        perf_mem_data_src_bits.mem_remote(d, 1);
        perf_mem_data_src_bits.mem_snoopx(d, 2);
        perf_mem_data_src_bits.mem_blk(d, 5);
        perf_mem_data_src_bits.mem_hops(d, 2);
        perf_mem_data_src_bits.mem_region(d, 7);
        return d;
    }

    static MemorySegment weightStruct(RecordBuffer b) {
        MemorySegment w = perf_sample_weight.allocate(b.arena());
        perf_sample_weight.var1_dw(w, WEIGHT_VAR1);
        perf_sample_weight.var2_w(w, (short) WEIGHT_VAR2);
        perf_sample_weight.var3_w(w, (short) WEIGHT_VAR3);
        return w;
    }

    /**
     * Writes a sample of {@code format}, in the order of the header's PERF_RECORD_SAMPLE comment.
     *
     * @param regsAbi the abi of both register dumps (0: none follow)
     * @param stack the user stack dump (empty: no dyn_size follows)
     */
    static long write(RecordBuffer b, SampleFormat f, int misc, long regsAbi, byte[] stack) {
        b.begin(RecordType.SAMPLE, misc);
        if (f.has(SampleField.IDENTIFIER)) {
            b.u64(value(SampleField.IDENTIFIER));
        }
        u64(b, f, SampleField.IP);
        if (f.has(SampleField.TID)) {
            b.u32(PID).u32(TID);
        }
        u64(b, f, SampleField.TIME);
        u64(b, f, SampleField.ADDR);
        u64(b, f, SampleField.ID);
        u64(b, f, SampleField.STREAM_ID);
        if (f.has(SampleField.CPU)) {
            b.u32(CPU).u32(0);
        }
        u64(b, f, SampleField.PERIOD);
        if (f.has(SampleField.READ)) {
            readFormat(b, f);
        }
        if (f.has(SampleField.CALLCHAIN)) {
            b.u64(CALLCHAIN.length);
            for (long ip : CALLCHAIN) {
                b.u64(ip);
            }
        }
        if (f.has(SampleField.RAW)) {
            b.u32(RAW.length).bytes(RAW); // 4 + 12: a multiple of 8, as the kernel pads it
        }
        if (f.has(SampleField.BRANCH_STACK)) {
            b.u64(BRANCHES);
            if (f.branchHwIndex()) {
                b.u64(HW_INDEX);
            }
            for (int i = 0; i < BRANCHES; i++) {
                b.struct(branchEntry(b, i));
            }
            if (f.branchCounters()) {
                for (int i = 0; i < BRANCHES; i++) {
                    b.u64(branchCounters(i));
                }
            }
        }
        if (f.has(SampleField.REGS_USER)) {
            b.u64(regsAbi);
            for (int i = 0; regsAbi != 0 && i < Long.bitCount(f.regsUserMask()); i++) {
                b.u64(regUser(i));
            }
        }
        if (f.has(SampleField.STACK_USER)) {
            b.u64(stack.length).bytes(stack);
            if (stack.length != 0) {
                b.u64(DYN_SIZE);
            }
        }
        u64(b, f, SampleField.WEIGHT);
        if (f.has(SampleField.WEIGHT_STRUCT)) {
            b.struct(weightStruct(b));
        }
        if (f.has(SampleField.DATA_SRC)) {
            b.struct(dataSrc(b));
        }
        u64(b, f, SampleField.TRANSACTION);
        if (f.has(SampleField.REGS_INTR)) {
            b.u64(regsAbi);
            for (int i = 0; regsAbi != 0 && i < Long.bitCount(f.regsIntrMask()); i++) {
                b.u64(regIntr(i));
            }
        }
        u64(b, f, SampleField.PHYS_ADDR);
        u64(b, f, SampleField.CGROUP);
        u64(b, f, SampleField.DATA_PAGE_SIZE);
        u64(b, f, SampleField.CODE_PAGE_SIZE);
        if (f.has(SampleField.AUX)) {
            b.u64(AUX.length).bytes(AUX);
        }
        return b.end();
    }

    static long write(RecordBuffer b, SampleFormat f) {
        return write(b, f, 0, PERF_SAMPLE_REGS_ABI_64(), STACK);
    }

    private static void u64(RecordBuffer b, SampleFormat f, SampleField field) {
        if (f.has(field)) {
            b.u64(value(field));
        }
    }

    /** A struct read_format of {@code f}. */
    static void readFormat(RecordBuffer b, SampleFormat f) {
        long bits = f.readFormat();
        boolean enabled = (bits & 1) != 0;
        boolean running = (bits & 2) != 0;
        boolean id = (bits & 4) != 0;
        boolean lost = (bits & 16) != 0;
        if (f.readGroup()) {
            b.u64(GROUP);
            if (enabled) {
                b.u64(0x8001);
            }
            if (running) {
                b.u64(0x8002);
            }
            for (int i = 0; i < GROUP; i++) {
                b.u64(readValue(i));
                if (id) {
                    b.u64(readId(i));
                }
                if (lost) {
                    b.u64(readLost(i));
                }
            }
        } else {
            b.u64(readValue(0));
            if (enabled) {
                b.u64(0x8001);
            }
            if (running) {
                b.u64(0x8002);
            }
            if (id) {
                b.u64(readId(0));
            }
            if (lost) {
                b.u64(readLost(0));
            }
        }
    }

    /** Checks every field of a sample written by {@link #write(RecordBuffer, SampleFormat)}. */
    static void verify(RecordCursor c, SampleFormat f, String where) {
        assertEquals(RecordType.SAMPLE, c.recordType(), where);
        if (f.has(SampleField.TID)) {
            assertEquals(PID, c.pid(), where);
            assertEquals(TID, c.tid(), where);
        }
        if (f.has(SampleField.CPU)) {
            assertEquals(CPU, c.cpu(), where);
        }
        if (f.has(SampleField.ID)) {
            assertEquals(value(SampleField.ID), c.id(), where);
        } else if (f.has(SampleField.IDENTIFIER)) {
            assertEquals(value(SampleField.IDENTIFIER), c.id(), where);
        }
        check(f, SampleField.IP, c::ip, where);
        check(f, SampleField.TIME, c::time, where);
        check(f, SampleField.ADDR, c::addr, where);
        check(f, SampleField.STREAM_ID, c::streamId, where);
        check(f, SampleField.PERIOD, c::period, where);
        check(f, SampleField.WEIGHT, c::weight, where);
        check(f, SampleField.TRANSACTION, c::transaction, where);
        check(f, SampleField.PHYS_ADDR, c::physAddr, where);
        check(f, SampleField.CGROUP, c::cgroup, where);
        check(f, SampleField.DATA_PAGE_SIZE, c::dataPageSize, where);
        check(f, SampleField.CODE_PAGE_SIZE, c::codePageSize, where);
        if (f.has(SampleField.READ)) {
            verifyRead(c, f, where);
        }
        if (f.has(SampleField.CALLCHAIN)) {
            assertEquals(CALLCHAIN.length, c.callchainLength(), where);
            for (int i = 0; i < CALLCHAIN.length; i++) {
                assertEquals(CALLCHAIN[i], c.callchain(i), where);
            }
        }
        if (f.has(SampleField.RAW)) {
            assertEquals(RAW.length, c.rawSize(), where);
            assertArrayEquals(RAW, c.raw().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), where);
        }
        if (f.has(SampleField.BRANCH_STACK)) {
            assertEquals(BRANCHES, c.branchCount(), where);
            if (f.branchHwIndex()) {
                assertEquals(HW_INDEX, c.branchHwIndex(), where);
            }
            for (int i = 0; i < BRANCHES; i++) {
                assertEquals(branchFrom(i), c.branchFrom(i), where);
                assertEquals(branchTo(i), c.branchTo(i), where);
                try (RecordBuffer scratch = new RecordBuffer(64)) {
                    MemorySegment expected = branchEntry(scratch, i);
                    assertEquals(expected.get(java.lang.foreign.ValueLayout.JAVA_LONG, 16), c.branchFlags(i), where);
                }
                if (f.branchCounters()) {
                    assertEquals(branchCounters(i), c.branchCounters(i), where);
                }
            }
        }
        if (f.has(SampleField.REGS_USER)) {
            assertEquals(PERF_SAMPLE_REGS_ABI_64(), c.regsUserAbi(), where);
            assertEquals(Long.bitCount(f.regsUserMask()), c.regsUserCount(), where);
            for (int i = 0; i < c.regsUserCount(); i++) {
                assertEquals(regUser(i), c.regsUser(i), where);
            }
        }
        if (f.has(SampleField.STACK_USER)) {
            assertEquals(STACK.length, c.stackUserSize(), where);
            assertArrayEquals(STACK, c.stackUser().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), where);
            assertEquals(DYN_SIZE, c.stackUserDynSize(), where);
        }
        if (f.has(SampleField.WEIGHT_STRUCT)) {
            assertEquals(WEIGHT_VAR1, c.weightVar1(), where);
            assertEquals(WEIGHT_VAR2, c.weightVar2(), where);
            assertEquals(WEIGHT_VAR3, c.weightVar3(), where);
        }
        if (f.has(SampleField.DATA_SRC)) {
            try (RecordBuffer scratch = new RecordBuffer(64)) {
                assertEquals(perf_mem_data_src.val(dataSrc(scratch)), c.dataSrc(), where);
            }
        }
        if (f.has(SampleField.REGS_INTR)) {
            assertEquals(PERF_SAMPLE_REGS_ABI_64(), c.regsIntrAbi(), where);
            assertEquals(Long.bitCount(f.regsIntrMask()), c.regsIntrCount(), where);
            for (int i = 0; i < c.regsIntrCount(); i++) {
                assertEquals(regIntr(i), c.regsIntr(i), where);
            }
        }
        if (f.has(SampleField.AUX)) {
            assertEquals(AUX.length, c.auxSize(), where);
            assertArrayEquals(AUX, c.aux().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), where);
        }
        for (SampleField field : SampleField.values()) {
            assertEquals(f.has(field), c.has(field), where + ": has " + field);
        }
    }

    private static void check(SampleFormat f, SampleField field, java.util.function.LongSupplier read,
            String where) {
        if (f.has(field)) {
            assertEquals(value(field), read.getAsLong(), where + ": " + field);
        }
    }

    static void verifyRead(RecordCursor c, SampleFormat f, String where) {
        int n = f.readGroup() ? GROUP : 1;
        assertEquals(n, c.readValueCount(), where);
        long bits = f.readFormat();
        if ((bits & 1) != 0) {
            assertEquals(0x8001, c.readTimeEnabled(), where);
        }
        if ((bits & 2) != 0) {
            assertEquals(0x8002, c.readTimeRunning(), where);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(readValue(i), c.readValue(i), where);
            if ((bits & 4) != 0) {
                assertEquals(readId(i), c.readId(i), where);
            }
            if ((bits & 16) != 0) {
                assertEquals(readLost(i), c.readLost(i), where);
            }
        }
    }

    /** Checks the record form of a sample written by {@link #write(RecordBuffer, SampleFormat)}. */
    static void verify(PerfRecord.Sample s, SampleFormat f, String where) {
        assertEquals(f.sampleFields(), s.fields(), where);
        assertEquals(f.has(SampleField.TID) ? PID : 0, s.sampleId().pid(), where);
        assertEquals(f.has(SampleField.TID) ? TID : 0, s.sampleId().tid(), where);
        assertEquals(f.has(SampleField.CPU) ? CPU : 0, s.sampleId().cpu(), where);
        assertEquals(f.has(SampleField.TIME) ? value(SampleField.TIME) : 0, s.sampleId().time(), where);
        assertEquals(f.has(SampleField.ID) ? value(SampleField.ID)
                : f.has(SampleField.IDENTIFIER) ? value(SampleField.IDENTIFIER) : 0, s.sampleId().id(), where);
        assertEquals(f.has(SampleField.IDENTIFIER) ? value(SampleField.IDENTIFIER) : 0, s.sampleId().identifier(),
                where);
        assertEquals(f.has(SampleField.STREAM_ID) ? value(SampleField.STREAM_ID) : 0, s.sampleId().streamId(), where);
        assertEquals(f.has(SampleField.IP) ? value(SampleField.IP) : 0, s.ip(), where);
        assertEquals(f.has(SampleField.ADDR) ? value(SampleField.ADDR) : 0, s.addr(), where);
        assertEquals(f.has(SampleField.PERIOD) ? value(SampleField.PERIOD) : 0, s.period(), where);
        assertEquals(f.has(SampleField.TRANSACTION) ? value(SampleField.TRANSACTION) : 0, s.transaction(), where);
        assertEquals(f.has(SampleField.PHYS_ADDR) ? value(SampleField.PHYS_ADDR) : 0, s.physAddr(), where);
        assertEquals(f.has(SampleField.CGROUP) ? value(SampleField.CGROUP) : 0, s.cgroup(), where);
        assertEquals(f.has(SampleField.DATA_PAGE_SIZE) ? value(SampleField.DATA_PAGE_SIZE) : 0, s.dataPageSize(),
                where);
        assertEquals(f.has(SampleField.CODE_PAGE_SIZE) ? value(SampleField.CODE_PAGE_SIZE) : 0, s.codePageSize(),
                where);
        if (f.has(SampleField.READ)) {
            int n = f.readGroup() ? GROUP : 1;
            assertEquals(n, s.read().values().size(), where);
            long bits = f.readFormat();
            assertEquals((bits & 1) != 0 ? 0x8001 : 0, s.read().timeEnabled(), where);
            assertEquals((bits & 2) != 0 ? 0x8002 : 0, s.read().timeRunning(), where);
            for (int i = 0; i < n; i++) {
                assertEquals(new PerfRecord.ReadValue(readValue(i), (bits & 4) != 0 ? readId(i) : 0,
                        (bits & 16) != 0 ? readLost(i) : 0), s.read().values().get(i), where);
            }
        } else {
            assertNull(s.read(), where);
        }
        if (f.has(SampleField.CALLCHAIN)) {
            assertArrayEquals(CALLCHAIN, s.callchain(), where);
            assertArrayEquals(new long[] {CALLCHAIN[1], CALLCHAIN[2]}, s.callchain(CallchainContext.KERNEL), where);
            assertArrayEquals(new long[] {CALLCHAIN[4], CALLCHAIN[5]}, s.callchain(CallchainContext.USER), where);
            assertArrayEquals(new long[0], s.callchain(CallchainContext.GUEST), where);
        } else {
            assertNull(s.callchain(), where);
            assertArrayEquals(new long[0], s.callchain(CallchainContext.KERNEL), where);
        }
        if (f.has(SampleField.RAW)) {
            assertArrayEquals(RAW, s.raw(), where);
        } else {
            assertNull(s.raw(), where);
        }
        if (f.has(SampleField.BRANCH_STACK)) {
            PerfRecord.BranchStack stack = s.branchStack();
            assertEquals(f.branchHwIndex(), stack.hasHwIndex(), where);
            assertEquals(f.branchHwIndex() ? HW_INDEX : 0, stack.hwIndex(), where);
            assertEquals(f.branchCounters(), stack.hasCounters(), where);
            assertEquals(BRANCHES, stack.entries().size(), where);
            for (int i = 0; i < BRANCHES; i++) {
                PerfRecord.Branch e = stack.entries().get(i);
                assertEquals(branchFrom(i), e.from(), where);
                assertEquals(branchTo(i), e.to(), where);
                assertEquals(i == 0, e.mispredicted(), where);
                assertEquals(i != 0, e.predicted(), where);
                assertEquals(i == 0, e.inTransaction(), where);
                assertEquals(i != 0, e.abort(), where);
                assertEquals(0x1234 + i, e.cycles(), where);
                assertEquals(5 + i, e.type(), where);
                assertEquals(2 + i, e.speculation(), where);
                assertEquals(3 + i, e.newType(), where);
                assertEquals(6 - i, e.privilege(), where);
                assertEquals(f.branchCounters() ? branchCounters(i) : 0, e.counters(), where);
            }
        } else {
            assertNull(s.branchStack(), where);
        }
        if (f.has(SampleField.REGS_USER)) {
            assertEquals(PERF_SAMPLE_REGS_ABI_64(), s.regsUser().abi(), where);
            assertEquals(f.regsUserMask(), s.regsUser().mask(), where);
            long[] regs = new long[Long.bitCount(f.regsUserMask())];
            for (int i = 0; i < regs.length; i++) {
                regs[i] = regUser(i);
            }
            assertArrayEquals(regs, s.regsUser().values(), where);
        } else {
            assertNull(s.regsUser(), where);
        }
        if (f.has(SampleField.STACK_USER)) {
            assertArrayEquals(STACK, s.stackUser().data(), where);
            assertEquals(DYN_SIZE, s.stackUser().dynSize(), where);
        } else {
            assertNull(s.stackUser(), where);
        }
        if (f.has(SampleField.WEIGHT)) {
            assertEquals(value(SampleField.WEIGHT), s.weight(), where);
        } else if (f.has(SampleField.WEIGHT_STRUCT)) {
            assertEquals(WEIGHT_VAR1, s.weightVar1(), where);
            assertEquals(WEIGHT_VAR2, s.weightVar2(), where);
            assertEquals(WEIGHT_VAR3, s.weightVar3(), where);
        } else {
            assertEquals(0, s.weight(), where);
        }
        if (f.has(SampleField.DATA_SRC)) {
            assertEquals(new PerfRecord.MemDataSource(2, 0x45, 4, 1, 0x11, 3, 1, 2, 5, 2, 7), s.dataSource(), where);
        } else {
            assertEquals(0, s.dataSrc(), where);
        }
        if (f.has(SampleField.REGS_INTR)) {
            long[] regs = new long[Long.bitCount(f.regsIntrMask())];
            for (int i = 0; i < regs.length; i++) {
                regs[i] = regIntr(i);
            }
            assertArrayEquals(regs, s.regsIntr().values(), where);
            assertEquals(f.regsIntrMask(), s.regsIntr().mask(), where);
        } else {
            assertNull(s.regsIntr(), where);
        }
        if (f.has(SampleField.AUX)) {
            assertArrayEquals(AUX, s.aux(), where);
        } else {
            assertNull(s.aux(), where);
        }
        for (SampleField field : SampleField.values()) {
            assertEquals(f.has(field), s.has(field), where);
        }
        assertTrue(s.recordType() == RecordType.SAMPLE, where);
        assertFalse(s.exactIp(), where);
    }
}
