/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Records copied out of ring buffers and handed out in time order, the way perf's ordered-events queue does it:
 * a binary heap keyed by (time, arrival), over copies held in one heap-backed slab. Allocation-free once the slab
 * and the heap have grown to the working set; the slab is compacted when it fills.
 */
final class OrderedQueue {

    private long[] slab = new long[8192]; // 64 KiB, grows by doubling
    private MemorySegment slabSegment = MemorySegment.ofArray(slab);
    private long slabUsed; // bytes
    private long liveBytes;

    private long[] times = new long[256];
    private long[] arrivals = new long[256];
    private long[] offsets = new long[256];
    private int[] sizes = new int[256];
    /** The heap: indices into the entry arrays; {@link #free} holds unused indices. */
    private int[] heap = new int[256];
    private int[] free = new int[256];
    private int count;
    private int freeCount;
    private int capacity;
    private long arrival;

    /** Where the record handed out last lies. */
    private long currentOffset;

    /** Copies the record of {@code size} bytes at {@code offset} in {@code source}, to be handed out at {@code time}. */
    void add(MemorySegment source, long offset, int size, long time) {
        if (slabUsed + size > slabSegment.byteSize()) {
            makeRoom(size);
        }
        int entry = newEntry();
        MemorySegment.copy(source, offset, slabSegment, slabUsed, size);
        times[entry] = time;
        arrivals[entry] = arrival++;
        offsets[entry] = slabUsed;
        sizes[entry] = size;
        slabUsed += size;
        liveBytes += size;
        heap[count] = entry;
        siftUp(count++);
    }

    /** {@return the number of records held} */
    int size() {
        return count;
    }

    /** {@return the time of the earliest record; only when not empty} */
    long earliestTime() {
        return times[heap[0]];
    }

    /**
     * Takes the earliest record if its time is at most {@code limit}; it is then at {@link #segment()} and
     * {@link #offset()} until the next call.
     */
    boolean poll(long limit) {
        if (count == 0 || times[heap[0]] > limit) {
            return false;
        }
        int entry = heap[0];
        heap[0] = heap[--count];
        if (count > 0) {
            siftDown(0);
        }
        currentOffset = offsets[entry];
        liveBytes -= sizes[entry];
        free[freeCount++] = entry;
        if (count == 0) {
            slabUsed = 0; // everything handed out: the next add starts over (the caller is done with this one by then)
        }
        return true;
    }

    /** {@return the slab that holds the record handed out last} */
    MemorySegment segment() {
        return slabSegment;
    }

    /** {@return the offset of the record handed out last} */
    long offset() {
        return currentOffset;
    }

    private int newEntry() {
        if (freeCount > 0) {
            return free[--freeCount];
        }
        if (capacity == times.length) {
            int n = capacity * 2;
            times = Arrays.copyOf(times, n);
            arrivals = Arrays.copyOf(arrivals, n);
            offsets = Arrays.copyOf(offsets, n);
            sizes = Arrays.copyOf(sizes, n);
            heap = Arrays.copyOf(heap, n);
            free = Arrays.copyOf(free, n);
        }
        return capacity++;
    }

    /**
     * Compacts the records still held to the start of a new slab, doubling its size while they would fill more than
     * half of it.
     */
    private void makeRoom(int size) {
        long needed = liveBytes + size;
        long length = slabSegment.byteSize();
        while (needed > length / 2) {
            length *= 2;
        }
        if (length > Integer.MAX_VALUE * 8L) {
            throw new IllegalStateException("the reorder queue would pass " + length + " bytes");
        }
        long[] next = new long[(int) (length / 8)];
        MemorySegment nextSegment = MemorySegment.ofArray(next);
        long used = 0;
        for (int i = 0; i < count; i++) {
            int entry = heap[i];
            MemorySegment.copy(slabSegment, offsets[entry], nextSegment, used, sizes[entry]);
            offsets[entry] = used;
            used += sizes[entry];
        }
        slab = next;
        slabSegment = nextSegment;
        slabUsed = used;
    }

    private boolean before(int a, int b) {
        long ta = times[a];
        long tb = times[b];
        return ta < tb || ta == tb && arrivals[a] < arrivals[b];
    }

    private void siftUp(int i) {
        int entry = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(entry, heap[parent])) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = entry;
    }

    private void siftDown(int i) {
        int entry = heap[i];
        int half = count >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < count && before(heap[right], heap[child])) {
                child = right;
            }
            if (!before(heap[child], entry)) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = entry;
    }
}
