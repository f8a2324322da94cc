/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import io.github.perfevent.PerfEventException;
import io.github.perfevent.internal.CountingAccess;
import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Syscalls;
import io.github.perfevent.sys.bindings.perf_event_header;
import io.github.perfevent.sys.bindings.perf_event_mmap_page;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The ring buffer of one perf event fd ({@code perf_event_open(2)}, "MMAP layout"): a metadata page
 * ({@code struct perf_event_mmap_page}) followed by 2<sup>n</sup> data pages that the kernel fills with records.
 *
 * <p>The reader's side of the protocol, as the kernel documents it: {@code data_head} is read with acquire
 * semantics (every record before it is then visible), records are read between {@code data_tail} and
 * {@code data_head}, and {@code data_tail} is written with release semantics once they are consumed, which gives
 * their room back to the kernel. {@code data_offset} and {@code data_size} are read from the page (kernels before
 * 4.1 leave them 0: then the data starts at the second page and fills the rest). A record that wraps around the end
 * of the data area is copied whole into a scratch area, so every record is contiguous for its reader.
 *
 * <p>In overwrite mode ({@code write_backward}, a read-only mapping) the kernel writes backwards from
 * {@code data_head} and overwrites the oldest records; {@link Sampler#snapshot()} pauses the buffer and reads what
 * it holds. The AUX area, for PMUs that trace into one, is mapped after the data when asked for.
 *
 * <p>Unmapped exactly once, by {@link #close()}; every segment of the buffer belongs to its own arena, so a read
 * after close is an {@link IllegalStateException}, never a read of unmapped memory. Not thread-safe: one reader at a
 * time (the {@link Sampler} guards it).
 */
public final class RingBuffer implements AutoCloseable {

    /** The most data pages a buffer may have: 2<sup>20</sup> (4 GiB of 4 KiB pages). */
    public static final int MAX_DATA_PAGES = 1 << 20;

    /** The largest record: its size is a 16-bit field. */
    static final int MAX_RECORD_SIZE = 0xffff;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long HEAD = perf_event_mmap_page.data_head$offset();
    private static final long TAIL = perf_event_mmap_page.data_tail$offset();
    private static final long HEADER_SIZE = perf_event_header.sizeof();

    private final int fd;
    private final Arena arena;
    private final MemorySegment metadata;
    private final MemorySegment data;
    private final long dataSize;
    private final long mask;
    private final boolean overwrite;
    private final MemorySegment scratch;
    private final MemorySegment aux;

    /** Where the next record starts (a ring position, not an offset), and the head read last. */
    private long position;
    private long head;
    /** Where the current record lies: {@link #data} or {@link #scratch}, and its offset there. */
    private MemorySegment recordSegment;
    private long recordOffset;
    private long[] backwardPositions = new long[64];
    /** How many records crossed the end of the data area and were joined in the scratch area. */
    private long wrapped;
    private boolean closed;

    private RingBuffer(int fd, Arena arena, MemorySegment mapping, long pageSize, boolean overwrite,
            MemorySegment aux) {
        this.fd = fd;
        this.arena = arena;
        this.metadata = mapping.asSlice(0, pageSize);
        long offset = perf_event_mmap_page.data_offset(metadata);
        long size = perf_event_mmap_page.data_size(metadata);
        if (size == 0) { // before Linux 4.1
            offset = pageSize;
            size = mapping.byteSize() - pageSize;
        }
        if (Long.bitCount(size) != 1 || size < HEADER_SIZE || offset < pageSize
                || size > mapping.byteSize() - offset) {
            throw new MalformedRecordException(0, "the metadata page says data_offset " + offset + ", data_size "
                    + size + ", which do not fit a mapping of " + mapping.byteSize() + " bytes");
        }
        this.data = mapping.asSlice(offset, size);
        this.dataSize = size;
        this.mask = size - 1;
        this.overwrite = overwrite;
        this.scratch = arena.allocate(MAX_RECORD_SIZE + 1L, 8);
        this.aux = aux;
        this.position = overwrite ? 0 : tail();
        this.head = position;
    }

    /**
     * Maps the ring buffer of {@code fd}: {@code 1 + dataPages} pages, read-write (or read-only in overwrite mode,
     * which the event must have been opened with: {@code write_backward}).
     *
     * @param fd a perf event fd, opened with a sampling or side-band configuration
     * @param dataPages a power of two, 1 to {@link #MAX_DATA_PAGES}
     * @param overwrite whether the event writes backward and the reader only snapshots
     * @return the buffer
     * @throws IllegalArgumentException if {@code dataPages} is not a power of two in range
     * @throws PerfEventException if the kernel refuses the mapping: EPERM when the buffer is over what
     *     {@code kernel.perf_event_mlock_kb} and {@code RLIMIT_MEMLOCK} allow an unprivileged user, EINVAL for an
     *     inherited event on {@code cpu} -1, EBUSY when the fd is already mapped or redirected
     */
    public static RingBuffer map(int fd, int dataPages, boolean overwrite) {
        return map(fd, dataPages, overwrite, 0);
    }

    /**
     * Maps the ring buffer of {@code fd} and an AUX area of {@code auxPages} pages after it ({@code aux_offset},
     * {@code aux_size} in the metadata page).
     *
     * @param fd a perf event fd
     * @param dataPages a power of two, 1 to {@link #MAX_DATA_PAGES}
     * @param overwrite whether the event writes backward
     * @param auxPages 0 for no AUX area, else a power of two
     * @return the buffer
     * @throws IllegalArgumentException if a page count is not a power of two in range
     * @throws PerfEventException if the kernel refuses a mapping; EOPNOTSUPP for an AUX area of an event whose PMU
     *     does not trace into one
     */
    @SuppressWarnings("restricted") // the module has native access; the segment's length is the mapping's
    public static RingBuffer map(int fd, int dataPages, boolean overwrite, int auxPages) {
        requireDataPages(dataPages);
        if (auxPages != 0) {
            requireDataPages(auxPages);
            if (overwrite) {
                throw new IllegalArgumentException("an AUX area is placed by writing aux_offset and aux_size into the "
                        + "metadata page, which overwrite mode maps read-only: use one or the other");
            }
        }
        long pageSize = Syscalls.pageSize();
        long length = (1 + (long) dataPages) * pageSize;
        int prot = Syscalls.PROT_READ | (overwrite ? 0 : Syscalls.PROT_WRITE);
        long address = Syscalls.mmap(0, length, prot, Syscalls.MAP_SHARED, fd, 0);
        if (address < 0) {
            throw mapFailed((int) -address, fd, length, dataPages, false);
        }
        Arena arena = Arena.ofShared();
        MemorySegment mapped = MemorySegment.ofAddress(address).reinterpret(length, arena,
                s -> Syscalls.munmap(address, length));
        // The kernel maps an overwrite buffer read-only: a write through the segment would be a SIGSEGV, so the
        // segment is read-only too (a write is an UnsupportedOperationException).
        MemorySegment mapping = overwrite ? mapped.asReadOnly() : mapped;
        MemorySegment aux = MemorySegment.NULL;
        try {
            if (auxPages != 0) {
                aux = mapAux(fd, mapping, pageSize, length, auxPages, overwrite, arena);
            }
            return new RingBuffer(fd, arena, mapping, pageSize, overwrite, aux);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    @SuppressWarnings("restricted")
    private static MemorySegment mapAux(int fd, MemorySegment mapping, long pageSize, long offset, int auxPages,
            boolean overwrite, Arena arena) {
        long auxSize = auxPages * pageSize;
        perf_event_mmap_page.aux_offset(mapping, offset);
        perf_event_mmap_page.aux_size(mapping, auxSize);
        int prot = Syscalls.PROT_READ | (overwrite ? 0 : Syscalls.PROT_WRITE);
        long address = Syscalls.mmap(0, auxSize, prot, Syscalls.MAP_SHARED, fd, offset);
        if (address < 0) {
            throw mapFailed((int) -address, fd, auxSize, auxPages, true);
        }
        return MemorySegment.ofAddress(address).reinterpret(auxSize, arena, s -> Syscalls.munmap(address, auxSize));
    }

    /** A buffer over memory the caller laid out like a mapping (tests, replays): never unmapped. */
    static RingBuffer over(MemorySegment mapping, long pageSize, boolean overwrite) {
        Arena arena = Arena.ofShared();
        return new RingBuffer(-1, arena, mapping, pageSize, overwrite, MemorySegment.NULL);
    }

    /** Refuses a page count that is not a power of two from 1 to {@link #MAX_DATA_PAGES}. */
    static void requireDataPages(int pages) {
        if (pages <= 0 || pages > MAX_DATA_PAGES || Integer.bitCount(pages) != 1) {
            throw new IllegalArgumentException("a ring buffer has 2^n data pages (1, 2, 4, ... " + MAX_DATA_PAGES
                    + ") after its metadata page, not " + pages);
        }
    }

    private static PerfEventException mapFailed(int errno, int fd, long length, int pages, boolean isAux) {
        String call = "mmap(" + (isAux ? "AUX area, " : "") + length + " bytes, fd " + fd + ")";
        String hint = switch (errno) {
            case Errno.EPERM, Errno.ENOMEM -> "the buffer (" + pages + " pages) is over what an unprivileged user may "
                    + "lock: kernel.perf_event_mlock_kb (" + sysctl("perf_event_mlock_kb") + " KiB) for each online "
                    + "CPU, and beyond that RLIMIT_MEMLOCK (ulimit -l); use fewer pages, or give the process "
                    + "CAP_IPC_LOCK or CAP_PERFMON";
            case Errno.EOPNOTSUPP -> isAux ? "this event's PMU does not trace into an AUX area (only PMUs such as "
                    + "intel_pt, arm_spe and cs_etm do); leave auxPages at 0" : "";
            case Errno.EINVAL -> isAux ? "the AUX area must follow the data and be 2^n pages"
                    : "an inherited event opened on every CPU (cpu -1) cannot be mapped: open one per CPU";
            case Errno.EBUSY -> "the fd is mapped already, or its output is redirected to another event";
            case Errno.ENODEV -> "fd " + fd + " is not a perf event";
            default -> "";
        };
        return CountingAccess.counting().failure(errno, call, hint);
    }

    /** {@return the value of {@code /proc/sys/kernel/<name>}, or "unknown"} */
    static String sysctl(String name) {
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/kernel", name))) {
            String line = r.readLine();
            return line == null ? "unknown" : line.trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** {@return the fd this buffer maps, or -1 for a buffer over memory} */
    public int fd() {
        return fd;
    }

    /** {@return the size of the data area in bytes} */
    public long dataSize() {
        return dataSize;
    }

    /** {@return whether the buffer is in overwrite mode} */
    public boolean overwrite() {
        return overwrite;
    }

    /**
     * {@return the metadata page, {@code struct perf_event_mmap_page}; invalid after close, read-only in overwrite
     * mode (which the kernel maps read-only)}
     */
    public MemorySegment metadata() {
        return metadata;
    }

    /** {@return the AUX area, or {@link MemorySegment#NULL} when none is mapped; invalid after close} */
    public MemorySegment aux() {
        return aux;
    }

    /** {@return {@code data_head}, read with acquire semantics} */
    public long head() {
        return (long) LONG.getAcquire(metadata, HEAD);
    }

    /** {@return {@code data_tail}} */
    public long tail() {
        return (long) LONG.getAcquire(metadata, TAIL);
    }

    /** {@return the bytes written and not yet consumed} */
    public long unread() {
        return head() - position;
    }

    /**
     * Moves to the next record. When the records of the last {@code data_head} are used up, gives their room back
     * ({@link #release()}) and reads {@code data_head} again. The record is at {@link #recordSegment()} and
     * {@link #recordOffset()}, contiguous, until the next call.
     *
     * @return whether there is one
     * @throws MalformedRecordException if the buffer does not hold what the kernel writes (a size below 8 or not a
     *     multiple of 8, a record past {@code data_head}, a head behind the tail or more than the buffer ahead)
     */
    boolean nextRecord() {
        if (position == head) {
            release(); // every record read so far, the caller's current one included: it has moved on
            head = head();
            long unread = head - position;
            if (unread < 0 || unread > dataSize) {
                throw new MalformedRecordException(position, "data_head " + head + " is not within " + dataSize
                        + " bytes ahead of the reader at " + position);
            }
            if (unread == 0) {
                return false;
            }
        }
        int size = recordAt(position, head - position);
        position += size;
        return true;
    }

    /** Positions {@link #recordSegment} on the record at ring position {@code at}; returns its size. */
    private int recordAt(long at, long available) {
        long offset = at & mask;
        if ((at & 7) != 0) {
            throw new MalformedRecordException(at, "a record starts at ring position " + at + ", not a multiple of 8: "
                    + "the kernel writes records of multiples of 8 bytes from 0, so data_head or data_tail is corrupt");
        }
        if (available < HEADER_SIZE) {
            throw new MalformedRecordException(at, available + " bytes left, less than a record header");
        }
        int size = Short.toUnsignedInt(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset + 6));
        if (size < HEADER_SIZE || (size & 7) != 0 || size > available) {
            throw new MalformedRecordException(at, "record size " + size + " (type "
                    + data.get(ValueLayout.JAVA_INT_UNALIGNED, offset) + ") with " + available
                    + " bytes left: the kernel writes sizes of at least 8, in multiples of 8");
        }
        if (offset + size <= dataSize) {
            recordSegment = data;
            recordOffset = offset;
        } else {
            long first = dataSize - offset;
            MemorySegment.copy(data, offset, scratch, 0, first);
            MemorySegment.copy(data, 0, scratch, first, size - first);
            recordSegment = scratch;
            recordOffset = 0;
            wrapped++;
        }
        return size;
    }

    /** {@return how many records crossed the end of the data area} */
    long wrapped() {
        return wrapped;
    }

    /** {@return the segment that holds the current record} */
    MemorySegment recordSegment() {
        return recordSegment;
    }

    /** {@return the offset of the current record in {@link #recordSegment()}} */
    long recordOffset() {
        return recordOffset;
    }

    /**
     * Gives the room of every record read so far back to the kernel: writes {@code data_tail} with release
     * semantics. Records read before stay valid only until this call.
     */
    void release() {
        if (!overwrite) {
            LONG.setRelease(metadata, TAIL, position);
        }
    }

    /**
     * Overwrite mode: walks what the buffer holds, from {@code data_head} (the newest record) towards the oldest that
     * is still whole, and gives {@code sink} each record, oldest first. The caller pauses the output around it.
     *
     * @return the number of records
     */
    int readBackward(RecordSink sink) {
        long start = head();
        // data_head counts down from 0: -start bytes have been written, the newest at start.
        long written = -start;
        long span = Long.compareUnsigned(written, dataSize) < 0 ? written : dataSize;
        int count = 0;
        long at = start;
        if ((start & 7) != 0) {
            throw new MalformedRecordException(start, "data_head " + start + " is not a multiple of 8: the kernel "
                    + "writes records of multiples of 8 bytes, so the head is corrupt");
        }
        while (at - start < span) {
            long left = span - (at - start);
            int size = Short.toUnsignedInt(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, (at & mask) + 6));
            if (size == 0 || size > left) {
                break; // the oldest record is partly overwritten, or the area was never written
            }
            if (count == backwardPositions.length) {
                backwardPositions = Arrays.copyOf(backwardPositions, count * 2);
            }
            backwardPositions[count++] = at;
            recordAt(at, left);
            at += size;
        }
        for (int i = count - 1; i >= 0; i--) {
            long recordStart = backwardPositions[i];
            recordAt(recordStart, span - (recordStart - start));
            sink.accept(recordSegment, recordOffset);
        }
        return count;
    }

    /**
     * {@code PERF_EVENT_IOC_PAUSE_OUTPUT}: stops (or resumes) the kernel's writing into this buffer; samples that
     * come while paused are counted as lost and reported by a LOST record after the resume.
     *
     * @param pause whether to pause
     * @throws PerfEventException if the kernel refuses
     */
    public void pauseOutput(boolean pause) {
        int result = Syscalls.pauseOutput(fd, pause ? 1 : 0);
        if (result < 0) {
            throw CountingAccess.counting().failure(-result, "ioctl(" + fd + ", PERF_EVENT_IOC_PAUSE_OUTPUT, "
                    + (pause ? 1 : 0) + ")", "");
        }
    }

    /** {@return whether {@link #close()} has run} */
    public boolean isClosed() {
        return closed;
    }

    /** Unmaps the buffer (and its AUX area) once; every segment of it is invalid afterwards. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    /** {@return the size and mode, such as {@code RingBuffer[fd 12, 262144 bytes]}} */
    @Override
    public String toString() {
        return "RingBuffer[fd " + fd + ", " + dataSize + " bytes" + (overwrite ? ", overwrite" : "")
                + (closed ? ", closed" : "") + "]";
    }

    /** Receives records read from a buffer, each contiguous at {@code offset} in {@code segment}. */
    interface RecordSink {
        void accept(MemorySegment segment, long offset);
    }
}
