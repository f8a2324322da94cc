/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The layout of what {@code read(2)} returns for a {@code read_format} (the {@code struct read_format} comment of
 * perf_event.h), and its decoding into {@link Reading} and {@link GroupReading}. Every field is a {@code u64}:
 *
 * <pre>
 * single:  value, [time_enabled], [time_running], [id], [lost]
 * group:   nr, [time_enabled], [time_running], nr × { value, [id], [lost] }
 * </pre>
 *
 * Decoding adds into the holder, so that reads of several fds (threads, CPUs) sum up; {@code begin} clears it first.
 */
final class ReadLayout {

    private final long formatBits;
    private final boolean hasEnabled;
    private final boolean hasRunning;
    private final boolean hasId;
    private final boolean hasLost;
    private final int members;
    private final long byteSize;

    /**
     * @param formats the requested {@link ReadFormat}s
     * @param members the number of group members, or 0 for a single event (no {@code PERF_FORMAT_GROUP})
     */
    ReadLayout(long formatBits, int members) {
        this.formatBits = formatBits;
        this.hasEnabled = (formatBits & ReadFormat.TOTAL_TIME_ENABLED.bit()) != 0;
        this.hasRunning = (formatBits & ReadFormat.TOTAL_TIME_RUNNING.bit()) != 0;
        this.hasId = (formatBits & ReadFormat.ID.bit()) != 0;
        this.hasLost = (formatBits & ReadFormat.LOST.bit()) != 0;
        this.members = members;
        long times = (hasEnabled ? 1 : 0) + (hasRunning ? 1 : 0);
        long perValue = 1 + (hasId ? 1 : 0) + (hasLost ? 1 : 0);
        this.byteSize = Long.BYTES * (members == 0 ? perValue + times : 1 + times + members * perValue);
    }

    /** {@return the bytes the kernel writes for this format} */
    long byteSize() {
        return byteSize;
    }

    long formatBits() {
        return formatBits;
    }

    /** The count of a single-event buffer: always its first u64. */
    static long value(MemorySegment buffer) {
        return buffer.get(JAVA_LONG, 0);
    }

    void begin(Reading r) {
        r.clear(formatBits);
        r.value = 0;
        r.id = 0;
        r.lost = 0;
        r.scaledValue = 0;
    }

    /** Adds one single-event buffer to {@code r}. */
    void accumulate(MemorySegment buffer, Reading r) {
        long offset = 0;
        long value = buffer.get(JAVA_LONG, offset);
        offset += Long.BYTES;
        long enabled = 0;
        long running = 0;
        if (hasEnabled) {
            enabled = buffer.get(JAVA_LONG, offset);
            offset += Long.BYTES;
        }
        if (hasRunning) {
            running = buffer.get(JAVA_LONG, offset);
            offset += Long.BYTES;
        }
        if (hasId) {
            r.id = buffer.get(JAVA_LONG, offset);
            offset += Long.BYTES;
        }
        if (hasLost) {
            r.lost += buffer.get(JAVA_LONG, offset);
        }
        r.value += value;
        r.timeEnabled += enabled;
        r.timeRunning += running;
        if (hasEnabled && hasRunning) {
            r.scaledValue += scale(value, enabled, running);
            r.scaled |= running < enabled;
        }
        r.sources++;
    }

    void begin(GroupReading r) {
        r.clear(formatBits);
        Arrays.fill(r.values, 0);
        Arrays.fill(r.ids, 0);
        Arrays.fill(r.lost, 0);
        Arrays.fill(r.scaledValues, 0);
    }

    /**
     * Adds one group buffer to {@code r}.
     *
     * @throws IllegalStateException if the kernel reports another number of members than the group has
     */
    void accumulate(MemorySegment buffer, GroupReading r) {
        long nr = buffer.get(JAVA_LONG, 0);
        if (nr != members) {
            throw new IllegalStateException("the kernel read " + nr + " group members; the group has " + members);
        }
        long offset = Long.BYTES;
        long enabled = 0;
        long running = 0;
        if (hasEnabled) {
            enabled = buffer.get(JAVA_LONG, offset);
            offset += Long.BYTES;
        }
        if (hasRunning) {
            running = buffer.get(JAVA_LONG, offset);
            offset += Long.BYTES;
        }
        for (int i = 0; i < members; i++) {
            long value = buffer.get(JAVA_LONG, offset);
            offset += Long.BYTES;
            r.values[i] += value;
            if (hasId) {
                r.ids[i] = buffer.get(JAVA_LONG, offset);
                offset += Long.BYTES;
            }
            if (hasLost) {
                r.lost[i] += buffer.get(JAVA_LONG, offset);
                offset += Long.BYTES;
            }
            if (hasEnabled && hasRunning) {
                r.scaledValues[i] += scale(value, enabled, running);
            }
        }
        r.timeEnabled += enabled;
        r.timeRunning += running;
        r.scaled |= hasEnabled && hasRunning && running < enabled;
        r.sources++;
    }

    /**
     * {@code value × enabled / running}, exact while the product fits in 63 bits and in double precision beyond;
     * 0 for an event that never ran, {@code value} for one that always ran.
     */
    static long scale(long value, long enabled, long running) {
        if (running == enabled) {
            return value;
        }
        if (running == 0) {
            return 0;
        }
        long high = Math.multiplyHigh(value, enabled);
        long low = value * enabled;
        if (high == 0 && low >= 0) {
            return low / running;
        }
        return (long) ((double) value * ((double) enabled / (double) running));
    }
}
