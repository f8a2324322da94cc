/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.github.perfevent.Event;
import io.github.perfevent.EventNameException;
import io.github.perfevent.PerfEventException;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The layout of a tracepoint's payload, as its {@code format} file in tracefs describes it
 * ({@code <tracefs>/events/<subsystem>/<name>/format}): the fields a {@code PERF_SAMPLE_RAW} of a tracepoint event
 * holds (perf_event_open(2), "sample_type", {@code PERF_SAMPLE_RAW}), each with its offset, size and signedness;
 * fixed arrays such as {@code char prev_comm[16]}; and dynamic strings ({@code __data_loc char[] filename}, a u32
 * whose low 16 bits are the string's offset in the payload and high 16 bits its length; {@code __rel_loc}, the same
 * with the offset counted from the end of the field).
 *
 * <pre>{@code
 * TracepointFormat exec = TracepointFormat.of("sched", "sched_process_exec");
 * ... for a sample of that tracepoint:
 * String file = exec.stringField(cursor.raw(), "filename");
 * long pid = exec.longField(cursor.raw(), "pid");
 * }</pre>
 *
 * <p>The raw data's contents are not an ABI (the header says so): read fields by name, never by a fixed offset.
 */
public final class TracepointFormat {

    private static final Pattern FIELD = Pattern.compile(
            "^\\s*field:(.+?);\\s*offset:(\\d+);\\s*size:(\\d+);\\s*signed:(\\d+);");
    private static final Pattern DECLARATION = Pattern.compile("^(.*?)\\s*\\b(\\w+)\\s*(\\[\\s*(\\w*)\\s*])?$");
    private static final Pattern ID = Pattern.compile("^ID:\\s*(\\d+)\\s*$");
    private static final Path MOUNTS = Path.of("/proc/mounts");

    /**
     * One field of a tracepoint's payload.
     *
     * @param name its name, such as {@code prev_pid}
     * @param type its C type as the format file writes it, such as {@code pid_t} or {@code __data_loc char[]}
     * @param offset its offset in the payload
     * @param size its size in bytes (of the whole array for an array; of the u32 locator for a dynamic field)
     * @param signed whether it is signed
     * @param array whether it is a fixed array ({@code char prev_comm[16]})
     * @param dataLoc whether it is a {@code __data_loc} dynamic field (offset from the payload's start)
     * @param relLoc whether it is a {@code __rel_loc} dynamic field (offset from the end of the field)
     */
    public record Field(String name, String type, int offset, int size, boolean signed, boolean array,
            boolean dataLoc, boolean relLoc) {
        /**
         * Checks the components.
         *
         * @throws NullPointerException if {@code name} or {@code type} is null
         */
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }

        /** {@return whether {@link TracepointFormat#stringField} reads it: a char array, fixed or dynamic} */
        public boolean isString() {
            return type.contains("char") && (array || type.contains("[]")); // __data_loc char[] name: "[]"
        }

        /** {@return whether {@link TracepointFormat#longField} reads it: a scalar of 1, 2, 4 or 8 bytes} */
        public boolean isInteger() {
            return !array && !dataLoc && !relLoc && (size == 1 || size == 2 || size == 4 || size == 8);
        }
    }

    private final String name;
    private final long id;
    private final List<Field> fields;

    private TracepointFormat(String name, long id, List<Field> fields) {
        this.name = name;
        this.id = id;
        this.fields = List.copyOf(fields);
    }

    /**
     * {@return the format of tracepoint {@code subsystem:name}, read from its {@code format} file in the mounted
     * tracefs}
     *
     * @param tracepoint {@code subsystem:name}, such as {@code sched:sched_switch}
     * @throws EventNameException if {@code tracepoint} is not {@code subsystem:name} or the mounted tracefs has no
     *     such tracepoint (with the nearest names), as {@link Event#tracepoint(String, String)}
     * @throws PerfEventException ENOENT when tracefs is not mounted, EACCES when it is not readable, or the errno of
     *     another failed read (with the call and path)
     * @throws NullPointerException if {@code tracepoint} is null
     */
    public static TracepointFormat of(String tracepoint) {
        Objects.requireNonNull(tracepoint, "tracepoint");
        int colon = tracepoint.indexOf(':');
        return colon < 0 ? of(tracepoint, "") // refused as the counting layer refuses it (no name)
                : of(tracepoint.substring(0, colon), tracepoint.substring(colon + 1));
    }

    /**
     * {@return the format of tracepoint {@code subsystem:name}, read from its {@code format} file in the mounted
     * tracefs}
     *
     * @param subsystem the subsystem, such as {@code sched}
     * @param name the tracepoint, such as {@code sched_switch}
     * @throws EventNameException if the mounted tracefs has no such tracepoint (with the nearest names), or a part
     *     is not a plain word, as {@link Event#tracepoint(String, String)}
     * @throws PerfEventException ENOENT when tracefs is not mounted, EACCES when it is not readable, or the errno of
     *     another failed read (with the call and path)
     * @throws NullPointerException if an argument is null
     */
    public static TracepointFormat of(String subsystem, String name) {
        // the tracepoint's existence, tracefs's mount and its readability, with the counting layer's errors
        Event.tracepoint(subsystem, name);
        Path format = tracefs().orElseThrow(() -> FileFailures.perfEventException("read the format of tracepoint "
                + subsystem + ":" + name, new java.nio.file.NoSuchFileException(MOUNTS.toString()),
                "tracefs was unmounted while it was read")).resolve("events").resolve(subsystem).resolve(name)
                .resolve("format");
        String text;
        try (BufferedReader reader = Files.newBufferedReader(format, StandardCharsets.UTF_8)) {
            StringBuilder all = new StringBuilder();
            char[] buffer = new char[4096];
            for (int n; (n = reader.read(buffer)) >= 0; ) { // a reader: tracefs files report size 0
                all.append(buffer, 0, n);
            }
            text = all.toString();
        } catch (IOException e) {
            throw FileFailures.perfEventException("read the format of tracepoint " + subsystem + ":" + name, e,
                    "cannot read " + format);
        }
        return parse(subsystem + ":" + name, text);
    }

    /**
     * {@return the format that {@code text}, the contents of a tracepoint's {@code format} file, describes}
     *
     * @param name the tracepoint's name, for messages
     * @param text the file's contents ({@code name:}, {@code ID:}, {@code format:} and one {@code field:} line per
     *     field)
     * @throws IllegalArgumentException if {@code text} has no field line, or a field line that is not
     *     {@code field:<declaration>; offset:<n>; size:<n>; signed:<0|1>;}
     * @throws NullPointerException if an argument is null
     */
    public static TracepointFormat parse(String name, String text) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(text, "text");
        List<Field> fields = new ArrayList<>();
        long id = -1;
        for (String line : text.split("\n")) {
            Matcher idLine = ID.matcher(line);
            if (idLine.matches()) {
                id = Long.parseLong(idLine.group(1));
                continue;
            }
            if (!line.strip().startsWith("field:")) {
                continue;
            }
            Matcher m = FIELD.matcher(line);
            if (!m.find()) {
                throw new IllegalArgumentException("the format of " + name + " has a field line that is not "
                        + "'field:<declaration>; offset:<n>; size:<n>; signed:<0|1>;': " + line.strip());
            }
            Matcher d = DECLARATION.matcher(m.group(1).strip());
            if (!d.matches()) {
                throw new IllegalArgumentException("the format of " + name + " declares a field with no name: "
                        + line.strip());
            }
            String type = d.group(1).strip();
            fields.add(new Field(d.group(2), type, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    m.group(4).equals("1"), d.group(3) != null, type.startsWith("__data_loc"),
                    type.startsWith("__rel_loc")));
        }
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("the format of " + name + " has no field line");
        }
        return new TracepointFormat(name, id, fields);
    }

    /** {@return the tracepoint's name, {@code subsystem:name}} */
    public String name() {
        return name;
    }

    /** {@return the tracepoint's id (the {@code ID:} line: the {@code config} of its event), or -1 if absent} */
    public long id() {
        return id;
    }

    /** {@return the fields, in the file's order (the {@code common_*} ones first)} */
    public List<Field> fields() {
        return fields;
    }

    /**
     * {@return the field named {@code name}}
     *
     * @param name a field's name
     * @throws IllegalArgumentException if there is none (the message lists the fields and the nearest name)
     * @throws NullPointerException if {@code name} is null
     */
    public Field field(String name) {
        Objects.requireNonNull(name, "name");
        for (Field f : fields) {
            if (f.name.equals(name)) {
                return f;
            }
        }
        String nearest = fields.stream().map(Field::name)
                .min(Comparator.comparingInt(n -> distance(n, name))).orElseThrow();
        throw new IllegalArgumentException(this.name + " has no field '" + name + "'; did you mean '" + nearest
                + "'? It has " + fields.stream().map(Field::name).toList());
    }

    /**
     * {@return integer field {@code name} of a payload: sign-extended if the format says signed, else
     * zero-extended}
     *
     * @param raw a payload of this tracepoint ({@link RecordCursor#raw()})
     * @param name a field of 1, 2, 4 or 8 bytes
     * @throws IllegalArgumentException if there is no such field, or it is not an integer (an array, a string)
     * @throws MalformedRecordException if the payload is too short to hold the field
     * @throws NullPointerException if an argument is null
     */
    public long longField(MemorySegment raw, String name) {
        Objects.requireNonNull(raw, "raw");
        Field f = field(name);
        if (!f.isInteger()) {
            throw new IllegalArgumentException("field '" + name + "' of " + this.name + " is " + f.type
                    + (f.array ? " [" + f.size + " bytes]" : "") + ", not an integer of 1, 2, 4 or 8 bytes"
                    + (f.isString() ? "; read it with stringField" : ""));
        }
        within(raw, f.offset, f.size, f);
        return switch (f.size) {
            case 1 -> f.signed ? raw.get(JAVA_BYTE, f.offset) : Byte.toUnsignedLong(raw.get(JAVA_BYTE, f.offset));
            case 2 -> f.signed ? raw.get(JAVA_SHORT_UNALIGNED, f.offset)
                    : Short.toUnsignedLong(raw.get(JAVA_SHORT_UNALIGNED, f.offset));
            case 4 -> f.signed ? raw.get(JAVA_INT_UNALIGNED, f.offset)
                    : Integer.toUnsignedLong(raw.get(JAVA_INT_UNALIGNED, f.offset));
            default -> raw.get(JAVA_LONG_UNALIGNED, f.offset);
        };
    }

    /**
     * {@return string field {@code name} of a payload, up to its first NUL, as UTF-8: a fixed {@code char} array or
     * a {@code __data_loc}/{@code __rel_loc} dynamic string}
     *
     * @param raw a payload of this tracepoint ({@link RecordCursor#raw()})
     * @param name a {@code char} array field
     * @throws IllegalArgumentException if there is no such field, or it is not a string
     * @throws MalformedRecordException if the payload is too short to hold the field or the string it locates
     * @throws NullPointerException if an argument is null
     */
    public String stringField(MemorySegment raw, String name) {
        Objects.requireNonNull(raw, "raw");
        Field f = field(name);
        if (!f.isString()) {
            throw new IllegalArgumentException("field '" + name + "' of " + this.name + " is " + f.type
                    + ", not a string" + (f.isInteger() ? "; read it with longField" : ""));
        }
        long start = f.offset;
        long length = f.size;
        if (f.dataLoc || f.relLoc) {
            within(raw, f.offset, Integer.BYTES, f);
            int locator = raw.get(JAVA_INT_UNALIGNED, f.offset);
            start = (locator & 0xFFFF) + (f.relLoc ? f.offset + f.size : 0);
            length = locator >>> 16;
        }
        within(raw, start, length, f);
        long end = start;
        while (end < start + length && raw.get(JAVA_BYTE, end) != 0) {
            end++;
        }
        return new String(raw.asSlice(start, end - start).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private void within(MemorySegment raw, long start, long length, Field f) {
        if (start + length > raw.byteSize()) {
            throw new MalformedRecordException(start, "field '" + f.name + "' of " + name + " needs bytes "
                    + start + " to " + (start + length) + "; the raw data has " + raw.byteSize());
        }
    }

    /** The Levenshtein distance: the fewest one-character insertions, deletions and substitutions from a to b. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** The tracefs directory: the first {@code tracefs} mount of /proc/mounts (as the counting layer finds it). */
    private static Optional<Path> tracefs() {
        try (BufferedReader reader = Files.newBufferedReader(MOUNTS)) {
            for (String line; (line = reader.readLine()) != null; ) {
                String[] f = line.split(" ");
                if (f.length > 2 && f[2].equals("tracefs")) {
                    return Optional.of(Path.of(f[1].replace("\\040", " ").replace("\\011", "\t")
                            .replace("\\012", "\n").replace("\\134", "\\")));
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "TracepointFormat[" + name + ", id " + id + ", " + fields.size() + " fields]";
    }
}
