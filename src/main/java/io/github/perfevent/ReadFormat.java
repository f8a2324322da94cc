/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FORMAT_ID;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FORMAT_LOST;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FORMAT_TOTAL_TIME_ENABLED;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FORMAT_TOTAL_TIME_RUNNING;

import java.util.Set;

/**
 * What a read returns besides the count: the {@code PERF_FORMAT_*} bits of {@code attr.read_format}
 * (perf_event_open(2), "Reading results"). {@code PERF_FORMAT_GROUP} is not here: a {@link Group} sets it.
 *
 * <p>{@link Options#readFormat} selects them; the default is {@link #TOTAL_TIME_ENABLED} and
 * {@link #TOTAL_TIME_RUNNING}, which scaling needs. Each one adds a {@code u64} to what the kernel writes.
 */
public enum ReadFormat {
    /** {@code PERF_FORMAT_TOTAL_TIME_ENABLED}: nanoseconds the event was enabled. */
    TOTAL_TIME_ENABLED(PERF_FORMAT_TOTAL_TIME_ENABLED()),
    /** {@code PERF_FORMAT_TOTAL_TIME_RUNNING}: nanoseconds it was on a counter (less when multiplexed). */
    TOTAL_TIME_RUNNING(PERF_FORMAT_TOTAL_TIME_RUNNING()),
    /** {@code PERF_FORMAT_ID}: the event's unique id, as sampling records report it. */
    ID(PERF_FORMAT_ID()),
    /** {@code PERF_FORMAT_LOST} (Linux 6.0+): the number of samples lost. */
    LOST(PERF_FORMAT_LOST());

    private final long bit;

    ReadFormat(long bit) {
        this.bit = bit;
    }

    /** {@return the {@code PERF_FORMAT_*} bit} */
    public long bit() {
        return bit;
    }

    static long bits(Set<ReadFormat> formats) {
        long bits = 0;
        for (ReadFormat f : formats) {
            bits |= f.bit;
        }
        return bits;
    }
}
