/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The cursor's hot path allocates nothing: wrap/next and every in-place accessor, measured per thread. */
class RecordCursorAllocationTest {

    private static final int ROUNDS = 5;

    /** Reads every field of every record through the in-place accessors; returns a checksum. */
    private static long readAll(RecordCursor c, MemorySegment records, RecordType.Field lost) {
        long sum = 0;
        c.walk(records);
        while (c.next()) {
            sum += c.time() + c.id() + c.pid() + c.tid() + c.cpu() + c.misc() + c.size() + c.type();
            if (c.recordType() == RecordType.SAMPLE) {
                sum += c.ip() + c.addr() + c.period() + c.streamId() + c.weight() + c.dataSrc() + c.transaction()
                        + c.physAddr() + c.cgroup() + c.dataPageSize() + c.codePageSize() + c.auxSize()
                        + c.auxOffset() + c.rawSize() + c.rawOffset() + c.stackUserSize() + c.stackUserOffset()
                        + c.stackUserDynSize() + c.regsUserAbi() + c.regsIntrAbi() + c.branchHwIndex()
                        + c.readTimeEnabled() + c.readTimeRunning();
                for (int i = 0; i < c.readValueCount(); i++) {
                    sum += c.readValue(i) + c.readId(i) + c.readLost(i);
                }
                for (int i = 0; i < c.callchainLength(); i++) {
                    sum += RecordCursor.isContextMarker(c.callchain(i)) ? 1 : c.callchain(i);
                }
                for (int i = 0; i < c.branchCount(); i++) {
                    sum += c.branchFrom(i) + c.branchTo(i) + c.branchFlags(i) + c.branchCounters(i);
                }
                for (int i = 0; i < c.regsUserCount(); i++) {
                    sum += c.regsUser(i);
                }
                for (int i = 0; i < c.regsIntrCount(); i++) {
                    sum += c.regsIntr(i);
                }
            } else {
                sum += c.get(lost);
            }
        }
        return sum;
    }

    /**
     * com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes, looked up reflectively: the module does not
     * read jdk.management (the library does not need it), and reflection needs no readability.
     */
    private static MethodHandle allocatedBytes(ThreadMXBean threads) throws ReflectiveOperationException {
        Class<?> hotspot;
        try {
            hotspot = Class.forName("com.sun.management.ThreadMXBean");
        } catch (ClassNotFoundException e) {
            Assumptions.abort("this JVM has no com.sun.management.ThreadMXBean to measure allocation with");
            throw e;
        }
        Assumptions.assumeTrue(hotspot.isInstance(threads), "this JVM's ThreadMXBean does not measure allocation");
        Assumptions.assumeTrue((boolean) hotspot.getMethod("isThreadAllocatedMemoryEnabled").invoke(threads),
                "per-thread allocation measurement is disabled in this JVM");
        return MethodHandles.publicLookup().findVirtual(hotspot, "getCurrentThreadAllocatedBytes",
                MethodType.methodType(long.class)).asType(MethodType.methodType(long.class, ThreadMXBean.class));
    }

    @Test
    void walkingAndReadingEveryFieldAllocatesNothing() throws Throwable {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        MethodHandle allocatedBytes = allocatedBytes(threads);
        Set<SampleField> fields = EnumSet.allOf(SampleField.class);
        fields.remove(SampleField.WEIGHT_STRUCT);
        SampleFormat f = SampleFormat.builder().sampleType(SampleField.bits(fields)).readFormat(0b11111)
                .sampleIdAll(true).regsUserMask(0xff).regsIntrMask(0xf).branchSampleType((1L << 17) | (1L << 19))
                .build();
        RecordType.Field lost = RecordType.LOST.field("lost");
        try (RecordBuffer b = new RecordBuffer()) {
            for (int i = 0; i < 100; i++) {
                Samples.write(b, f);
                b.begin(RecordType.LOST, 0).u64(1).u64(i).sampleId(f, new PerfRecord.SampleId(Set.of(), 1, 2, i, 3,
                        4, 5, 6)).end();
            }
            MemorySegment records = b.segment();
            RecordCursor c = RecordCursor.of(f);
            long sum = 0;
            for (int i = 0; i < 20_000; i++) { // warm up: the JIT compiles the loop
                sum += readAll(c, records, lost);
            }
            long[] allocated = new long[ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                long before = (long) allocatedBytes.invokeExact(threads);
                long overhead = (long) allocatedBytes.invokeExact(threads) - before;
                before = (long) allocatedBytes.invokeExact(threads);
                for (int i = 0; i < 1_000; i++) {
                    sum += readAll(c, records, lost);
                }
                allocated[round] = (long) allocatedBytes.invokeExact(threads) - before - overhead;
            }
            System.out.println("cursor allocation per round of 200,000 records: " + Arrays.toString(allocated)
                    + " bytes (checksum " + sum + ")");
            assertTrue(Arrays.stream(allocated).min().orElseThrow() <= 0,
                    "bytes allocated by rounds of 1000 walks over 200 records: " + Arrays.toString(allocated));
        }
    }
}
