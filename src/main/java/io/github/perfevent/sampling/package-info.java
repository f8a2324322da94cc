/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * Sampling: the records the kernel writes into an event's ring buffer (perf_event_open(2), "MMAP layout"), and
 * their decoding.
 *
 * <h2>Decoding records</h2>
 * A record is a {@code perf_event_header} and a body whose layout depends on its {@link
 * io.github.perfevent.sampling.RecordType} and on the attr of the event that wrote it, captured in a {@link
 * io.github.perfevent.sampling.SampleFormat} ({@code sample_type}, {@code read_format}, {@code sample_id_all},
 * {@code branch_sample_type}, the register masks). Two ways to read them:
 * <ul>
 * <li>{@link io.github.perfevent.sampling.RecordCursor}, a flyweight over the memory that reads every field in
 * place and allocates nothing: for hot loops.
 * {@snippet :
 * RecordCursor cursor = RecordCursor.of(SampleFormat.of(attr)).walk(records);
 * while (cursor.next()) {
 *     if (cursor.recordType() == RecordType.SAMPLE) {
 *         counts.merge(cursor.ip(), 1L, Long::sum);
 *     }
 * }
 * }</li>
 * <li>{@link io.github.perfevent.sampling.PerfRecord}, a sealed interface of plain Java records (one per type,
 * pattern-matchable in a {@code switch}), from {@link io.github.perfevent.sampling.RecordCursor#toRecord()} or
 * {@link io.github.perfevent.sampling.Records#decodeAll}.</li>
 * </ul>
 * Every record type of the pinned Linux 7.2 header is decoded, from one table per type ({@link
 * io.github.perfevent.sampling.RecordType#fields()}, and the order of {@link io.github.perfevent.sampling.SampleField}
 * for samples) that a test checks against the header's text. A type the header does not define is delivered as
 * {@link io.github.perfevent.sampling.RecordType#UNKNOWN} and counted, never an error. Bytes that are not a record
 * stream the kernel writes (a size of 0 or not a multiple of 8, a record past the end, counts that do not fit) are a
 * {@link io.github.perfevent.sampling.MalformedRecordException}; nothing is ever read outside the record.
 *
 * <p>Tracepoint samples carry the tracepoint's fields in their {@code PERF_SAMPLE_RAW} data: {@link
 * io.github.perfevent.sampling.TracepointFormat} reads them by name, as the tracepoint's {@code format} file in
 * tracefs describes them.
 */
package io.github.perfevent.sampling;
