/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Decoding a whole buffer of records at once, for code that is not a hot loop. */
public final class Records {

    private Records() {
    }

    /**
     * {@return every record of {@code segment}, in order, as plain Java records (a type the header does not define
     * as a {@link PerfRecord.Unknown})}
     *
     * @param segment consecutive records filling it exactly, such as the bytes drained from a ring buffer
     * @param format the format of the event that wrote them
     * @throws MalformedRecordException if the bytes are not a record stream the kernel writes
     * @throws NullPointerException if an argument is null
     */
    public static List<PerfRecord> decodeAll(MemorySegment segment, SampleFormat format) {
        Objects.requireNonNull(segment, "segment");
        RecordCursor cursor = RecordCursor.of(format).walk(segment);
        List<PerfRecord> records = new ArrayList<>();
        while (cursor.next()) {
            records.add(cursor.toRecord());
        }
        return records;
    }
}
