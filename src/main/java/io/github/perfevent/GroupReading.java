/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import java.util.List;

/**
 * One read of a {@link Group}: every member's count from a single {@code read(2)} of the leader with
 * {@code PERF_FORMAT_GROUP}, so the counts cover exactly the same interval (perf_event_open(2), "Reading results").
 * The times are the group's; ids and lost counts are per member, as the read format asked. For a group over several
 * threads or CPUs, each member's values (and the times) are summed over them.
 *
 * <p>A mutable holder, made by {@link Group#newReading()} and filled in place by {@link Group#read(GroupReading)}:
 * repeated reads allocate nothing. Scaling works as in {@link Reading}; members of one group are scheduled together,
 * so they share one {@code time_running}. Not thread-safe.
 */
public final class GroupReading extends ReadingBase {

    private final List<Event> events;
    final long[] values;
    final long[] ids;
    final long[] lost;
    final long[] scaledValues;

    GroupReading(List<Event> events) {
        super("group");
        this.events = events;
        int n = events.size();
        values = new long[n];
        ids = new long[n];
        lost = new long[n];
        scaledValues = new long[n];
    }

    /** {@return the number of members} */
    public int size() {
        return values.length;
    }

    /**
     * {@return its event}
     *
     * @param member the member's index, in the order the group was opened
     */
    public Event event(int member) {
        return events.get(member);
    }

    /**
     * {@return its count}
     *
     * @param member the member's index
     */
    public long value(int member) {
        requireRead();
        return values[member];
    }

    /**
     * {@return its count scaled to the group's enabled time}
     *
     * @param member the member's index
     * @throws IllegalStateException unless both times were read
     */
    public long scaledValue(int member) {
        requireTimes();
        return scaledValues[member];
    }

    /**
     * {@return its id ({@link ReadFormat#ID})}
     *
     * @param member the member's index
     * @throws IllegalStateException also when the reading sums several threads or CPUs
     */
    public long id(int member) {
        requireSingleSource("Group.read(index, reading)");
        return ids[member];
    }

    /**
     * {@return its lost samples ({@link ReadFormat#LOST})}
     *
     * @param member the member's index
     */
    public long lost(int member) {
        require(ReadFormat.LOST);
        return lost[member];
    }

    /** {@return each member's name and value, such as {@code GroupReading[task-clock=1200, page-faults=3]}} */
    @Override
    public String toString() {
        if (sources == 0) {
            return "GroupReading[unread]";
        }
        StringBuilder s = new StringBuilder("GroupReading[");
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ", ").append(events.get(i).name()).append('=').append(values[i]);
        }
        appendTimes(s);
        return s.append(']').toString();
    }
}
