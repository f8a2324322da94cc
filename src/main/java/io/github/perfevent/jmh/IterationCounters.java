/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.jmh;

import io.github.perfevent.Counter;
import io.github.perfevent.Event;
import io.github.perfevent.Options;
import io.github.perfevent.PerfEventException;
import io.github.perfevent.Reading;
import io.github.perfevent.Target;
import io.github.perfevent.sys.Errno;
import java.util.ArrayList;
import java.util.List;

/**
 * The counters of one measurement iteration: for each event, either one counter per worker thread
 * ({@link #onThreads}), or, before any worker exists, an {@code inherit} counter on the calling thread with a plain
 * one beside it whose count is subtracted ({@link #onThreadsStartedByCaller}), so that what remains is what the
 * threads the caller starts during the iteration did. Opened disabled; {@link #enable()} starts them all,
 * {@link #stop()} stops and reads them. Not thread-safe: JMH calls a profiler from its runner thread only.
 */
final class IterationCounters implements AutoCloseable {

    private final List<String> names;
    /** For each event, the counters whose scaled counts are summed. */
    private final List<List<Counter>> added = new ArrayList<>();
    /** For each event, the counters whose counts are subtracted (empty on worker threads). */
    private final List<List<Counter>> subtracted = new ArrayList<>();
    private final List<String> counted;

    private IterationCounters(List<String> names, List<String> counted) {
        this.names = names;
        this.counted = counted;
    }

    /**
     * Opens a counter of each event on each live thread of {@code threads}; a thread that ends before its counter
     * is opened is left out (its work is over). {@link #counted()} names them without {@code namePrefix}.
     *
     * @throws PerfEventException (or another exception of {@link Counter#open}) when a counter cannot be opened on
     *     a live thread; then nothing stays open
     */
    static IterationCounters onThreads(List<String> names, List<Event> events, List<Thread> threads,
            String namePrefix) {
        List<String> counted = new ArrayList<>();
        IterationCounters counters = new IterationCounters(names, counted);
        try {
            for (Event event : events) {
                List<Counter> perThread = new ArrayList<>();
                counters.added.add(perThread);
                counters.subtracted.add(List.of());
                for (Thread thread : threads) {
                    Counter counter = openUnlessEnded(event, thread);
                    if (counter != null) {
                        perThread.add(counter);
                        if (counters.added.size() == 1) {
                            counted.add(shortName(thread.getName(), namePrefix) + " (" + counter.label(0) + ")");
                        }
                    }
                }
            }
            return counters;
        } catch (RuntimeException | Error e) {
            counters.close();
            throw e;
        }
    }

    /** {@return a thread's name without {@code prefix} and the dash after it, when it starts with them} */
    static String shortName(String name, String prefix) {
        return name.startsWith(prefix + "-") ? name.substring(prefix.length() + 1) : name;
    }

    /** A counter of {@code event} on {@code thread}, or {@code null} when the thread has ended. */
    private static Counter openUnlessEnded(Event event, Thread thread) {
        try {
            return Counter.open(event, Target.thread(thread));
        } catch (IllegalStateException | PerfEventException e) {
            boolean ended = e instanceof PerfEventException p ? p.errno() == Errno.ESRCH : !thread.isAlive();
            if (ended) {
                return null;
            }
            throw e;
        }
    }

    /**
     * Opens, for each event, an {@code inherit} counter on the calling thread and a plain one: the first counts
     * the caller and every thread it starts from now on (and their threads), the second the caller alone.
     *
     * @throws PerfEventException (or another exception of {@link Counter#open}) when a counter cannot be opened;
     *     then nothing stays open
     */
    static IterationCounters onThreadsStartedByCaller(List<String> names, List<Event> events) {
        IterationCounters counters = new IterationCounters(names,
                List.of("threads started by " + Thread.currentThread().getName() + " from now on"));
        try {
            for (Event event : events) {
                List<Counter> inherited = new ArrayList<>(1);
                counters.added.add(inherited);
                inherited.add(Counter.open(event, Target.currentThread(), Options.defaults().inherit(true)));
                List<Counter> caller = new ArrayList<>(1);
                counters.subtracted.add(caller);
                caller.add(Counter.open(event, Target.currentThread()));
            }
            return counters;
        } catch (RuntimeException | Error e) {
            counters.close();
            throw e;
        }
    }

    /** {@return the threads counted, for people: names and tids} */
    List<String> counted() {
        return counted;
    }

    /**
     * Starts every counter: the subtracted ones last (and {@link #stop()} stops them first), so that an inherit
     * counter spans the plain one beside it: their difference is never negative, and of the caller's own work it
     * holds only the few system calls between the two enables and the two disables.
     */
    void enable() {
        added.forEach(list -> list.forEach(Counter::enable));
        subtracted.forEach(list -> list.forEach(Counter::enable));
    }

    /**
     * Stops every counter and reads it.
     *
     * @return one tally per event, in the order of the events
     */
    List<EventTally> stop() {
        subtracted.forEach(list -> list.forEach(Counter::disable));
        added.forEach(list -> list.forEach(Counter::disable));
        Reading reading = new Reading();
        List<EventTally> tallies = new ArrayList<>(names.size());
        for (int e = 0; e < names.size(); e++) {
            long[] sum = new long[4];
            accumulate(added.get(e), reading, sum, 1);
            accumulate(subtracted.get(e), reading, sum, -1);
            tallies.add(new EventTally(names.get(e), Math.max(0, sum[0]), Math.max(0, sum[1]), Math.max(0, sum[2]),
                    Math.max(0, sum[3])));
        }
        return tallies;
    }

    private static void accumulate(List<Counter> counters, Reading reading, long[] sum, int sign) {
        for (Counter c : counters) {
            c.read(reading);
            sum[0] += sign * reading.value();
            sum[1] += sign * reading.scaledValue();
            sum[2] += sign * reading.timeEnabled();
            sum[3] += sign * reading.timeRunning();
        }
    }

    /** Closes every counter; closing twice is harmless. */
    @Override
    public void close() {
        added.forEach(list -> list.forEach(Counter::close));
        subtracted.forEach(list -> list.forEach(Counter::close));
    }
}
