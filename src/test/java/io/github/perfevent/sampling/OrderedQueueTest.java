package io.github.perfevent.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The reorder queue: time order with arrival order for ties, the limit, and records kept intact as it grows. */
class OrderedQueueTest {

    /** A record of {@code size} bytes (a multiple of 8) whose words all hold {@code tag}. */
    private static MemorySegment record(long tag, int size) {
        MemorySegment r = MemorySegment.ofArray(new long[size / 8]);
        for (int i = 0; i < size; i += 8) {
            r.set(ValueLayout.JAVA_LONG_UNALIGNED, i, tag);
        }
        return r;
    }

    /** The tag of the record handed out last, checking that every word of its {@code size} bytes holds it. */
    private static long tagOf(OrderedQueue queue, int size) {
        long tag = queue.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, queue.offset());
        for (int i = 8; i < size; i += 8) {
            assertEquals(tag, queue.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, queue.offset() + i),
                    "word " + i / 8 + " of record " + tag);
        }
        return tag;
    }

    @Test
    void recordsComeOutByTimeThenByArrivalAndOnlyUpToTheLimit() {
        OrderedQueue queue = new OrderedQueue();
        queue.add(record(1, 16), 0, 16, 30);
        queue.add(record(2, 16), 0, 16, 10);
        queue.add(record(3, 16), 0, 16, 20);
        queue.add(record(4, 16), 0, 16, 10); // same time as 2, arrived later
        assertEquals(4, queue.size());
        assertEquals(10, queue.earliestTime());
        assertFalse(queue.poll(9), "nothing at or before 9");
        assertTrue(queue.poll(10));
        assertEquals(2, tagOf(queue, 16));
        assertTrue(queue.poll(10), "the limit is inclusive");
        assertEquals(4, tagOf(queue, 16));
        assertFalse(queue.poll(19));
        assertEquals(20, queue.earliestTime());
        assertTrue(queue.poll(Long.MAX_VALUE));
        assertEquals(3, tagOf(queue, 16));
        assertTrue(queue.poll(Long.MAX_VALUE));
        assertEquals(1, tagOf(queue, 16));
        assertEquals(0, queue.size());
        assertFalse(queue.poll(Long.MAX_VALUE));
    }

    @Test
    void manyRecordsOfManySizesInRandomOrderComeOutSortedAndIntactWhileTheQueueGrowsAndCompacts() {
        Random random = new Random(7);
        OrderedQueue queue = new OrderedQueue();
        record Added(long tag, long time, int size) {
        }
        List<Added> pending = new ArrayList<>();
        long tag = 0;
        long now = 0;
        for (int round = 0; round < 200; round++) {
            int n = 1 + random.nextInt(400);
            for (int i = 0; i < n; i++) {
                int size = 8 * (1 + random.nextInt(64));
                long time = now + random.nextInt(1000) - 500;
                queue.add(record(tag, size), 0, size, time);
                pending.add(new Added(tag++, time, size));
            }
            now += 300;
            long limit = now - 600;
            pending.sort(Comparator.comparingLong(Added::time).thenComparingLong(Added::tag));
            while (!pending.isEmpty() && pending.getFirst().time() <= limit) {
                Added expected = pending.removeFirst();
                assertTrue(queue.poll(limit), "record " + expected + " is due");
                assertEquals(expected.tag(), tagOf(queue, expected.size()));
            }
            assertFalse(queue.poll(limit), "nothing else is due in round " + round);
            assertEquals(pending.size(), queue.size());
        }
        pending.sort(Comparator.comparingLong(Added::time).thenComparingLong(Added::tag));
        for (Added expected : pending) {
            assertTrue(queue.poll(Long.MAX_VALUE));
            assertEquals(expected.tag(), tagOf(queue, expected.size()));
        }
        assertEquals(0, queue.size());
    }

    @Test
    void aRecordCopiedFromTheMiddleOfABufferIsCopiedFromItsOffset() {
        MemorySegment buffer = MemorySegment.ofArray(new long[8]);
        buffer.set(ValueLayout.JAVA_LONG_UNALIGNED, 24, 77);
        buffer.set(ValueLayout.JAVA_LONG_UNALIGNED, 32, 77);
        OrderedQueue queue = new OrderedQueue();
        queue.add(buffer, 24, 16, 5);
        assertTrue(queue.poll(5));
        assertEquals(77, tagOf(queue, 16));
    }
}
