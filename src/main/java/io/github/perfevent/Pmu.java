/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A performance monitoring unit as the kernel lists it in {@code /sys/bus/event_source/devices/<name>}
 * (sysfs-bus-event_source-devices-format and -events in the kernel's ABI documentation; perf_event_open(2),
 * "Dynamic PMU"): its {@code type} (the attr's {@code type}), its {@code format/} files, which say which bits of
 * {@code config}, {@code config1}... hold each field (such as {@code event: config:0-63}), and its {@code events/}
 * files, which name settings of those fields (such as {@code tsc: event=0x00}).
 *
 * <p>{@link #event(String)} turns perf's term syntax into an {@link Event}: {@code Pmu.named("msr").event("tsc")} is
 * perf's {@code msr/tsc/}. Read from sysfs when asked; immutable and thread-safe.
 */
public final class Pmu {

    static final Path DEVICES = Path.of("/sys/bus/event_source/devices");
    private static final String[] CONFIG_WORDS = {"config", "config1", "config2", "config3", "config4"};
    private static final Set<String> EVENT_FILE_SUFFIXES = Set.of(".scale", ".unit", ".snapshot", ".per-pkg");

    private final String name;
    private final int type;
    private final Map<String, String> formats;
    private final Map<String, String> events;

    private Pmu(String name, int type, Map<String, String> formats, Map<String, String> events) {
        this.name = name;
        this.type = type;
        this.formats = Collections.unmodifiableMap(formats);
        this.events = Collections.unmodifiableMap(events);
    }

    /**
     * The PMU {@code name} of this machine.
     *
     * @param name the directory name, such as {@code msr} or {@code uprobe}
     * @return the PMU
     * @throws NullPointerException if {@code name} is null
     * @throws EventNameException when sysfs has no such PMU (its {@link EventNameException#suggestions()} are the
     *     nearest names, and the message lists every PMU, nearest first), or {@code name} cannot name one (empty,
     *     {@code .}, {@code ..}, a {@code /} or a NUL)
     * @throws PerfEventException with the errno of the failed access when sysfs cannot be read (ENOENT when
     *     {@code /sys/bus/event_source/devices} does not exist), or a file of the PMU cannot be read
     * @throws UnsupportedOperationException when the PMU's {@code type} file does not hold a number
     */
    public static Pmu named(String name) {
        Objects.requireNonNull(name, "name");
        return named(name, new NameSources(DEVICES));
    }

    static Pmu named(Path devices, String name) {
        return named(name, new NameSources(devices));
    }

    static Pmu named(String name, NameSources sources) {
        Path dir = null;
        if (!name.isEmpty() && !name.equals(".") && !name.equals("..") && !name.contains("/")
                && !name.contains("\0")) {
            try {
                dir = sources.devices().resolve(name);
            } catch (InvalidPathException e) {
                // a character the file system's encoding cannot write: no directory has that name
            }
        }
        if (dir == null || !Files.isRegularFile(dir.resolve("type"))) {
            List<String> all = List.copyOf(sources.pmuEvents().keySet());
            Optional<IOException> failure = sources.sysfsFailure();
            if (failure.isPresent()) {
                throw PerfEventException.ofFileAccess("list " + sources.devices(), failure.get(), "sysfs's list of "
                        + "PMUs cannot be read (is sysfs mounted at /sys?)");
            }
            List<String> near = Suggestions.nearest(name, all);
            throw new EventNameException("PMU name", name, -1, "sysfs has no PMU of that name (no "
                    + sources.devices() + "/<name>/type)." + Suggestions.didYouMean(near) + " PMUs here: "
                    + String.join(", ", Suggestions.byDistance(name, all)) + " (nearest first)", near);
        }
        return load(dir);
    }

    /**
     * {@return every PMU of this machine, sorted by name; none when sysfs cannot be listed}
     *
     * @throws PerfEventException with the errno of the failed access when a file of a PMU cannot be read
     * @throws UnsupportedOperationException when a PMU's {@code type} file does not hold a number
     */
    public static List<Pmu> all() {
        return all(DEVICES);
    }

    static List<Pmu> all(Path devices) {
        List<Pmu> pmus = new ArrayList<>();
        for (String name : names(devices)) {
            pmus.add(load(devices.resolve(name)));
        }
        return pmus;
    }

    private static List<String> names(Path devices) {
        try (Stream<Path> entries = Files.list(devices)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Pmu load(Path dir) {
        String name = dir.getFileName().toString();
        String typeText = readLine(dir.resolve("type"));
        int type;
        try {
            type = Integer.parseInt(typeText);
        } catch (NumberFormatException e) {
            throw new UnsupportedOperationException(dir.resolve("type") + " holds '" + typeText
                    + "', not the number the kernel writes there");
        }
        return new Pmu(name, type, readDirectory(dir.resolve("format"), false),
                readDirectory(dir.resolve("events"), true));
    }

    private static Map<String, String> readDirectory(Path dir, boolean skipEventAttributes) {
        Map<String, String> contents = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return contents;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String key = file.getFileName().toString();
                if (skipEventAttributes && isEventAttribute(key)) {
                    continue;
                }
                contents.put(key, readLine(file));
            }
        } catch (IOException e) {
            throw PerfEventException.ofFileAccess("list " + dir, e, "");
        }
        return contents;
    }

    /** Whether a file of a PMU's {@code events/} is an attribute of an event ({@code tsc.scale}), not an event. */
    static boolean isEventAttribute(String fileName) {
        return EVENT_FILE_SUFFIXES.stream().anyMatch(fileName::endsWith);
    }

    /** The first line of a sysfs file, trimmed (read through a reader: sysfs files report a size of 4096 or 0). */
    private static String readLine(Path file) {
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            String line = reader.readLine();
            return line == null ? "" : line.strip();
        } catch (IOException e) {
            throw PerfEventException.ofFileAccess("read " + file, e, "");
        }
    }

    /** {@return the PMU's name, its directory in sysfs} */
    public String name() {
        return name;
    }

    /** {@return the value for {@code perf_event_attr.type}} */
    public int type() {
        return type;
    }

    /** {@return field name → bit ranges, from {@code format/}, such as {@code event → config:0-63}} */
    public Map<String, String> formats() {
        return formats;
    }

    /** {@return event name → its terms, from {@code events/}, such as {@code tsc → event=0x00}} */
    public Map<String, String> events() {
        return events;
    }

    /**
     * An event of this PMU from perf's terms: comma-separated {@code field=value} (decimal or {@code 0x} hex),
     * a lone {@code field} meaning 1, or the name of one of {@link #events()}, which stands for its own terms. Each
     * field's value is spread over the bit ranges its format gives, low bits first. As in perf, {@code config},
     * {@code config1}, {@code config2}, {@code config3} and {@code config4} are fields of every PMU that set the whole
     * word. No terms: config 0. A named event may leave a field to the user, written {@code field=?} in sysfs (as
     * hv_24x7's {@code domain=?}): the terms must then set it.
     *
     * @param terms the terms, such as {@code "tsc"} or {@code "event=0x3c,umask=0x01"}
     * @return the event, named like perf: {@code msr/tsc/}
     * @throws NullPointerException if {@code terms} is null
     * @throws EventNameException for an unknown field or event (with the nearest names as
     *     {@link EventNameException#suggestions()}), a term that does not parse, a value too wide for its field, or a
     *     {@code field=?} left unset; its {@link EventNameException#position()} is the term's
     * @throws UnsupportedOperationException when a field the terms use has a format this library cannot read (a word
     *     other than {@code config}..{@code config4}, or bits beyond 63: never written by the kernels it knows)
     */
    public Event event(String terms) {
        Objects.requireNonNull(terms, "terms");
        long[] config = new long[CONFIG_WORDS.length];
        Set<String> given = new TreeSet<>();
        Set<String> required = new TreeSet<>();
        apply(terms, terms, -1, config, 0, given, required);
        required.removeAll(given);
        if (!required.isEmpty()) {
            throw invalid(terms, -1, "the event leaves " + String.join(", ", required) + " to you (sysfs writes "
                    + required.stream().map(f -> f + "=?").collect(Collectors.joining(","))
                    + "): add " + required.stream().map(f -> f + "=<value>")
                            .collect(Collectors.joining(",")) + " to the terms");
        }
        return new Event(name + "/" + terms + "/", type, config[0], config[1], config[2], config[3], config[4],
                Event.BP_TYPE_UNSET, null, Event.Modifiers.NONE);
    }

    /**
     * Encodes {@code terms} (the caller's {@code input}, or at {@code depth} > 0 the terms of a named event that the
     * input's term at {@code outer} names) into {@code config}, noting the fields set ({@code given}) and those a named
     * event leaves to the user with the value {@code ?} ({@code required}), as perf does for such sysfs events.
     */
    private void apply(String input, String terms, int outer, long[] config, int depth, Set<String> given,
            Set<String> required) {
        if (terms.isBlank()) {
            return;
        }
        int start = 0;
        for (String term : terms.split(",", -1)) {
            int at = depth == 0 ? start + (term.length() - term.stripLeading().length()) : outer;
            start += term.length() + 1;
            String t = term.strip();
            int eq = t.indexOf('=');
            String field = eq < 0 ? t : t.substring(0, eq).strip();
            if (field.isEmpty()) {
                throw invalid(input, at, "an empty term (two commas, or a comma at an end)");
            }
            if (eq < 0 && !formats.containsKey(field) && events.containsKey(field)) {
                if (depth > 2) {
                    throw invalid(input, at, "event " + field + " refers to itself");
                }
                apply(input, events.get(field), at, config, depth + 1, given, required);
                continue;
            }
            String format = formats.containsKey(field) ? formats.get(field)
                    : List.of(CONFIG_WORDS).contains(field) ? field + ":0-63" : null;
            if (format == null) {
                Set<String> known = new TreeSet<>(formats.keySet());
                known.addAll(events.keySet());
                List<String> near = Suggestions.nearest(field, known);
                throw new EventNameException("terms of PMU " + name, input, at, "PMU " + name
                        + " has no field or event '" + EventNameException.shown(field) + "'." + Suggestions.didYouMean(near)
                        + (known.isEmpty() ? " It has no fields or named events."
                                : " Fields: " + formats.keySet() + "; events: " + events.keySet()), near);
            }
            String valueText = eq < 0 ? "1" : t.substring(eq + 1).strip();
            if (valueText.equals("?") && depth > 0) {
                required.add(field);
                continue;
            }
            encode(input, at, field, format, parseValue(input, at, valueText), config);
            given.add(field);
        }
    }

    private EventNameException invalid(String input, int at, String why) {
        return new EventNameException("terms of PMU " + name, input, at, why, List.of());
    }

    private long parseValue(String input, int at, String text) {
        try {
            return text.startsWith("0x") || text.startsWith("0X") ? Long.parseUnsignedLong(text.substring(2), 16)
                    : Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            throw invalid(input, at, "'" + EventNameException.shown(text) + "' is not a number of at most 64 bits (decimal, or hex with 0x)");
        }
    }

    /** Writes {@code value} into the bits {@code format} names ({@code config1:0-7,32-35}), low bits first. */
    private void encode(String input, int at, String field, String format, long value, long[] config) {
        int colon = format.indexOf(':');
        int word = colon < 0 ? -1 : List.of(CONFIG_WORDS).indexOf(format.substring(0, colon));
        if (word < 0) {
            throw unreadable(field, format);
        }
        int bit = 0;
        long remaining = value;
        for (String range : format.substring(colon + 1).split(",")) {
            int dash = range.indexOf('-');
            int low;
            int high;
            try {
                low = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
                high = dash < 0 ? low : Integer.parseInt(range.substring(dash + 1));
            } catch (NumberFormatException e) {
                throw unreadable(field, format);
            }
            if (low < 0 || high < low || high > 63) {
                throw unreadable(field, format);
            }
            int width = high - low + 1;
            long mask = width == 64 ? -1L : (1L << width) - 1;
            config[word] = config[word] & ~(mask << low) | (remaining & mask) << low;
            remaining = width == 64 ? 0 : remaining >>> width;
            bit += width;
        }
        if (remaining != 0) {
            throw invalid(input, at, "value 0x" + Long.toHexString(value) + " does not fit in field " + field + " ("
                    + bit + " bits: " + format + ")");
        }
    }

    private UnsupportedOperationException unreadable(String field, String format) {
        return new UnsupportedOperationException("field " + field + " of PMU " + name + " has a format this library "
                + "cannot read: '" + format + "' (sysfs-bus-event_source-devices-format: config<N>:<bits>)");
    }

    /** {@return the name, type, formats and events} */
    @Override
    public String toString() {
        return "Pmu[" + name + ", type " + type + ", formats " + formats + ", events " + events + "]";
    }
}
