/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

/**
 * What {@link Reading} and {@link GroupReading} share: the times of a read, whether scaling applied, which
 * {@link ReadFormat}s were read, and from how many fds. Filled by {@link ReadLayout}.
 */
abstract sealed class ReadingBase permits Reading, GroupReading {

    private final String owner;
    long timeEnabled;
    long timeRunning;
    boolean scaled;
    long formatBits;
    int sources;

    /** @param owner what is read, for messages: {@code "counter"} or {@code "group"} */
    ReadingBase(String owner) {
        this.owner = owner;
    }

    /** Empties the holder for a read in {@code formatBits}. */
    void clear(long readFormat) {
        timeEnabled = 0;
        timeRunning = 0;
        scaled = false;
        formatBits = readFormat;
        sources = 0;
    }

    /**
     * {@return nanoseconds the event was enabled ({@link ReadFormat#TOTAL_TIME_ENABLED}), summed over fds}
     *
     * @throws IllegalStateException when the read format lacks it
     */
    public long timeEnabled() {
        require(ReadFormat.TOTAL_TIME_ENABLED);
        return timeEnabled;
    }

    /**
     * {@return nanoseconds the event was counting ({@link ReadFormat#TOTAL_TIME_RUNNING}), summed over fds}
     *
     * @throws IllegalStateException when the read format lacks it
     */
    public long timeRunning() {
        require(ReadFormat.TOTAL_TIME_RUNNING);
        return timeRunning;
    }

    /**
     * {@return whether the event ran for less than its enabled time (it was multiplexed), so that scaled values are
     * estimates}
     *
     * @throws IllegalStateException unless both times were read
     */
    public boolean isScaled() {
        requireTimes();
        return scaled;
    }

    /**
     * {@return whether this reading has the field of {@code format}}
     *
     * @param format a read format
     */
    public boolean has(ReadFormat format) {
        return (formatBits & format.bit()) != 0;
    }

    /** {@return how many fds (threads or CPUs) were summed: 0 before the first read} */
    public int sources() {
        return sources;
    }

    final void requireRead() {
        if (sources == 0) {
            throw new IllegalStateException("nothing was read into this " + getClass().getSimpleName() + " yet");
        }
    }

    final void require(ReadFormat format) {
        requireRead();
        if (!has(format)) {
            throw new IllegalStateException("the " + owner + "'s read format lacks " + format
                    + ": open it with Options.readFormat including ReadFormat." + format);
        }
    }

    final void requireTimes() {
        require(ReadFormat.TOTAL_TIME_ENABLED);
        require(ReadFormat.TOTAL_TIME_RUNNING);
    }

    /** Requires the id of a single fd: ids differ between the fds of a summed reading. */
    final void requireSingleSource(String readOne) {
        require(ReadFormat.ID);
        if (sources != 1) {
            throw new IllegalStateException("this reading sums " + sources + " fds, each with its own id: read one "
                    + "with " + readOne);
        }
    }

    /** Appends the times that were read, for {@code toString}. */
    final void appendTimes(StringBuilder s) {
        if (has(ReadFormat.TOTAL_TIME_ENABLED)) {
            s.append(", enabled=").append(timeEnabled);
        }
        if (has(ReadFormat.TOTAL_TIME_RUNNING)) {
            s.append(", running=").append(timeRunning);
        }
    }
}
