package io.github.perfevent;

import io.github.perfevent.sys.Gcc;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test support: the installed {@code perf} tool as an oracle for event names. {@code perf stat -vv -e NAME -- true}
 * prints the {@code perf_event_attr} it built for NAME before it opens it (fields that are 0 are left out), or an
 * "event syntax error" when it does not take the name.
 */
final class PerfTool {

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

    /**
     * The fields of the first attr perf prints for {@code name} (the one it tries first, before any fallback), keyed
     * by perf's names with the unions reduced to their config word ({@code { bp_addr, config1 }} is
     * {@code config1}); null when perf refuses the name.
     */
    static Map<String, Long> attr(String name) throws IOException {
        Gcc.Result r = Gcc.run(List.of("perf", "stat", "-vv", "-e", name, "--", "true"), null, null);
        String out = r.stdout() + r.stderr();
        int start = out.indexOf("perf_event_attr:\n");
        if (start < 0) {
            if (!out.contains("event syntax error") && !out.contains("Run 'perf list'")) {
                throw new AssertionError("perf neither printed an attr nor refused " + name + ":\n" + out);
            }
            return null;
        }
        Map<String, Long> fields = new HashMap<>();
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
                key = trimmed.substring(0, space);
                value = trimmed.substring(space).strip();
            }
            try {
                fields.put(key, value.startsWith("0x") ? Long.parseUnsignedLong(value.substring(2), 16)
                        : Long.parseLong(value));
            } catch (NumberFormatException e) {
                // sample_type, read_format: symbolic, and not about the event
            }
        }
        return fields;
    }
}
