/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@code stat} command line asks for, checked.
 *
 * @param events the event names, in order (perf 6.1's defaults when none is given)
 * @param targetKind what is counted
 * @param targetIds the pids or tids ({@code -p}, {@code -t}) or CPUs ({@code -C}); empty otherwise
 * @param targetText the target as the user wrote it, for the header
 * @param cgroup the cgroup ({@code -G}), or null
 * @param runs how many times to run the command ({@code -r})
 * @param style how to write the report
 * @param separator the CSV separator ({@code -x})
 * @param output the file to write the report to ({@code -o}), or null for standard error
 * @param timeoutMillis stop after this long ({@code --timeout}), or 0
 * @param intervalMillis print counts at this interval ({@code -I}), or 0
 * @param command the command and its arguments; empty when a target is counted until interrupted
 */
record StatSettings(List<String> events, TargetKind targetKind, List<Integer> targetIds, String targetText,
        String cgroup, int runs, StatFormat.Style style, String separator, Path output, long timeoutMillis,
        long intervalMillis, List<String> command) {

    /** What {@code stat} counts. */
    enum TargetKind {
        /** The command ({@code -- command}), from its exec. */
        COMMAND,
        /** Processes ({@code -p}), every thread of each. */
        PROCESS,
        /** Threads ({@code -t}). */
        THREAD,
        /** Every CPU ({@code -a}), or a cgroup on every CPU ({@code -G}). */
        ALL_CPUS,
        /** Some CPUs ({@code -C}). */
        CPUS
    }

    /** The options of {@code stat}. */
    static final List<OptionParser.Option> OPTIONS = List.of(
            new OptionParser.Option('e', "event", true),
            new OptionParser.Option('p', "pid", true),
            new OptionParser.Option('t', "tid", true),
            new OptionParser.Option('a', "all-cpus", false),
            new OptionParser.Option('C', "cpu", true),
            new OptionParser.Option('G', "cgroup", true),
            new OptionParser.Option('r', "repeat", true),
            new OptionParser.Option('x', "field-separator", true),
            new OptionParser.Option('j', "json", false),
            new OptionParser.Option('o', "output", true),
            new OptionParser.Option('\0', "timeout", true),
            new OptionParser.Option('I', "interval-print", true),
            new OptionParser.Option('h', "help", false));

    /** perf 6.1's default events (the hardware ones print {@code <not supported>} without a PMU). */
    static List<String> defaultEvents(boolean systemWide) {
        return List.of(systemWide ? "cpu-clock" : "task-clock", "context-switches", "cpu-migrations", "page-faults",
                "cycles", "instructions", "branches", "branch-misses");
    }

    /**
     * Checks what the parsed command line says.
     *
     * @throws UsageException when options contradict each other or a value is malformed
     */
    static StatSettings of(OptionParser.Parsed p) throws UsageException {
        List<String> command = p.rest();
        int targets = (p.has("pid") ? 1 : 0) + (p.has("tid") ? 1 : 0) + (p.has("all-cpus") || p.has("cgroup")
                ? 1 : 0) + (p.has("cpu") && !p.has("all-cpus") ? 1 : 0);
        if (targets > 1) {
            throw new UsageException("give one target: -p, -t, -a (with -G) or -C");
        }
        TargetKind kind = p.has("pid") ? TargetKind.PROCESS : p.has("tid") ? TargetKind.THREAD
                : p.has("cpu") && !p.has("all-cpus") ? TargetKind.CPUS
                : p.has("all-cpus") || p.has("cgroup") ? TargetKind.ALL_CPUS : TargetKind.COMMAND;
        String targetText = switch (kind) {
            case PROCESS -> p.last("pid");
            case THREAD -> p.last("tid");
            case CPUS -> p.last("cpu");
            default -> "";
        };
        List<Integer> ids = switch (kind) {
            case PROCESS, THREAD -> ids(targetText, kind == TargetKind.PROCESS ? "-p" : "-t");
            case CPUS -> cpus(targetText);
            default -> List.of();
        };
        if (kind == TargetKind.COMMAND && command.isEmpty()) {
            throw new UsageException("give a command to count (after --), or a target: -p, -t, -a or -C");
        }
        int runs = (int) number(p, "repeat", 1, 1, 100_000);
        if (runs > 1 && (kind != TargetKind.COMMAND)) {
            throw new UsageException("-r repeats a command; it cannot be used with -p, -t, -a or -C");
        }
        if (p.has("json") && p.has("field-separator")) {
            throw new UsageException("-x and -j cannot be used together");
        }
        String separator = p.has("field-separator") ? p.last("field-separator") : ",";
        if (separator.isEmpty()) {
            throw new UsageException("-x needs a separator, such as -x,");
        }
        StatFormat.Style style = p.has("json") ? StatFormat.Style.JSON
                : p.has("field-separator") ? StatFormat.Style.CSV : StatFormat.Style.TABLE;
        long interval = number(p, "interval-print", 0, 10, Integer.MAX_VALUE);
        if (interval > 0 && runs > 1) {
            throw new UsageException("-I and -r cannot be used together");
        }
        long timeout = number(p, "timeout", 0, 1, Integer.MAX_VALUE);
        List<String> events = new ArrayList<>();
        for (String list : p.all("event")) {
            for (String name : splitEvents(list)) {
                if (name.isEmpty()) {
                    throw new UsageException("empty event name in -e '" + list + "'");
                }
                events.add(name);
            }
        }
        if (events.isEmpty()) {
            events = defaultEvents(kind == TargetKind.ALL_CPUS || kind == TargetKind.CPUS);
        }
        return new StatSettings(List.copyOf(events), kind, ids, targetText, p.last("cgroup"), runs, style, separator,
                p.has("output") ? Path.of(p.last("output")) : null, timeout, interval, command);
    }

    private static long number(OptionParser.Parsed p, String option, long absent, long min, long max)
            throws UsageException {
        String text = p.last(option);
        if (text == null) {
            return absent;
        }
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + option + " takes a number, not '" + text + "'");
        }
        if (value < min || value > max) {
            throw new UsageException("--" + option + " must be between " + min + " and " + max + ", not " + value);
        }
        return value;
    }

    private static List<Integer> ids(String list, String option) throws UsageException {
        List<Integer> ids = new ArrayList<>();
        for (String id : list.split(",", -1)) {
            try {
                int value = Integer.parseInt(id.strip());
                if (value <= 0) {
                    throw new NumberFormatException();
                }
                ids.add(value);
            } catch (NumberFormatException e) {
                throw new UsageException(option + " takes ids above 0, separated by commas, not '" + list + "'");
            }
        }
        return List.copyOf(ids);
    }

    /** A CPU list as the kernel and perf write it: {@code 0-3,6}. */
    static List<Integer> cpus(String list) throws UsageException {
        List<Integer> cpus = new ArrayList<>();
        for (String range : list.split(",", -1)) {
            int dash = range.indexOf('-');
            try {
                int first = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
                int last = dash < 0 ? first : Integer.parseInt(range.substring(dash + 1));
                if (first < 0 || last < first || last - first > 65_535) {
                    throw new NumberFormatException();
                }
                for (int cpu = first; cpu <= last; cpu++) {
                    cpus.add(cpu);
                }
            } catch (NumberFormatException e) {
                throw new UsageException("-C takes a CPU list such as 0-3,6, not '" + list + "'");
            }
        }
        return List.copyOf(cpus);
    }

    /**
     * Splits an {@code -e} list at its commas, except commas inside a PMU's terms ({@code pmu/a=1,b=2/}, between
     * an odd and an even slash) and a breakpoint's {@code mem:addr/len} (whose slash opens no terms).
     */
    static List<String> splitEvents(String list) {
        List<String> names = new ArrayList<>();
        int start = 0;
        int slashes = 0;
        for (int i = 0; i < list.length(); i++) {
            char ch = list.charAt(i);
            if (ch == '/' && !list.startsWith("mem:", start)) {
                slashes++;
            } else if (ch == ',' && slashes % 2 == 0) {
                names.add(list.substring(start, i));
                start = i + 1;
                slashes = 0;
            }
        }
        names.add(list.substring(start));
        return names;
    }

    /** {@return what perf's header names: the command, the process or thread ids, the CPUs, or system wide} */
    String headerSubject() {
        return switch (targetKind) {
            case COMMAND -> "'" + String.join(" ", command) + "'";
            case PROCESS -> "process id '" + targetText + "'";
            case THREAD -> "thread id '" + targetText + "'";
            case ALL_CPUS -> "'system wide'";
            case CPUS -> "'CPU(s) " + targetText + "'";
        };
    }
}
