/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.cli;

import io.github.perfevent.Counter;
import io.github.perfevent.Event;
import io.github.perfevent.Options;
import io.github.perfevent.PerfEventException;
import io.github.perfevent.Reading;
import io.github.perfevent.Target;
import io.github.perfevent.sys.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One counter per event and target, as perf stat opens them (each event on its own, not as a group). An event the
 * kernel refuses as not supported here (ENOENT: no hardware PMU; EOPNOTSUPP, EINVAL, ENOSYS, ENODEV) is kept as
 * {@code <not supported>}, as perf does; any other refusal (permissions, a vanished process) is thrown.
 */
final class CounterSet implements AutoCloseable {

    /** The errnos perf stat reports as {@code <not supported>} rather than failing (builtin-stat.c). */
    private static final Set<Integer> NOT_SUPPORTED = Set.of(Errno.ENOENT, Errno.EOPNOTSUPP, Errno.EINVAL,
            Errno.ENOSYS, Errno.ENODEV);

    /**
     * An event to count.
     *
     * @param name the name as the user wrote it
     * @param event the parsed event
     * @param role what it is to the derived figures
     */
    record Spec(String name, Event event, StatFormat.Role role) {

        /** {@return the spec of {@code name}, parsed by {@link Event#parse}} */
        static Spec of(String name) {
            Event event = Event.parse(name);
            return new Spec(name, event, role(event));
        }

        static StatFormat.Role role(Event event) {
            if (same(event, Event.Software.TASK_CLOCK.event()) || same(event, Event.Software.CPU_CLOCK.event())) {
                return StatFormat.Role.CLOCK;
            }
            if (same(event, Event.Hardware.CPU_CYCLES.event())) {
                return StatFormat.Role.CYCLES;
            }
            if (same(event, Event.Hardware.INSTRUCTIONS.event())) {
                return StatFormat.Role.INSTRUCTIONS;
            }
            if (same(event, Event.Hardware.BRANCH_INSTRUCTIONS.event())) {
                return StatFormat.Role.BRANCHES;
            }
            if (same(event, Event.Hardware.BRANCH_MISSES.event())) {
                return StatFormat.Role.BRANCH_MISSES;
            }
            return StatFormat.Role.OTHER;
        }

        private static boolean same(Event a, Event b) {
            return a.type() == b.type() && a.config() == b.config();
        }
    }

    private final List<Spec> specs;
    /** Per spec, its counters (one per target); empty when the event is not supported here. */
    private final List<List<Counter>> counters;
    private final Reading reading = new Reading();

    private CounterSet(List<Spec> specs, List<List<Counter>> counters) {
        this.specs = specs;
        this.counters = counters;
    }

    /**
     * Opens every event on every target, disabled (a child process's counters enable themselves at its exec).
     *
     * @throws PerfEventException when the kernel refuses an event for a reason other than "not supported"
     */
    static CounterSet open(List<Spec> specs, List<Target> targets, Options options) {
        List<List<Counter>> all = new ArrayList<>();
        CounterSet set = new CounterSet(specs, all);
        try {
            for (Spec spec : specs) {
                List<Counter> perTarget = new ArrayList<>();
                all.add(perTarget);
                for (Target target : targets) {
                    try {
                        perTarget.add(Counter.open(spec.event(), target, options));
                    } catch (PerfEventException e) {
                        if (!NOT_SUPPORTED.contains(e.errno())) {
                            throw e;
                        }
                        perTarget.forEach(Counter::close);
                        perTarget.clear();
                        break;
                    }
                }
            }
            return set;
        } catch (RuntimeException | Error e) {
            set.close();
            throw e;
        }
    }

    /** Enables every counter (for targets other than a child process, whose counters start at its exec). */
    void enable() {
        counters.forEach(list -> list.forEach(Counter::enable));
    }

    /** Disables every counter. */
    void disable() {
        counters.forEach(list -> list.forEach(Counter::disable));
    }

    /**
     * Reads every event, summed over its targets.
     *
     * @return per event: value, time enabled, time running; all 0 for an event that is not supported
     */
    long[][] read() {
        long[][] values = new long[specs.size()][3];
        for (int i = 0; i < specs.size(); i++) {
            for (Counter counter : counters.get(i)) {
                counter.read(reading);
                values[i][0] += reading.value();
                values[i][1] += reading.timeEnabled();
                values[i][2] += reading.timeRunning();
            }
        }
        return values;
    }

    /** {@return whether event {@code index} could be opened here} */
    boolean supported(int index) {
        return !counters.get(index).isEmpty();
    }

    /** {@return the events} */
    List<Spec> specs() {
        return specs;
    }

    @Override
    public void close() {
        counters.forEach(list -> list.forEach(Counter::close));
    }
}
