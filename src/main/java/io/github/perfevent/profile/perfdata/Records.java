/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile.perfdata;

import io.github.perfevent.sampling.SampleField;
import io.github.perfevent.sampling.SampleFormat;
import io.github.perfevent.sys.bindings.perf_event_h;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * The records {@code perf record} synthesizes for what existed before the recording, laid out as the kernel writes
 * them (perf_event_open(2), "MMAP layout"): {@code PERF_RECORD_COMM} and {@code PERF_RECORD_MMAP2}, each with the
 * {@code struct sample_id} of the attr's {@code sample_type} when {@code sample_id_all} is set.
 */
final class Records {

    private static final int HEADER = 8;
    /** MMAP2 up to its filename: header, pid, tid, addr, len, pgoff, maj, min, ino, ino_generation, prot, flags. */
    private static final int MMAP2_FIXED = HEADER + 4 + 4 + 8 + 8 + 8 + 4 + 4 + 8 + 8 + 4 + 4;
    /** MMAP up to its filename: header, pid, tid, addr, len, pgoff. */
    private static final int MMAP_FIXED = HEADER + 4 + 4 + 8 + 8 + 8;
    /** The kernel's map as perf names it, with its reference symbol. */
    static final String KERNEL_TEXT = "[kernel.kallsyms]_text";
    /** COMM up to its name: header, pid, tid. */
    private static final int COMM_FIXED = HEADER + 4 + 4;
    private static final int MAX_RECORD = 0xffff & ~7;

    private Records() {
    }

    /** A record of {@code size} bytes, zeroed, with its header written. */
    static MemorySegment header(int type, int misc, int size) {
        MemorySegment record = MemorySegment.ofArray(new long[size / Long.BYTES]);
        record.set(ValueLayout.JAVA_INT, 0, type);
        record.set(ValueLayout.JAVA_SHORT, 4, (short) misc);
        record.set(ValueLayout.JAVA_SHORT, 6, (short) size);
        return record;
    }

    /** {@code PERF_RECORD_COMM} of thread {@code tid} of {@code pid} named {@code comm} (its bytes as ISO-8859-1). */
    static MemorySegment comm(int pid, int tid, String comm, SampleFormat format) {
        byte[] name = comm.getBytes(StandardCharsets.ISO_8859_1);
        int nameSize = padded(name.length + 1);
        MemorySegment record = header(perf_event_h.PERF_RECORD_COMM(), 0,
                checked(COMM_FIXED + nameSize + trailerSize(format), comm));
        record.set(ValueLayout.JAVA_INT, HEADER, pid);
        record.set(ValueLayout.JAVA_INT, HEADER + 4, tid);
        MemorySegment.copy(name, 0, record, ValueLayout.JAVA_BYTE, COMM_FIXED, name.length);
        writeTrailer(record, COMM_FIXED + nameSize, pid, tid, format);
        return record;
    }

    /**
     * {@code PERF_RECORD_MMAP2} of {@code mapping} in {@code pid}, by its device and inode, as a user mapping; the
     * filename's chars are its bytes (ISO-8859-1), as read from {@code /proc}.
     */
    static MemorySegment mmap2(int pid, int tid, ProcMaps.Mapping mapping, SampleFormat format) {
        byte[] name = mapping.filename().getBytes(StandardCharsets.ISO_8859_1);
        int nameSize = padded(name.length + 1);
        MemorySegment record = header(perf_event_h.PERF_RECORD_MMAP2(), perf_event_h.PERF_RECORD_MISC_USER(),
                checked(MMAP2_FIXED + nameSize + trailerSize(format), mapping.filename()));
        long at = HEADER;
        record.set(ValueLayout.JAVA_INT, at, pid);
        record.set(ValueLayout.JAVA_INT, at + 4, tid);
        record.set(ValueLayout.JAVA_LONG, at + 8, mapping.start());
        record.set(ValueLayout.JAVA_LONG, at + 16, mapping.end() - mapping.start());
        record.set(ValueLayout.JAVA_LONG, at + 24, mapping.offset());
        record.set(ValueLayout.JAVA_INT, at + 32, mapping.major());
        record.set(ValueLayout.JAVA_INT, at + 36, mapping.minor());
        record.set(ValueLayout.JAVA_LONG, at + 40, mapping.inode());
        // ino_generation (at + 48) is unknown from /proc and stays 0, as perf leaves it
        record.set(ValueLayout.JAVA_INT, at + 56, mapping.prot());
        record.set(ValueLayout.JAVA_INT, at + 60, mapping.flags());
        MemorySegment.copy(name, 0, record, ValueLayout.JAVA_BYTE, MMAP2_FIXED, name.length);
        writeTrailer(record, MMAP2_FIXED + nameSize, pid, tid, format);
        return record;
    }

    /**
     * {@code PERF_RECORD_MMAP} of the kernel's text as perf synthesizes it: pid -1 (perf's host kernel), tid 0,
     * {@code PERF_RECORD_MISC_KERNEL}, the name {@code [kernel.kallsyms]_text} whose part after the bracket is the
     * reference symbol, and that symbol's address as the offset.
     */
    static MemorySegment kernelMmap(long text, long length, SampleFormat format) {
        byte[] name = KERNEL_TEXT.getBytes(StandardCharsets.US_ASCII);
        int nameSize = padded(name.length + 1);
        MemorySegment record = header(perf_event_h.PERF_RECORD_MMAP(), perf_event_h.PERF_RECORD_MISC_KERNEL(),
                MMAP_FIXED + nameSize + trailerSize(format));
        record.set(ValueLayout.JAVA_INT, HEADER, -1);
        record.set(ValueLayout.JAVA_LONG, HEADER + 8, text);
        record.set(ValueLayout.JAVA_LONG, HEADER + 16, length);
        record.set(ValueLayout.JAVA_LONG, HEADER + 24, text);
        MemorySegment.copy(name, 0, record, ValueLayout.JAVA_BYTE, MMAP_FIXED, name.length);
        writeTrailer(record, MMAP_FIXED + nameSize, -1, 0, format);
        return record;
    }

    /** The bytes of the {@code sample_id} of {@code format}: none without {@code sample_id_all}. */
    static int trailerSize(SampleFormat format) {
        return format.sampleIdAll() ? format.sampleIdSize() : 0;
    }

    /**
     * The {@code struct sample_id} at {@code at}: {@code { pid, tid }}, {@code time}, {@code id},
     * {@code stream_id}, {@code { cpu, res }}, {@code id} (IDENTIFIER), each when the sample_type has it; all zero
     * but pid and tid, as perf's synthesized records are (a time of 0 makes perf process the record where it is).
     */
    private static void writeTrailer(MemorySegment record, long at, int pid, int tid, SampleFormat format) {
        if (format.sampleIdAll() && format.has(SampleField.TID)) {
            record.set(ValueLayout.JAVA_INT, at, pid);
            record.set(ValueLayout.JAVA_INT, at + 4, tid);
        }
    }

    /** {@code length} rounded up to a multiple of 8, as the kernel pads names in records. */
    static int padded(int length) {
        return (length + 7) & ~7;
    }

    private static int checked(int size, String name) {
        if (size > MAX_RECORD) {
            throw new IllegalArgumentException("a record naming \"" + name + "\" would need " + size
                    + " bytes; header.size holds at most " + MAX_RECORD);
        }
        return size;
    }
}
