/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

/**
 * One read of a {@link Counter}: the count and, as its {@link Options#readFormat} asked, the time it was enabled and
 * running, its id and the samples it lost (perf_event_open(2), "Reading results"). For a counter over several
 * threads or CPUs, values, times and lost counts are summed over them.
 *
 * <p>A {@code Reading} is a mutable holder that {@link Counter#read(Reading)} fills in place, so a loop of reads
 * allocates nothing. Asking for a field the read format did not include throws {@link IllegalStateException}
 * naming the {@link ReadFormat} to add.
 *
 * <p><b>Scaling.</b> When more events are open than the PMU has counters, the kernel multiplexes them and an event
 * runs only part of the time it is enabled. {@link #scaledValue()} estimates the full count as
 * {@code value × time_enabled / time_running} (per thread or CPU, then summed) and {@link #isScaled()} says
 * whether that estimate differs from the count. A counter that never ran has a scaled value of 0.
 *
 * <p>Not thread-safe: give each thread its own.
 */
public final class Reading extends ReadingBase {

    long value;
    long id;
    long lost;
    long scaledValue;

    /** An empty reading, to be filled by {@link Counter#read(Reading)}. */
    public Reading() {
        super("counter");
    }

    /** {@return the count (summed over the counter's threads or CPUs), as the kernel gave it} */
    public long value() {
        requireRead();
        return value;
    }

    /**
     * {@return the event's id ({@link ReadFormat#ID})}
     *
     * @throws IllegalStateException also when the reading sums several fds, each with its own id
     */
    public long id() {
        requireSingleSource("Counter.read(index, reading)");
        return id;
    }

    /** {@return the number of lost samples ({@link ReadFormat#LOST})} */
    public long lost() {
        require(ReadFormat.LOST);
        return lost;
    }

    /**
     * {@return {@code value × time_enabled / time_running}: the count estimated for the whole enabled time}
     *
     * @throws IllegalStateException unless both times were read
     */
    public long scaledValue() {
        requireTimes();
        return scaledValue;
    }

    /** {@return the fields read, such as {@code Reading[value=5120, enabled=1000, running=1000]}} */
    @Override
    public String toString() {
        if (sources == 0) {
            return "Reading[unread]";
        }
        StringBuilder s = new StringBuilder("Reading[value=").append(value);
        appendTimes(s);
        if (has(ReadFormat.TOTAL_TIME_ENABLED) && has(ReadFormat.TOTAL_TIME_RUNNING) && scaled) {
            s.append(", scaled=").append(scaledValue);
        }
        if (has(ReadFormat.ID) && sources == 1) {
            s.append(", id=").append(id);
        }
        if (has(ReadFormat.LOST)) {
            s.append(", lost=").append(lost);
        }
        if (sources > 1) {
            s.append(", sources=").append(sources);
        }
        return s.append(']').toString();
    }
}
