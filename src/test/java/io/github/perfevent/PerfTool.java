package io.github.perfevent;

import io.github.perfevent.sys.Gcc;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test support: the installed {@code perf} tool as an oracle for event names. {@code perf stat -vv -e NAME -- true}
 * prints the {@code perf_event_attr} it built for NAME before it opens it (fields that are 0 are left out), or an
 * "event syntax error" when it does not take the name.
 *
 * <p>Two output formats are read: perf 6.1 prints bare values ({@code type 9}, {@code config 0x1a8}); perf 7.2
 * annotates some of them ({@code type 9 (msr)}, {@code config 0 (tsc)}). A field whose value is neither is kept
 * as text, and asking for it as a number fails instead of reading it as 0.
 */
final class PerfTool {

    /** A number, decimal or 0x-hex, optionally followed by perf 7's annotation in parentheses. */
    private static final Pattern NUMBER = Pattern.compile("(0x[0-9a-fA-F]+|-?[0-9]+)(?:\\s+\\(.*\\))?");
    private static final Pattern VERSION = Pattern.compile("perf version (\\d+)\\.(\\d+)");

    private PerfTool() {
    }

    /** Why perf cannot be used here, or null when {@code perf --version} runs. */
    static String unavailableReason() {
        try {
            Gcc.Result r = Gcc.run(List.of("perf", "--version"), null, null);
            return r.exitCode() == 0 ? null : "perf --version exited with " + r.exitCode() + ": " + r.stderr();
        } catch (IOException e) {
            return "the perf tool is not on PATH (" + e.getMessage() + ")";
        }
    }

    /** A perf version, major and minor ({@code perf version 6.1.187} is 6.1). */
    record Version(int major, int minor) implements Comparable<Version> {
        static Version parse(String perfVersionOutput) {
            Matcher m = VERSION.matcher(perfVersionOutput);
            if (!m.find()) {
                throw new AssertionError("not the output of perf --version: " + perfVersionOutput);
            }
            return new Version(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }

        @Override
        public int compareTo(Version o) {
            return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
        }

        boolean atLeast(int major, int minor) {
            return compareTo(new Version(major, minor)) >= 0;
        }

        @Override
        public String toString() {
            return major + "." + minor;
        }
    }

    /** The installed perf's version. */
    static Version version() throws IOException {
        Gcc.Result r = Gcc.run(List.of("perf", "--version"), null, null);
        return Version.parse(r.stdout());
    }

    /**
     * The fields perf printed for one attr: those with a number, and the others (symbolic ones such as
     * {@code sample_type IDENTIFIER}) as perf wrote them.
     */
    record Attr(Map<String, Long> numbers, Map<String, String> texts) {
        /**
         * The value of {@code field}: its number, or 0 when perf did not print it (perf leaves out the fields that
         * are 0). A field perf printed in a form that is not a number fails, never reads as 0.
         */
        long get(String field) {
            if (texts.containsKey(field)) {
                throw new AssertionError("perf printed " + field + " as '" + texts.get(field) + "', not a number");
            }
            return numbers.getOrDefault(field, 0L);
        }
    }

    /**
     * The fields of the first attr perf prints for {@code name} (the one it tries first, before any fallback), keyed
     * by perf's names with the unions reduced to their config word ({@code { bp_addr, config1 }} is
     * {@code config1}); null when perf refuses the name.
     */
    static Attr attr(String name) throws IOException {
        Gcc.Result r = Gcc.run(List.of("perf", "stat", "-vv", "-e", name, "--", "true"), null, null);
        String out = r.stdout() + r.stderr();
        Attr attr = parseAttr(out);
        if (attr == null && !out.contains("event syntax error") && !out.contains("Run 'perf list'")) {
            throw new AssertionError("perf neither printed an attr nor refused " + name + ":\n" + out);
        }
        return attr;
    }

    /** The first {@code perf_event_attr:} block of perf's verbose output, or null when there is none. */
    static Attr parseAttr(String out) {
        int start = out.indexOf("perf_event_attr:\n");
        if (start < 0) {
            return null;
        }
        Map<String, Long> numbers = new HashMap<>();
        Map<String, String> texts = new HashMap<>();
        for (String line : out.substring(start + "perf_event_attr:\n".length()).split("\n")) {
            if (line.startsWith("---") || !line.startsWith("  ")) {
                break;
            }
            String trimmed = line.strip();
            String key;
            String value;
            if (trimmed.startsWith("{")) {
                int close = trimmed.indexOf('}');
                String[] union = trimmed.substring(1, close).split(",");
                key = union[union.length - 1].strip();
                value = trimmed.substring(close + 1).strip();
            } else {
                int space = trimmed.indexOf(' ');
                key = space < 0 ? trimmed : trimmed.substring(0, space);
                value = space < 0 ? "" : trimmed.substring(space).strip();
            }
            Matcher m = NUMBER.matcher(value);
            try {
                if (!m.matches()) {
                    texts.put(key, value);
                } else if (m.group(1).startsWith("0x")) {
                    numbers.put(key, Long.parseUnsignedLong(m.group(1).substring(2), 16));
                } else {
                    numbers.put(key, m.group(1).startsWith("-") ? Long.parseLong(m.group(1))
                            : Long.parseUnsignedLong(m.group(1)));
                }
            } catch (NumberFormatException e) {
                texts.put(key, value); // wider than 64 bits
            }
        }
        return new Attr(Map.copyOf(numbers), Map.copyOf(texts));
    }
}
