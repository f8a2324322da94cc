/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.cli;

import io.github.perfevent.Counter;
import io.github.perfevent.Event;
import io.github.perfevent.EventCatalog;
import io.github.perfevent.PerfEventException;
import io.github.perfevent.Pmu;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code list [FILTER]}: every event this machine has, grouped as {@code perf list} groups them (hardware, software,
 * hardware cache, PMU events, PMUs with their format fields, raw and breakpoint syntax, tracepoints), each line
 * {@code name [kind]}. Hardware and cache events say when they cannot be opened here (a VM without a PMU), and
 * the list says how to mount tracefs when tracepoints cannot be listed. FILTER keeps the events whose name contains
 * it, or matches it as a glob when it has {@code * ? [}; a kind word ({@code hw}, {@code sw}, {@code cache},
 * {@code pmu}, {@code tracepoint}) keeps that kind.
 */
final class ListCommand implements Subcommand {

    private static final String HELP = """

             Usage: perf-event list [<filter>]

            Lists the events this machine has, with the names 'perf-event stat -e' takes:
            hardware, software and hardware cache events (saying when there is no hardware PMU to count them),
            every PMU of /sys/bus/event_source/devices with its events and format fields, the raw and breakpoint
            syntax, and the tracepoints of tracefs when it is mounted.

            A filter keeps the events whose name contains it ('page'), or matches it as a glob ('sched:*');
            hw, sw, cache, pmu or tracepoint keeps one kind.
            """;

    /**
     * One line of the list.
     *
     * @param name the event's name, with its alias ({@code page-faults OR faults})
     * @param kind the bracketed kind, as perf writes it
     * @param group what kind words select it
     */
    record Line(String name, String kind, String group) {
    }

    @Override
    public String name() {
        return "list";
    }

    @Override
    public String summary() {
        return "List the events this machine has, as perf list does";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.contains("-h") || args.contains("--help")) {
            out.print(HELP);
            return 0;
        }
        if (args.size() > 1 || args.size() == 1 && args.get(0).startsWith("-")) {
            err.println("  Error: " + (args.size() > 1 ? "give at most one filter" : "unknown option `"
                    + args.get(0) + "'"));
            err.println();
            err.println(" Usage: perf-event list [<filter>]");
            return 1;
        }
        List<Line> lines;
        List<String> notes;
        try {
            lines = lines();
            notes = EventCatalog.notes();
        } catch (PerfEventException | UnsupportedOperationException e) {
            err.println("perf-event list: " + e.getMessage());
            return 1;
        }
        String filter = args.isEmpty() ? null : args.get(0);
        out.println();
        out.println("List of pre-defined events (to be used in -e):");
        out.println();
        for (Line line : filter(lines, filter)) {
            out.println(String.format(Locale.ROOT, "  %-50s [%s]", line.name(), line.kind()));
        }
        out.println();
        for (String note : notes) {
            out.println("Note: " + note);
        }
        return 0;
    }

    /** {@return the lines whose name (or kind word) the filter selects; all of them for a null filter} */
    static List<Line> filter(List<Line> lines, String filter) {
        if (filter == null) {
            return lines;
        }
        List<String> kinds = List.of("hw", "hardware", "sw", "software", "cache", "hwcache", "pmu", "tracepoint");
        if (kinds.contains(filter)) {
            String group = switch (filter) {
                case "hardware" -> "hw";
                case "software" -> "sw";
                case "hwcache" -> "cache";
                default -> filter;
            };
            return lines.stream().filter(l -> l.group().equals(group)).toList();
        }
        Pattern glob = glob(filter);
        return lines.stream().filter(l -> glob.matcher(l.name()).matches()
                || names(l).stream().anyMatch(n -> glob.matcher(n).matches())).toList();
    }

    private static List<String> names(Line line) {
        return List.of(line.name().split(" OR "));
    }

    /** A glob ({@code * ? [...]}) as a regular expression; a filter without them matches as a substring. */
    static Pattern glob(String filter) {
        boolean isGlob = filter.chars().anyMatch(c -> c == '*' || c == '?' || c == '[');
        StringBuilder regex = new StringBuilder(isGlob ? "" : ".*");
        for (int i = 0; i < filter.length(); i++) {
            char ch = filter.charAt(i);
            if (isGlob && ch == '*') {
                regex.append(".*");
            } else if (isGlob && ch == '?') {
                regex.append('.');
            } else if (isGlob && ch == '[' && filter.indexOf(']', i + 1) > i + 1) {
                int close = filter.indexOf(']', i + 1);
                String set = filter.substring(i + 1, close);
                regex.append('[').append(set.startsWith("!") ? "^" + Pattern.quote(set.substring(1))
                        .replace("\\Q", "").replace("\\E", "") : set.replace("\\", "\\\\")).append(']');
                i = close;
            } else {
                regex.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(regex.append(isGlob ? "" : ".*").toString(), Pattern.DOTALL);
    }

    /** Every event of this machine, in perf's groups. */
    static List<Line> lines() {
        List<Line> lines = new ArrayList<>();
        String hardware = hardwareProblem();
        for (Event.Hardware h : Event.Hardware.values()) {
            lines.add(new Line(withAlias(h.perfName(), h.alias()), "Hardware event" + hardware, "hw"));
        }
        for (Event.Software s : Event.Software.values()) {
            lines.add(new Line(withAlias(s.perfName(), s.alias()), "Software event", "sw"));
        }
        List<EventCatalog.Entry> catalog = EventCatalog.list();
        for (EventCatalog.Entry e : catalog) {
            if (e.kind() == EventCatalog.Kind.HARDWARE_CACHE) {
                lines.add(new Line(e.name(), "Hardware cache event" + hardware, "cache"));
            }
        }
        List<Pmu> pmus = Pmu.all();
        for (Pmu pmu : pmus) {
            for (String event : pmu.events().keySet()) {
                lines.add(new Line(pmu.name() + "/" + event + "/", "Kernel PMU event", "pmu"));
            }
        }
        for (Pmu pmu : pmus) {
            String terms = pmu.formats().isEmpty() ? "" : String.join("=N,", pmu.formats().keySet()) + "=N";
            lines.add(new Line(pmu.name() + "/" + terms + "/", "Kernel PMU type " + pmu.type()
                    + (terms.isEmpty() ? "" : ": " + formats(pmu)), "pmu"));
        }
        lines.add(new Line("rNNN", "Raw hardware event descriptor", "hw"));
        lines.add(new Line("cpu/t1=v1[,t2=v2,t3 ...]/modifier", "Raw hardware event descriptor", "hw"));
        lines.add(new Line("mem:<addr>[/len][:access]", "Hardware breakpoint", "breakpoint"));
        for (EventCatalog.Entry e : catalog) {
            if (e.kind() == EventCatalog.Kind.TRACEPOINT) {
                lines.add(new Line(e.name(), "Tracepoint event", "tracepoint"));
            }
        }
        return lines;
    }

    private static String formats(Pmu pmu) {
        List<String> fields = new ArrayList<>();
        pmu.formats().forEach((field, bits) -> fields.add(field + "=" + bits));
        return String.join(", ", fields);
    }

    private static String withAlias(String name, String alias) {
        return alias == null ? name : name + " OR " + alias;
    }

    /**
     * Why hardware events cannot be counted here, found by opening {@code cycles} on this thread (a VM without a
     * PMU answers ENOENT), or the empty string when they can.
     */
    static String hardwareProblem() {
        try (Counter cycles = Counter.open(Event.Hardware.CPU_CYCLES.event())) {
            return "";
        } catch (PerfEventException e) {
            return "; not available here: " + e.errnoName() + (e.errno() == 2 ? " (no hardware PMU)" : "");
        }
    }
}
