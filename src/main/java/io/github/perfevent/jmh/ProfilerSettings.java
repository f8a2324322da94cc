/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.jmh;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The options of {@link PerfEventProfiler}, parsed from the text after the profiler's name in
 * {@code -prof io.github.perfevent.jmh.PerfEventProfiler:OPTIONS}. Parsing is plain Java: it never loads the
 * library's event tables or bindings, so it can run in JMH's host JVM, which has no native access. Whether the
 * events exist on this machine is found out in the benchmark's JVM.
 *
 * @param events the perf event names, in the order given, without duplicates
 * @param verbose whether to print, at each measurement iteration, which threads are counted
 */
record ProfilerSettings(List<String> events, boolean verbose) {

    /** Events every Linux machine can count, also in a VM without a hardware PMU. */
    static final List<String> DEFAULT_EVENTS = List.of("task-clock", "context-switches", "cpu-migrations",
            "page-faults");

    /** The options and what they do, as {@code -prof io.github.perfevent.jmh.PerfEventProfiler:help} prints them. */
    static final String HELP = """
            Usage: -prof io.github.perfevent.jmh.PerfEventProfiler[:OPTION[;OPTION...]]
            Counts perf events (perf_event_open(2), in-process, no perf binary) of the benchmark's own worker threads
            during measurement iterations only, and reports each event per operation and in total.
            Options (separated by ';', as JMH's own profilers take them; quote the -prof argument in a shell):
              events=NAME[,NAME...]  the events, as `perf stat -e` takes them: task-clock, page-faults, cycles:u,
                                     L1-dcache-load-misses, sched:sched_switch, msr/tsc/ ... (a comma inside
                                     /.../ belongs to the event); default: %s
              verbose=true|false     print the threads counted at each measurement iteration (default false)
              help                   print this text
            Results, for each event E: perf.E (per operation, averaged over iterations), perf.E.total (summed
            over measurement iterations), and perf.E.running (percentage of the enabled time the event was
            counted) when the kernel multiplexed it.
            """.formatted(String.join(",", DEFAULT_EVENTS));

    ProfilerSettings {
        events = List.copyOf(events);
    }

    /**
     * Parses {@code -prof} options.
     *
     * @param line the text after {@code PerfEventProfiler:}, or empty for the defaults
     * @return the settings
     * @throws IllegalArgumentException with a message that says what is wrong (or that is {@link #HELP} for
     *     {@code help})
     */
    static ProfilerSettings parse(String line) {
        Objects.requireNonNull(line, "line");
        List<String> events = DEFAULT_EVENTS;
        boolean verbose = false;
        Set<String> seen = new LinkedHashSet<>();
        for (String option : line.split(";", -1)) {
            String trimmed = option.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            String[] keyValue = trimmed.split("=", 2);
            String key = keyValue[0].strip();
            String value = keyValue.length == 2 ? keyValue[1].strip() : null;
            if (key.equals("help")) {
                throw new IllegalArgumentException(HELP);
            }
            if (!seen.add(key)) {
                throw new IllegalArgumentException("option '" + key + "' is given twice in '" + line + "'");
            }
            switch (key) {
                case "events" -> events = eventList(requireValue(key, value));
                case "verbose" -> verbose = bool(key, requireValue(key, value));
                default -> throw new IllegalArgumentException("unknown option '" + key + "' in '" + line
                        + "'; options: events=NAME[,NAME...], verbose=true|false, help");
            }
        }
        return new ProfilerSettings(events, verbose);
    }

    private static String requireValue(String key, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("option '" + key + "' needs a value: " + key + "=...");
        }
        return value;
    }

    private static boolean bool(String key, String value) {
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("option '" + key + "' is true or false, not '" + value
                    + "'");
        };
    }

    /**
     * Splits an event list at the commas that are not inside a PMU event's {@code /.../} (as
     * {@code cpu/event=0x3c,umask=0/} has), as {@code perf stat -e} does; a breakpoint's length
     * ({@code mem:0x1000/8:w}) is not such a pair. Names are stripped of surrounding spaces.
     */
    static List<String> eventList(String value) {
        List<String> names = new ArrayList<>();
        boolean insidePmuTerms = false;
        int start = 0;
        for (int i = 0; i <= value.length(); i++) {
            if (i == value.length() || value.charAt(i) == ',' && !insidePmuTerms) {
                String name = value.substring(start, i).strip();
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("empty event name in events=" + value);
                }
                if (names.contains(name)) {
                    throw new IllegalArgumentException("event '" + name + "' is given twice in events=" + value);
                }
                names.add(name);
                start = i + 1;
            } else if (value.charAt(i) == '/' && !value.substring(start, i).stripLeading().startsWith("mem:")) {
                insidePmuTerms = !insidePmuTerms; // a breakpoint's one '/' (mem:ADDR/LEN) opens nothing
            }
        }
        return names;
    }
}
