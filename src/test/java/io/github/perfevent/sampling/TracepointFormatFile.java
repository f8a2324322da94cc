package io.github.perfevent.sampling;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test support: the {@code format} file of a tracepoint ({@code events/<system>/<name>/format} in tracefs), parsed
 * into its fields, so that a test reads a RAW sample's payload by field name as the kernel lays it out. A stand-in
 * until the library decodes RAW fields by name itself.
 *
 * @param id the tracepoint's id ({@code ID:} line)
 * @param fields the fields by name, in the file's order
 */
record TracepointFormatFile(long id, Map<String, Field> fields) {

    private static final Pattern FIELD = Pattern.compile(
            "\\s*field:(.+?);\\s*offset:(\\d+);\\s*size:(\\d+);\\s*signed:([01]);.*");

    /**
     * One {@code field:} line: the C declaration, where the field lies in the payload and whether it is signed.
     *
     * @param declaration such as {@code int common_pid}
     * @param offset bytes from the start of the payload
     * @param size bytes
     * @param signed whether the kernel says the type is signed
     */
    record Field(String declaration, int offset, int size, boolean signed) {

        /** {@return the field's value in {@code payload}, widened to a long by its size and signedness} */
        long valueIn(MemorySegment payload) {
            return switch (size) {
                case 1 -> signed ? payload.get(ValueLayout.JAVA_BYTE, offset)
                        : Byte.toUnsignedLong(payload.get(ValueLayout.JAVA_BYTE, offset));
                case 2 -> signed ? payload.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset)
                        : Short.toUnsignedLong(payload.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset));
                case 4 -> signed ? payload.get(ValueLayout.JAVA_INT_UNALIGNED, offset)
                        : Integer.toUnsignedLong(payload.get(ValueLayout.JAVA_INT_UNALIGNED, offset));
                case 8 -> payload.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
                default -> throw new IllegalArgumentException(declaration + " is " + size + " bytes: not a number");
            };
        }
    }

    /** Parses {@code <tracefs>/events/<system>/<name>/format}. */
    static TracepointFormatFile read(Path tracefs, String system, String name) throws IOException {
        Path file = tracefs.resolve("events").resolve(system).resolve(name).resolve("format");
        long id = -1;
        Map<String, Field> fields = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("ID:")) {
                id = Long.parseLong(line.substring(3).strip());
            }
            Matcher m = FIELD.matcher(line);
            if (m.matches()) {
                String declaration = m.group(1).strip();
                String fieldName = declaration.substring(declaration.lastIndexOf(' ') + 1).replaceAll("\\[.*", "");
                fields.put(fieldName, new Field(declaration, Integer.parseInt(m.group(2)),
                        Integer.parseInt(m.group(3)), m.group(4).equals("1")));
            }
        }
        if (id < 0 || fields.isEmpty()) {
            throw new IOException(file + " has no ID line or no field lines: not a tracepoint format file");
        }
        return new TracepointFormatFile(id, Collections.unmodifiableMap(fields));
    }

    /** {@return the field called {@code name}; fails the test if the format has none} */
    Field field(String name) {
        Field f = fields.get(name);
        if (f == null) {
            throw new AssertionError("the format has no field " + name + ": " + fields.keySet());
        }
        return f;
    }
}
