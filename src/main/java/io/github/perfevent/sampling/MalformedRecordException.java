/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

/**
 * The bytes are not a record stream the kernel writes (perf_event_open(2), "MMAP layout"): a
 * {@code perf_event_header.size} under 8 (such as 0) or not a multiple of 8, a record that runs past the end of
 * the memory it is in, or a body shorter than its format needs (a callchain, branch stack, read group, raw or
 * stack dump whose count does not fit the record; a record shorter than its fixed fields and its
 * {@code sample_id}). Nothing is read outside the record or the segment when this is thrown.
 *
 * <p>The kernel never writes such a record into a ring buffer it owns; seeing one means the bytes come from
 * elsewhere (a file, a corrupted copy) or were read with the wrong {@link SampleFormat} (not the attr of the event
 * that wrote them).
 */
public final class MalformedRecordException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Where the faulty record begins. */
    private final long offset;
    /** What is wrong with it. */
    private final String reason;

    /**
     * Describes a malformed record.
     *
     * @param offset where the faulty record begins, in the memory it was read from
     * @param reason what is wrong with it
     */
    public MalformedRecordException(long offset, String reason) {
        super("malformed record at offset " + offset + ": " + reason);
        this.offset = offset;
        this.reason = reason;
    }

    /** {@return the offset of the faulty record's header in the memory it was read from} */
    public long offset() {
        return offset;
    }

    /** {@return what is wrong with the record} */
    public String reason() {
        return reason;
    }
}
