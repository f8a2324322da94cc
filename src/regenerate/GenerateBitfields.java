/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the bitfield accessors that jextract cannot generate (it skips every bitfield).
 *
 * <p>Run by {@code regenerate.sh} as a single-file program:
 * {@code java src/regenerate/GenerateBitfields.java PREPROCESSED_HEADER PROBE_OUTPUT OUTPUT_DIR}.
 * <ol>
 *   <li>{@code PREPROCESSED_HEADER} is {@code headers/perf_event_bindings.h} after {@code gcc -E -P}: the
 *       bitfields' names, widths and declared types are read from every top-level {@code struct perf_*} or
 *       {@code union perf_*} in it.</li>
 *   <li>With {@code PROBE_OUTPUT} absent (first pass) the program writes a C probe to standard output;
 *       {@code regenerate.sh} compiles it with gcc against the vendored headers and runs it. The probe sets
 *       each bitfield to all ones in a zeroed struct and prints which bits of the struct changed.</li>
 *   <li>With the probe's output (second pass) it writes one class per struct into {@code OUTPUT_DIR}.</li>
 * </ol>
 * The bit positions therefore come from gcc, the compiler whose ABI the kernel uses; names and widths from the
 * header. The conformance test checks every accessor against gcc again, in both directions.
 */
public final class GenerateBitfields {

    private static final Pattern AGGREGATE = Pattern.compile("\\b(struct|union)\\s+(perf_\\w+)\\s*\\{");
    private static final Pattern DECLARATOR = Pattern.compile("^\\s*(?:(__[us](?:8|16|32|64))\\s+)?(\\w+)\\s*:\\s*(\\d+)\\s*$");
    private static final String PACKAGE = "io.github.perfevent.sys.bitfields";

    record Bitfield(String aggregate, String kind, String name, String type, int width) {
        int unitBytes() {
            return Integer.parseInt(type.substring(3)) / 8;
        }
    }

    /** What the gcc probe saw: the field occupies bits {@code firstBit .. firstBit + width - 1} of the struct. */
    record Measured(int firstBit, int width) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1 && args.length != 3) {
            System.err.println("usage: GenerateBitfields PREPROCESSED_HEADER [PROBE_OUTPUT OUTPUT_DIR]");
            System.exit(2);
        }
        List<Bitfield> bitfields = parse(Files.readString(Path.of(args[0])));
        if (args.length == 1) {
            System.out.print(probe(bitfields));
        } else {
            Map<String, Measured> measured = readProbe(Files.readAllLines(Path.of(args[1])));
            writeClasses(bitfields, measured, Path.of(args[2]));
        }
    }

    /** Every bitfield declared inside a top-level {@code struct perf_*} or {@code union perf_*}. */
    static List<Bitfield> parse(String source) {
        List<Bitfield> result = new ArrayList<>();
        Matcher m = AGGREGATE.matcher(source);
        int searchFrom = 0;
        while (m.find(searchFrom)) {
            int open = m.end() - 1;
            int close = matchingBrace(source, open);
            String body = source.substring(open + 1, close);
            String currentType = null;
            // Statements end at ';'; nested braces open anonymous structs/unions, whose members we also want.
            for (String statement : body.split("[;{}]")) {
                if (!statement.contains(":")) {
                    continue;
                }
                currentType = null;
                for (String declarator : statement.split(",")) {
                    Matcher d = DECLARATOR.matcher(declarator);
                    if (!d.matches()) {
                        throw new IllegalStateException("cannot parse bitfield declarator '" + declarator.strip()
                                + "' in " + m.group(1) + " " + m.group(2));
                    }
                    if (d.group(1) != null) {
                        currentType = d.group(1);
                    }
                    if (currentType == null) {
                        throw new IllegalStateException("bitfield " + d.group(2) + " has no type in " + m.group(2));
                    }
                    result.add(new Bitfield(m.group(2), m.group(1), d.group(2), currentType,
                            Integer.parseInt(d.group(3))));
                }
            }
            searchFrom = close + 1;
        }
        if (result.isEmpty()) {
            throw new IllegalStateException("no bitfields found: is this the preprocessed perf_event.h?");
        }
        return result;
    }

    private static int matchingBrace(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalStateException("unbalanced braces after offset " + open);
    }

    /** A C program that prints "aggregate field first_bit bit_count contiguous" for every bitfield. */
    static String probe(List<Bitfield> bitfields) {
        StringBuilder c = new StringBuilder("""
                #include <stdio.h>
                #include <string.h>
                #include "perf_event_bindings.h"

                static void report(const char *aggregate, const char *field, const unsigned char *bytes, size_t n) {
                    int first = -1, count = 0, last = -1;
                    for (size_t i = 0; i < n * 8; i++) {
                        if (bytes[i / 8] & (1u << (i % 8))) {
                            if (first < 0) first = (int) i;
                            last = (int) i;
                            count++;
                        }
                    }
                    printf("%s %s %d %d %d\\n", aggregate, field, first, count, last - first + 1 == count);
                }

                #define PROBE(kind, aggregate, field) do { \\
                    union { kind aggregate s; unsigned char b[sizeof(kind aggregate)]; } u; \\
                    memset(&u, 0, sizeof u); \\
                    u.s.field = ~0ULL; \\
                    report(#aggregate, #field, u.b, sizeof u.b); \\
                } while (0)

                int main(void) {
                """);
        for (Bitfield b : bitfields) {
            c.append("    PROBE(").append(b.kind()).append(", ").append(b.aggregate()).append(", ")
                    .append(b.name()).append(");\n");
        }
        return c.append("    return 0;\n}\n").toString();
    }

    static Map<String, Measured> readProbe(List<String> lines) {
        Map<String, Measured> result = new LinkedHashMap<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            if (!f[4].equals("1")) {
                throw new IllegalStateException("gcc placed " + f[0] + "." + f[1] + " in non-contiguous bits");
            }
            // Little-endian bit numbering: bit i of the struct is bit (i % 8) of byte (i / 8).
            result.put(f[0] + "." + f[1], new Measured(Integer.parseInt(f[2]), Integer.parseInt(f[3])));
        }
        return result;
    }

    private static void writeClasses(List<Bitfield> bitfields, Map<String, Measured> probe, Path outputDir)
            throws IOException {
        Path packageDir = outputDir.resolve(PACKAGE.replace('.', '/'));
        Files.createDirectories(packageDir);
        Map<String, List<Bitfield>> byAggregate = new LinkedHashMap<>();
        for (Bitfield b : bitfields) {
            byAggregate.computeIfAbsent(b.aggregate(), k -> new ArrayList<>()).add(b);
        }
        for (var entry : byAggregate.entrySet()) {
            List<Bitfield> fields = entry.getValue();
            String aggregate = entry.getKey();
            String kind = fields.getFirst().kind();
            StringBuilder j = new StringBuilder();
            j.append("""
                    // Generated by regenerate.sh (src/regenerate/GenerateBitfields.java) from headers/perf_event_bindings.h,
                    // with bit positions measured by gcc. jextract skips bitfields; these accessors fill the gap. Do not edit.

                    package %s;

                    import static java.lang.foreign.ValueLayout.JAVA_INT;
                    import static java.lang.foreign.ValueLayout.JAVA_LONG;

                    import java.lang.foreign.MemorySegment;

                    /**
                     * Accessors for the %d bitfields of {@code %s %s}, which jextract does not generate.
                     *
                     * <p>Each field has a getter, which returns the field zero-extended to a {@code long}, and a setter,
                     * which changes only that field's bits and throws {@link IllegalArgumentException} when the value does
                     * not fit in the field's width. The segment is the whole struct, as allocated with
                     * {@link io.github.perfevent.sys.bindings.%s#allocate}; words are read with the layout's natural
                     * alignment. Bit positions are those of the little-endian ABIs this library supports (x86_64, aarch64).
                     */
                    public final class %s_bits {

                        private %s_bits() {
                        }
                    """.formatted(PACKAGE, fields.size(), kind, aggregate, aggregate, aggregate, aggregate));
            for (Bitfield b : fields) {
                Measured m = probe.get(aggregate + "." + b.name());
                if (m == null) {
                    throw new IllegalStateException("the probe did not report " + aggregate + "." + b.name());
                }
                if (m.firstBit() < 0 || m.width() != b.width()) {
                    throw new IllegalStateException("gcc gave " + aggregate + "." + b.name() + " a width other than "
                            + b.width());
                }
                if (b.unitBytes() != Integer.BYTES && b.unitBytes() != Long.BYTES) {
                    // Only __u32/__s32 and __u64/__s64 storage units exist in the 7.2 headers; a new width needs
                    // its own read and write code below, not a silent 4-byte access.
                    throw new IllegalStateException(aggregate + "." + b.name() + " is a " + b.type()
                            + " bitfield; only 32- and 64-bit storage units are supported");
                }
                int unitBits = b.unitBytes() * 8;
                long offset = (long) (m.firstBit() / unitBits) * b.unitBytes();
                int shift = m.firstBit() % unitBits;
                if (shift + b.width() > unitBits) {
                    throw new IllegalStateException(aggregate + "." + b.name() + " crosses its storage unit");
                }
                appendAccessors(j, b, offset, shift);
            }
            j.append("}\n");
            Files.writeString(packageDir.resolve(aggregate + "_bits.java"), j.toString());
        }
    }

    private static void appendAccessors(StringBuilder j, Bitfield b, long offset, int shift) {
        boolean wide = b.unitBytes() == 8;
        String mask = b.width() == 64 ? "-1L" : "0x" + Long.toHexString((1L << b.width()) - 1) + "L";
        String max = b.width() == 64 ? "2<sup>64</sup>-1" : Long.toString((1L << b.width()) - 1);
        String decl = b.type() + " " + b.name() + " : " + b.width();
        String where = "bit" + (b.width() == 1 ? " " + shift : "s " + shift + ".." + (shift + b.width() - 1))
                + " of the " + b.type() + " at byte offset " + offset;
        String read = wide
                ? "struct.get(JAVA_LONG, " + offset + "L)"
                : "Integer.toUnsignedLong(struct.get(JAVA_INT, " + offset + "L))";
        j.append("""

                    /**
                     * Reads {@code %s} (%s).
                     *
                     * @param struct the struct
                     * @return the field's value, zero-extended
                     */
                    public static long %s(MemorySegment struct) {
                        return (%s >>> %d) & %s;
                    }

                    /**
                     * Writes {@code %s} (%s), leaving every other bit of the word unchanged.
                     *
                     * @param struct the struct
                     * @param value the new value, from 0 to %s
                     * @throws IllegalArgumentException if the value does not fit in %d bit%s
                     */
                    public static void %s(MemorySegment struct, long value) {
                        if ((value & ~%s) != 0) {
                            throw new IllegalArgumentException("%s is %d bit%s wide; " + value + " does not fit");
                        }
                """.formatted(decl, where, b.name(), read, shift, mask,
                decl, where, max, b.width(), b.width() == 1 ? "" : "s",
                b.name(), mask, b.name(), b.width(), b.width() == 1 ? "" : "s"));
        if (wide) {
            j.append("""
                            long word = struct.get(JAVA_LONG, %dL);
                            struct.set(JAVA_LONG, %dL, (word & ~(%s << %d)) | (value << %d));
                        }
                    """.formatted(offset, offset, mask, shift, shift));
        } else {
            j.append("""
                            int word = struct.get(JAVA_INT, %dL);
                            struct.set(JAVA_INT, %dL, (word & ~(int) (%s << %d)) | (int) (value << %d));
                        }
                    """.formatted(offset, offset, mask, shift, shift));
        }
    }
}
