/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.cli;

import java.util.List;
import java.util.Locale;

/**
 * Writes counts in the shapes and words of {@code perf stat} 6.1 (tools/perf/util/stat-display.c and
 * stat-shadow.c, checked against the installed perf 6.1.187): the human table, {@code -x SEP} CSV and {@code -j}
 * JSON, one line per event. It takes plain values ({@link Row}), never a counter, so every figure perf can print is
 * testable with made-up readings, including those this machine cannot produce (IPC, branch-miss ratio, multiplexing).
 *
 * <p>Derived figures, as perf computes them from the other rows of the same report: a clock event ({@code task-clock},
 * {@code cpu-clock}) gets {@code CPUs utilized} (its nanoseconds over the elapsed time); {@code cycles} gets
 * {@code GHz} (over the clock's nanoseconds); {@code instructions} gets {@code insn per cycle};
 * {@code branch-misses} gets {@code of all branches}; any other event gets a rate ({@code /sec}, {@code K/sec},
 * {@code M/sec}, {@code G/sec}) when a clock event is in the report. Counts are scaled by enabled/running time when
 * multiplexed, and the running percentage is printed.
 */
final class StatFormat {

    /** How to write the report. */
    enum Style {
        /** perf's table, with thousands separators. */
        TABLE,
        /** {@code -x SEP}: value, unit, event, [variance], run time, percentage running, metric value, metric unit. */
        CSV,
        /** {@code -j}: one JSON object per event and line, with perf's keys. */
        JSON
    }

    /** What an event is to the derived figures. */
    enum Role {
        /** task-clock or cpu-clock: nanoseconds, shown in msec. */
        CLOCK,
        /** Hardware cycles. */
        CYCLES,
        /** Hardware instructions. */
        INSTRUCTIONS,
        /** Hardware branch instructions. */
        BRANCHES,
        /** Hardware branch misses. */
        BRANCH_MISSES,
        /** Anything else: a rate when a clock event is counted too. */
        OTHER
    }

    /**
     * One event's counts (means over the runs with {@code -r}).
     *
     * @param event the event's name as the user wrote it
     * @param role what the event is to the derived figures
     * @param supported false when the kernel refused the event as not supported here ({@code <not supported>})
     * @param value the raw count (nanoseconds for a clock)
     * @param enabled the time enabled, ns
     * @param running the time running, ns (less than enabled when multiplexed; 0: {@code <not counted>})
     * @param noisePercent the relative standard deviation of the mean over the runs, in percent (with {@code -r})
     */
    record Row(String event, Role role, boolean supported, double value, double enabled, double running,
            double noisePercent) {

        /** {@return whether the kernel counted the event at all (perf's {@code <not counted>} otherwise)} */
        boolean counted() {
            return supported && running > 0 && enabled > 0;
        }

        /** {@return the count scaled for multiplexing, as perf does: value × enabled / running} */
        double scaled() {
            return running < enabled ? value * enabled / running : value;
        }

        /** {@return the unit perf prints: msec for a clock, none otherwise} */
        String unit() {
            return role == Role.CLOCK ? "msec" : "";
        }

        /** {@return the number shown: msec for a clock, the count otherwise} */
        double shown() {
            return role == Role.CLOCK ? scaled() / 1e6 : scaled();
        }
    }

    /**
     * A derived figure: its value printed with a C format, and its unit.
     *
     * @param format the printf format of the value, or null when there is none to print
     * @param value the value
     * @param unit the unit words
     */
    record Metric(String format, double value, String unit) {
        static final Metric NONE = new Metric(null, 0, "");
    }

    /** perf 6.1.187's width of the metric column after the event name (" # " + value + " " + unit). */
    private static final int METRIC_WIDTH = 35;
    /** perf 6.1.187's padding after the name of a row that was not counted or not supported. */
    private static final int UNCOUNTED_WIDTH = 28;
    private static final String NOT_SUPPORTED = "<not supported>";
    private static final String NOT_COUNTED = "<not counted>";

    private final Style style;
    private final String separator;
    private final int runs;
    private final String cgroup;

    /**
     * @param style the output style
     * @param separator the CSV separator ({@code -x}); ignored otherwise
     * @param runs how many runs the counts are the means of ({@code -r})
     * @param cgroup the cgroup counted ({@code -G}), printed after each event's name as perf does; null for none
     */
    StatFormat(Style style, String separator, int runs, String cgroup) {
        this.style = style;
        this.separator = style == Style.CSV ? separator : " ";
        this.runs = runs;
        this.cgroup = cgroup;
    }

    /** {@return perf's header, {@code Performance counter stats for '<what>' (N runs):}, table style only} */
    String header(String what) {
        if (style != Style.TABLE) {
            return "";
        }
        return "\n Performance counter stats for " + what + (runs > 1 ? " (" + runs + " runs)" : "") + ":\n\n";
    }

    /** {@return the column header printed before the first interval ({@code -I}), table style only} */
    String intervalHeader() {
        return style == Style.TABLE ? "#           time             counts unit events\n" : "";
    }

    /**
     * The rows, one line each.
     *
     * @param rows the events, in the order given
     * @param elapsedNanos the wall-clock time they were counted for (the interval's, with {@code -I})
     * @param intervalNanos the time since the start, for an interval's lines; negative for the final report
     * @return the lines
     */
    String rows(List<Row> rows, double elapsedNanos, long intervalNanos) {
        StringBuilder s = new StringBuilder();
        for (Row row : rows) {
            row(s, row, metric(row, rows, elapsedNanos), intervalNanos);
            s.append('\n');
        }
        return s.toString();
    }

    /**
     * perf's footer: the elapsed time ({@code +-} its deviation with {@code -r}), then, for a command counted once,
     * the user and system time of the command; table style only.
     *
     * @param elapsedNanos the mean elapsed time
     * @param stddevNanos the standard deviation of the mean elapsed time over the runs
     * @param userSeconds the command's user time, or negative when there is no command
     * @param sysSeconds the command's system time
     */
    String footer(double elapsedNanos, double stddevNanos, double userSeconds, double sysSeconds) {
        if (style != Style.TABLE) {
            return "";
        }
        StringBuilder s = new StringBuilder("\n");
        double elapsed = elapsedNanos / 1e9;
        if (runs == 1) {
            s.append(c(" %17.9f seconds time elapsed", elapsed));
            if (userSeconds >= 0) {
                s.append("\n\n").append(c(" %17.9f seconds user\n", userSeconds))
                        .append(c(" %17.9f seconds sys\n", sysSeconds));
            }
        } else {
            double sd = stddevNanos / 1e9;
            int precision = precision(sd) + 2;
            s.append(c(" %17." + precision + "f +- %." + precision + "f seconds time elapsed", elapsed, sd));
            noise(s, elapsed == 0 ? 0 : 100.0 * sd / elapsed);
        }
        return s.append("\n\n").toString();
    }

    /**
     * perf's get_precision: the decimals that show the first significant digit of a number below 1 (none for 0, where
     * perf's {@code lround} of infinity is undefined).
     */
    static int precision(double value) {
        if (value > 1 || value <= 0) {
            return 0;
        }
        return (int) Math.round(Math.ceil(-Math.log10(value)));
    }

    /** The derived figure of {@code row}, from the other rows of the report (perf's stat-shadow.c). */
    static Metric metric(Row row, List<Row> rows, double elapsedNanos) {
        double value = row.scaled();
        Row clock = find(rows, Role.CLOCK);
        double clockNanos = clock == null || !clock.counted() ? 0 : clock.scaled();
        switch (row.role()) {
            case CLOCK:
                return elapsedNanos > 0 ? new Metric("%8.3f", value / elapsedNanos, "CPUs utilized") : Metric.NONE;
            case CYCLES:
                return clockNanos > 0 ? new Metric("%8.3f", value / clockNanos, "GHz") : Metric.NONE;
            case INSTRUCTIONS: {
                Row cycles = find(rows, Role.CYCLES);
                double total = cycles == null || !cycles.counted() ? 0 : cycles.scaled();
                return total > 0 ? new Metric("%7.2f ", value / total, "insn per cycle") : Metric.NONE;
            }
            case BRANCH_MISSES: {
                Row branches = find(rows, Role.BRANCHES);
                if (branches == null) {
                    return Metric.NONE;
                }
                double total = branches.counted() ? branches.scaled() : 0;
                return new Metric("%7.2f%%", total > 0 ? value / total * 100.0 : 0, "of all branches");
            }
            default:
                if (clock == null) {
                    return Metric.NONE;
                }
                double rate = clockNanos > 0 ? 1e9 * value / clockNanos : 0;
                String unit = "/sec";
                for (String prefix : new String[] {"K", "M", "G"}) {
                    if (rate > 1000.0) {
                        rate /= 1000.0;
                        unit = prefix + "/sec";
                    }
                }
                return new Metric("%8.3f", rate, unit);
        }
    }

    private static Row find(List<Row> rows, Role role) {
        for (Row r : rows) {
            if (r.role() == role) {
                return r;
            }
        }
        return null;
    }

    private void row(StringBuilder s, Row row, Metric metric, long intervalNanos) {
        switch (style) {
            case TABLE -> tableRow(s, row, metric, intervalNanos);
            case CSV -> csvRow(s, row, metric, intervalNanos);
            case JSON -> jsonRow(s, row, metric, intervalNanos);
        }
    }

    private void tableRow(StringBuilder s, Row row, Metric metric, long intervalNanos) {
        if (intervalNanos >= 0) {
            s.append(c("%6d.%09d ", intervalNanos / 1_000_000_000L, intervalNanos % 1_000_000_000L));
        }
        if (row.counted()) {
            s.append(String.format(Locale.US, row.role() == Role.CLOCK ? "%,18.2f " : "%,18.0f ", row.shown()));
        } else {
            s.append(c("%18s ", badCount(row)));
        }
        s.append(c("%-4s ", row.unit())).append(c("%-32s", row.event()));
        if (cgroup != null) {
            s.append(' ').append(cgroup);
        }
        if (!row.counted()) {
            s.append(" ".repeat(UNCOUNTED_WIDTH));
        } else if (metric.format() == null) {
            s.append(" ".repeat(METRIC_WIDTH));
        } else {
            String value = c(metric.format(), metric.value());
            int used = 3 + value.length();
            s.append(" # ").append(value).append(' ').append(c("%-" + Math.max(1, METRIC_WIDTH - used - 1) + "s",
                    metric.unit()));
        }
        if (runs > 1) {
            noise(s, row.noisePercent());
        }
        if (row.running() != row.enabled()) {
            s.append(c("  (%.2f%%)", 100.0 * row.running() / row.enabled()));
        }
    }

    private static void noise(StringBuilder s, double percent) {
        if (percent != 0) {
            s.append(c("  ( +-%6.2f%% )", percent));
        }
    }

    private void csvRow(StringBuilder s, Row row, Metric metric, long intervalNanos) {
        String sep = separator;
        if (intervalNanos >= 0) {
            s.append(c("%6d.%09d", intervalNanos / 1_000_000_000L, intervalNanos % 1_000_000_000L)).append(sep);
        }
        if (row.counted()) {
            s.append(c(row.role() == Role.CLOCK ? "%.2f" : "%.0f", row.shown()));
        } else {
            s.append(badCount(row));
        }
        s.append(sep).append(row.unit()).append(sep).append(row.event());
        if (cgroup != null) {
            s.append(sep).append(cgroup);
        }
        if (runs > 1) {
            s.append(sep).append(c("%.2f%%", row.noisePercent()));
        }
        s.append(sep).append((long) row.running()).append(sep).append(c("%.2f", percentRunning(row)));
        if (!row.counted() || metric.format() == null) {
            s.append(sep).append(sep);
        } else {
            s.append(sep).append(csvNumber(c(metric.format(), metric.value()))).append(sep).append(metric.unit());
        }
    }

    /** perf's CSV metric value: the formatted number without its padding, up to its first non-digit, non-dot. */
    private static String csvNumber(String formatted) {
        String v = formatted.strip();
        int end = 0;
        while (end < v.length() && (Character.isDigit(v.charAt(end)) || v.charAt(end) == '.')) {
            end++;
        }
        return v.substring(0, end);
    }

    /**
     * perf's percentage running in CSV and JSON: {@code 100 * run / ena} in 64-bit integers (so 66.67 % is written
     * {@code 66.00}), 100 when run equals ena.
     */
    private static double percentRunning(Row row) {
        long run = (long) row.running();
        long ena = (long) row.enabled();
        return run == ena ? 100 : 100 * run / ena;
    }

    private void jsonRow(StringBuilder s, Row row, Metric metric, long intervalNanos) {
        s.append('{');
        if (intervalNanos >= 0) {
            s.append(c("\"interval\" : %d.%09d, ", intervalNanos / 1_000_000_000L, intervalNanos % 1_000_000_000L));
        }
        s.append("\"counter-value\" : \"").append(row.counted() ? c("%f", row.shown()) : badCount(row))
                .append("\", \"unit\" : \"").append(row.unit()).append("\", \"event\" : \"")
                .append(jsonEscape(row.event())).append("\", ");
        if (cgroup != null) {
            s.append("\"cgroup\" : \"").append(jsonEscape(cgroup)).append("\", ");
        }
        if (runs > 1) {
            s.append(c("\"variance\" : %.2f, ", row.noisePercent()));
        }
        s.append(c("\"event-runtime\" : %d, \"pcnt-running\" : %.2f, ", (long) row.running(), percentRunning(row)));
        boolean shown = row.counted() && metric.format() != null;
        s.append(c("\"metric-value\" : %f, \"metric-unit\" : \"", shown ? metric.value() : 0.0))
                .append(shown ? metric.unit() : "").append("\"}");
    }

    private static String jsonEscape(String text) {
        StringBuilder s = new StringBuilder();
        for (char ch : text.toCharArray()) {
            if (ch == '"' || ch == '\\') {
                s.append('\\').append(ch);
            } else if (ch < 0x20) {
                s.append(c("\\u%04x", (int) ch));
            } else {
                s.append(ch);
            }
        }
        return s.toString();
    }

    private static String badCount(Row row) {
        return row.supported() ? NOT_COUNTED : NOT_SUPPORTED;
    }

    /** C's printf in the C locale: a dot for decimals, no grouping. */
    private static String c(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
