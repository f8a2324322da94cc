/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The decoder's tables against the text of the vendored header: record bodies exist there only as comments, so this
 * test reads the comment above each {@code PERF_RECORD_*} value and checks the table of its {@link RecordType} (names,
 * element types, arrays, in order), the order of {@link SampleField} against the {@code PERF_RECORD_SAMPLE} comment,
 * the {@code struct sample_id} order, and every {@code PERF_SAMPLE_*} bit.
 */
class HeaderTablesTest {

    private static final Path HEADER = Path.of("headers/include/linux/perf_event.h");
    private static final Pattern VALUE = Pattern.compile("^\\s*PERF_RECORD_(\\w+)\\s*=\\s*(\\d+),");
    private static final Pattern DECLARATION = Pattern.compile(
            "(u8|u16|u32|u64|char|struct\\s+\\w+)\\s+([\\w\\s,\\[\\]]+);");
    private static final Pattern CONDITION = Pattern.compile("&&\\s*PERF_SAMPLE_(\\w+)");

    private static String text;
    /** The comment above each PERF_RECORD_* value, by name; in the header's order. */
    private static final Map<String, String> COMMENTS = new LinkedHashMap<>();
    private static final Map<String, Integer> IDS = new LinkedHashMap<>();

    /** One declared part of a record body: its name, its C type, whether it is an array. */
    record Part(String name, String type, boolean array) {
    }

    @BeforeAll
    static void readHeader() throws IOException {
        text = Files.readString(HEADER);
        String types = text.substring(text.indexOf("enum perf_event_type {"));
        types = types.substring(0, types.indexOf("\n};"));
        StringBuilder comment = new StringBuilder();
        String last = "";
        boolean inComment = false;
        for (String line : types.split("\n")) {
            String t = line.strip();
            if (t.startsWith("/*")) {
                inComment = true;
                comment.setLength(0);
            }
            if (inComment) {
                comment.append(t).append('\n');
                if (t.endsWith("*/")) {
                    inComment = false;
                    last = comment.toString();
                }
                continue;
            }
            Matcher m = VALUE.matcher(line);
            if (m.find()) {
                COMMENTS.put(m.group(1), last); // THROTTLE and UNTHROTTLE share one comment
                IDS.put(m.group(1), Integer.parseInt(m.group(2)));
            }
        }
    }

    /** The struct { ... } of a comment, line by line, without the leading " * " and the "#" notes. */
    private static List<String> structLines(String comment) {
        int start = comment.indexOf("struct {");
        int end = comment.lastIndexOf("};");
        assertTrue(start >= 0 && end > start, "no struct in " + comment);
        List<String> lines = new ArrayList<>();
        for (String line : comment.substring(start + "struct {".length(), end).split("\n")) {
            String t = line.replaceFirst("^\\s*\\*", "").strip();
            if (!t.startsWith("#") && !t.isEmpty()) {
                lines.add(t);
            }
        }
        return lines;
    }

    private static List<Part> declaredParts(String comment) {
        List<Part> parts = new ArrayList<>();
        for (String line : structLines(comment)) {
            Matcher m = DECLARATION.matcher(line);
            while (m.find()) {
                String type = m.group(1).replaceAll("\\s+", " ");
                for (String name : m.group(2).split(",")) {
                    String n = name.strip();
                    boolean array = n.contains("[");
                    n = n.replaceAll("\\[.*", "").strip();
                    if (!n.equals("header")) {
                        parts.add(new Part(n, type, array));
                    }
                }
            }
        }
        return parts;
    }

    private static List<Part> tableParts(RecordType type) {
        List<Part> parts = new ArrayList<>();
        for (RecordType.Field f : type.fields()) {
            switch (f.kind()) {
                case U8 -> parts.add(new Part(f.name(), "u8", false));
                case U16 -> parts.add(new Part(f.name(), "u16", false));
                case U32 -> parts.add(new Part(f.name(), "u32", false));
                case U64 -> parts.add(new Part(f.name(), "u64", false));
                case BYTES -> parts.add(new Part(f.name(), "u8", true));
                case STRING -> parts.add(new Part(f.name(), "char", true));
                case READ_FORMAT -> parts.add(new Part(f.name(), "struct read_format", false));
                case SAMPLE_ID -> parts.add(new Part(f.name(), "struct sample_id", false));
                case ARRAY -> {
                    if (f.members().equals(List.of(f.name()))) {
                        parts.add(new Part(f.name(), f.size() == 1 ? "u8" : "u64", true));
                    } else {
                        for (String member : f.members()) { // { u64 dev, inode; } [nr]: each member one u64
                            parts.add(new Part(member, "u64", false));
                        }
                    }
                }
            }
        }
        return parts;
    }

    @Test
    void everyRecordTypeOfTheHeaderHasATableAndTheSameId() {
        for (Map.Entry<String, Integer> e : IDS.entrySet()) {
            RecordType type = RecordType.valueOf(e.getKey());
            assertEquals(e.getValue(), type.id(), e.getKey());
            assertEquals(type, RecordType.of(e.getValue()));
        }
        for (RecordType type : RecordType.values()) {
            assertEquals(type != RecordType.UNKNOWN, IDS.containsKey(type.name()), type.toString());
        }
        assertFalse(IDS.isEmpty());
    }

    @Test
    void everyTableMatchesTheCommentAboveItsValue() {
        int checked = 0;
        for (RecordType type : RecordType.values()) {
            if (type == RecordType.SAMPLE || type == RecordType.UNKNOWN) {
                continue;
            }
            List<Part> declared = declaredParts(COMMENTS.get(type.name()));
            assertEquals(declared, tableParts(type), "PERF_RECORD_" + type);
            assertEquals("sample_id", declared.getLast().name(), type + " ends with its sample_id");
            checked++;
        }
        assertEquals(IDS.size() - 1, checked);
    }

    @Test
    void sampleFieldsAreInTheOrderOfThePerfRecordSampleComment() {
        List<String> order = new ArrayList<>();
        for (String line : structLines(COMMENTS.get("SAMPLE"))) {
            Matcher m = CONDITION.matcher(line);
            while (m.find()) {
                String field = m.group(1);
                // hw_idx and the counters are parts of BRANCH_STACK; WEIGHT_STRUCT is written twice (#if/#elif)
                if (!field.equals("BRANCH_HW_INDEX") && !field.equals("BRANCH_COUNTERS") && (order.isEmpty() || !order.getLast().equals(field))) {
                    order.add(field);
                }
            }
        }
        assertEquals(order, Arrays.stream(SampleField.values()).map(Enum::name).toList());
    }

    @Test
    void sampleIdFieldsAreInTheOrderOfTheStructSampleIdComment() {
        String comment = text.substring(text.indexOf("struct sample_id {"));
        comment = comment.substring(0, comment.indexOf("} && perf_event_attr::sample_id_all"));
        List<String> order = new ArrayList<>();
        Matcher m = CONDITION.matcher(comment);
        while (m.find()) {
            order.add(m.group(1));
        }
        assertEquals(order, Arrays.stream(SampleFormat.SAMPLE_ID_ORDER).map(Enum::name).toList());
    }

    @Test
    void everySampleBitOfTheHeaderIsASampleField() {
        Matcher m = Pattern.compile("PERF_SAMPLE_(\\w+)\\s*=\\s*1U << (\\d+),").matcher(
                text.substring(text.indexOf("enum perf_event_sample_format"), text.indexOf("PERF_SAMPLE_MAX")));
        int found = 0;
        while (m.find()) {
            assertEquals(1L << Integer.parseInt(m.group(2)), SampleField.valueOf(m.group(1)).bit(), m.group(1));
            found++;
        }
        assertEquals(SampleField.values().length, found);
    }

    @Test
    void theTablesGiveTheOffsetsTheHeaderImplies() {
        // spot checks of the offsets the tables compute (header 8 bytes, then the fields in order)
        assertEquals(8, RecordType.MMAP.field("pid").offset());
        assertEquals(40, RecordType.MMAP.field("filename").offset());
        assertEquals(40, RecordType.MMAP2.field("maj").offset());
        assertEquals(40, RecordType.MMAP2.field("build_id_size").offset());
        assertEquals(44, RecordType.MMAP2.field("build_id").offset());
        assertEquals(64, RecordType.MMAP2.field("prot").offset());
        assertEquals(72, RecordType.MMAP2.field("filename").offset());
        assertEquals(20, RecordType.TEXT_POKE.field("bytes").offset());
        assertEquals(List.of("old_len", "new_len"), RecordType.TEXT_POKE.field("bytes").count());
        assertEquals(16, RecordType.NAMESPACES.field("namespaces").size());
        assertEquals(-1, RecordType.SWITCH.field("sample_id").offset());
        assertTrue(RecordType.LOST.field("lost").isInteger());
        assertFalse(RecordType.BPF_EVENT.field("tag").isInteger());
        assertEquals(List.of(), RecordType.SAMPLE.fields());
    }
}
