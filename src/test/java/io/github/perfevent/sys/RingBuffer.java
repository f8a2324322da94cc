package io.github.perfevent.sys;

import io.github.perfevent.sys.bindings.perf_event_header;
import io.github.perfevent.sys.bindings.perf_event_mmap_page;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Test support: a minimal reader of a perf ring buffer mapped with {@link Syscalls#mmap}. The metadata page is
 * followed by 2<sup>n</sup> data pages; {@code data_head} is read with acquire semantics, records are copied out
 * (joining the two halves of one that wraps around the end of the buffer) and {@code data_tail} is written with
 * release semantics. {@link #close()} unmaps.
 */
@SuppressWarnings("restricted") // the tests run with native access for the module
final class RingBuffer implements AutoCloseable {

    /** The system page size, from {@code getpagesize()}. */
    static final long PAGE_SIZE = Libc.pageSize();

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long HEAD = perf_event_mmap_page.data_head$offset();
    private static final long TAIL = perf_event_mmap_page.data_tail$offset();

    /** One record: its header fields and an 8-byte-aligned heap copy of the whole record, header included. */
    record Record(int type, short misc, MemorySegment bytes) {

        /** The u64 at {@code offset} bytes after the 8-byte header. */
        long u64(long offset) {
            return bytes.get(ValueLayout.JAVA_LONG_UNALIGNED, perf_event_header.sizeof() + offset);
        }
    }

    final long address;
    final long length;
    /** The metadata page: a {@code struct perf_event_mmap_page}. */
    final MemorySegment page;
    private final MemorySegment data;
    private final long dataSize;
    private boolean closed;

    private RingBuffer(long address, long length) {
        this.address = address;
        this.length = length;
        MemorySegment all = MemorySegment.ofAddress(address).reinterpret(length);
        this.page = all.asSlice(0, PAGE_SIZE);
        long offset = perf_event_mmap_page.data_offset(page);
        this.dataSize = perf_event_mmap_page.data_size(page);
        this.data = all.asSlice(offset, dataSize);
    }

    /** The mapping length for {@code dataPages} data pages: {@code (1 + dataPages) * PAGE_SIZE}. */
    static long lengthFor(int dataPages) {
        return (1 + (long) dataPages) * PAGE_SIZE;
    }

    /** Maps 1 + {@code dataPages} pages of {@code fd} read-write; a failure fails the test with the errno. */
    static RingBuffer map(int fd, int dataPages) {
        long length = lengthFor(dataPages);
        long address = Syscalls.mmap(0, length, Syscalls.PROT_READ | Syscalls.PROT_WRITE, Syscalls.MAP_SHARED, fd, 0);
        if (address < 0) {
            throw new AssertionError("mmap of " + length + " bytes failed: " + Errno.describe((int) address));
        }
        return new RingBuffer(address, length);
    }

    /** {@code data_head}, read with acquire semantics (records up to it are visible after this read). */
    long head() {
        return (long) LONG.getAcquire(page, HEAD);
    }

    /** {@code data_tail} as last written by this reader. */
    long tail() {
        return (long) LONG.getAcquire(page, TAIL);
    }

    /** The size of the data area, as the metadata page reports it. */
    long dataSize() {
        return dataSize;
    }

    /** Reads every record between data_tail and data_head, then releases them by advancing data_tail. */
    List<Record> drain() {
        long head = head();
        long tail = tail();
        List<Record> records = new ArrayList<>();
        while (tail < head) {
            MemorySegment header = copy(tail, perf_event_header.sizeof());
            int size = Short.toUnsignedInt(perf_event_header.size(header));
            if (size < perf_event_header.sizeof() || tail + size > head) {
                throw new AssertionError("corrupt record at " + tail + ": size " + size + ", head " + head);
            }
            records.add(new Record(perf_event_header.type(header), perf_event_header.misc(header), copy(tail, size)));
            tail += size;
        }
        LONG.setRelease(page, TAIL, tail);
        return records;
    }

    /** Copies {@code size} bytes at ring position {@code position}, joining the two parts of a wrapped record. */
    private MemorySegment copy(long position, long size) {
        // long[]-backed, so that the 8-byte-aligned accessors of the generated bindings work on the copy.
        MemorySegment out = MemorySegment.ofArray(new long[(int) ((size + 7) / 8)]).asSlice(0, size);
        long start = position & (dataSize - 1);
        long first = Math.min(size, dataSize - start);
        MemorySegment.copy(data, start, out, 0, first);
        if (first < size) {
            MemorySegment.copy(data, 0, out, first, size - first);
        }
        return out;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            int result = Syscalls.munmap(address, length);
            if (result != 0) {
                throw new AssertionError("munmap failed: " + Errno.describe(result));
            }
        }
    }
}
