/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.github.perfevent.sys.bindings.perf_event_header;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Test support: writes records as the kernel does (a {@code perf_event_header} through the generated accessors, then
 * the body field by field, padded to 8 bytes), into native memory; {@link #segment()} copies them into a segment of
 * exactly their size, so that a read past the end fails.
 */
final class RecordBuffer implements AutoCloseable {

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment scratch;
    private long position;
    private long recordStart = -1;

    RecordBuffer() {
        this(1 << 20);
    }

    RecordBuffer(long capacity) {
        scratch = arena.allocate(capacity, Long.BYTES);
    }

    /** Starts a record: a header whose size {@link #end()} fills in. */
    RecordBuffer begin(int type, int misc) {
        recordStart = position;
        MemorySegment header = scratch.asSlice(position, perf_event_header.sizeof());
        perf_event_header.type(header, type);
        perf_event_header.misc(header, (short) misc);
        position += perf_event_header.sizeof();
        return this;
    }

    RecordBuffer begin(RecordType type, int misc) {
        return begin(type.id(), misc);
    }

    RecordBuffer u64(long value) {
        scratch.set(JAVA_LONG_UNALIGNED, position, value);
        position += 8;
        return this;
    }

    RecordBuffer u32(int value) {
        scratch.set(JAVA_INT_UNALIGNED, position, value);
        position += 4;
        return this;
    }

    RecordBuffer u16(int value) {
        scratch.set(JAVA_SHORT_UNALIGNED, position, (short) value);
        position += 2;
        return this;
    }

    RecordBuffer u8(int value) {
        scratch.set(JAVA_BYTE, position, (byte) value);
        position += 1;
        return this;
    }

    RecordBuffer bytes(byte[] bytes) {
        MemorySegment.copy(bytes, 0, scratch, JAVA_BYTE, position, bytes.length);
        position += bytes.length;
        return this;
    }

    /** The bytes of a struct made with a generated layout. */
    RecordBuffer struct(MemorySegment struct) {
        scratch.asSlice(position, struct.byteSize()).copyFrom(struct);
        position += struct.byteSize();
        return this;
    }

    /** A NUL-terminated string padded with NULs to 8 bytes, as the kernel writes file names and comms. */
    RecordBuffer string(String s) {
        bytes(s.getBytes(StandardCharsets.UTF_8));
        u8(0);
        return pad();
    }

    RecordBuffer pad() {
        while ((position - Math.max(recordStart, 0)) % 8 != 0) {
            u8(0);
        }
        return this;
    }

    /** The struct sample_id of {@code format} with the values of {@code id}. */
    RecordBuffer sampleId(SampleFormat format, PerfRecord.SampleId id) {
        if (!format.sampleIdAll()) {
            return this;
        }
        if (format.has(SampleField.TID)) {
            u32(id.pid()).u32(id.tid());
        }
        if (format.has(SampleField.TIME)) {
            u64(id.time());
        }
        if (format.has(SampleField.ID)) {
            u64(id.id());
        }
        if (format.has(SampleField.STREAM_ID)) {
            u64(id.streamId());
        }
        if (format.has(SampleField.CPU)) {
            u32(id.cpu()).u32(0);
        }
        if (format.has(SampleField.IDENTIFIER)) {
            u64(id.identifier());
        }
        return this;
    }

    /** Ends the record: pads it to 8 bytes and writes its size; returns its offset. */
    long end() {
        pad();
        long size = position - recordStart;
        perf_event_header.size(scratch.asSlice(recordStart, perf_event_header.sizeof()), (short) size);
        long start = recordStart;
        recordStart = -1;
        return start;
    }

    long position() {
        return position;
    }

    /** The records written so far, in a new segment of exactly their size. */
    MemorySegment segment() {
        MemorySegment exact = arena.allocate(Math.max(position, 0), Long.BYTES);
        exact.copyFrom(scratch.asSlice(0, position));
        return exact;
    }

    Arena arena() {
        return arena;
    }

    @Override
    public void close() {
        arena.close();
    }
}
