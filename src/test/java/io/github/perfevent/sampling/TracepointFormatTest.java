/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.EventNameException;
import io.github.perfevent.sys.Tracefs;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Tracepoint payloads decoded by field name, against format texts and the real tracefs. */
class TracepointFormatTest {

    /** A format file as tracefs writes it, with a fixed array, a __data_loc and a __rel_loc string. */
    private static final String FORMAT = """
            name: demo
            ID: 4242
            format:
            \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
            \tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
            \tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
            \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

            \tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;
            \tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;
            \tfield:__data_loc char[] filename;\toffset:28;\tsize:4;\tsigned:0;
            \tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;
            \tfield:signed char delta;\toffset:40;\tsize:1;\tsigned:1;
            \tfield:short level;\toffset:42;\tsize:2;\tsigned:1;
            \tfield:__rel_loc char[] name;\toffset:44;\tsize:4;\tsigned:0;
            \tfield:unsigned long args[2];\toffset:48;\tsize:16;\tsigned:0;

            print fmt: "prev_comm=%s", REC->prev_comm
            """;

    /** A payload of {@link #FORMAT}: filename at 64 ("/bin/true"), name at 74 ("worker"). */
    private static MemorySegment payload() {
        MemorySegment raw = MemorySegment.ofArray(new byte[88]);
        raw.set(JAVA_SHORT_UNALIGNED, 0, (short) 0xFFFE);
        raw.set(JAVA_BYTE, 2, (byte) 0xF1);
        raw.set(JAVA_INT_UNALIGNED, 4, -7);
        byte[] comm = "kworker/0:1".getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(comm, 0, raw, JAVA_BYTE, 8, comm.length);
        raw.set(JAVA_INT_UNALIGNED, 24, -1);
        byte[] file = "/bin/true\0".getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(file, 0, raw, JAVA_BYTE, 64, file.length);
        raw.set(JAVA_INT_UNALIGNED, 28, (file.length << 16) | 64);
        raw.set(JAVA_LONG_UNALIGNED, 32, Long.MIN_VALUE + 5);
        raw.set(JAVA_BYTE, 40, (byte) -3);
        raw.set(JAVA_SHORT_UNALIGNED, 42, (short) -300);
        byte[] name = "worker\0".getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(name, 0, raw, JAVA_BYTE, 74, name.length);
        raw.set(JAVA_INT_UNALIGNED, 44, (name.length << 16) | (74 - 48)); // relative to the field's end
        return raw;
    }

    @Test
    void parseReadsEveryFieldOfTheFormatText() {
        TracepointFormat f = TracepointFormat.parse("demo:demo", FORMAT);
        assertEquals("demo:demo", f.name());
        assertEquals(4242, f.id());
        assertEquals(12, f.fields().size());
        assertEquals(new TracepointFormat.Field("prev_comm", "char", 8, 16, false, true, false, false),
                f.field("prev_comm"));
        assertEquals(new TracepointFormat.Field("prev_pid", "pid_t", 24, 4, true, false, false, false),
                f.field("prev_pid"));
        assertEquals(new TracepointFormat.Field("filename", "__data_loc char[]", 28, 4, false, false, true, false),
                f.field("filename"));
        assertEquals(new TracepointFormat.Field("name", "__rel_loc char[]", 44, 4, false, false, false, true),
                f.field("name"));
        assertEquals(new TracepointFormat.Field("common_type", "unsigned short", 0, 2, false, false, false, false),
                f.fields().getFirst());
        assertTrue(f.field("args").array());
        assertTrue(f.field("prev_comm").isString());
        assertTrue(f.field("filename").isString());
        assertTrue(f.field("name").isString());
        assertFalse(f.field("common_flags").isString(), "unsigned char is a number");
        assertFalse(TracepointFormat.parse("x:y", "\tfield:__data_loc u8[] buf;\toffset:8;\tsize:4;\tsigned:0;\n")
                .field("buf").isString());
        assertFalse(f.field("args").isInteger());
        assertFalse(f.field("args").isString());
        assertTrue(f.toString().contains("12 fields"));
    }

    @Test
    void integerFieldsAreSignExtendedOnlyWhenSigned() {
        TracepointFormat f = TracepointFormat.parse("demo:demo", FORMAT);
        MemorySegment raw = payload();
        assertEquals(0xFFFE, f.longField(raw, "common_type"));
        assertEquals(0xF1, f.longField(raw, "common_flags"));
        assertEquals(-7, f.longField(raw, "common_pid"));
        assertEquals(-1, f.longField(raw, "prev_pid"));
        assertEquals(Long.MIN_VALUE + 5, f.longField(raw, "prev_state"));
        assertEquals(-3, f.longField(raw, "delta"));
        assertEquals(-300, f.longField(raw, "level"));
    }

    @Test
    void stringFieldsAreReadFromArraysDataLocAndRelLoc() {
        TracepointFormat f = TracepointFormat.parse("demo:demo", FORMAT);
        MemorySegment raw = payload();
        assertEquals("kworker/0:1", f.stringField(raw, "prev_comm"));
        assertEquals("/bin/true", f.stringField(raw, "filename"));
        assertEquals("worker", f.stringField(raw, "name"));
        byte[] full = "0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(full, 0, raw, JAVA_BYTE, 8, full.length);
        assertEquals("0123456789abcdef", f.stringField(raw, "prev_comm"), "a full array has no NUL");
    }

    @Test
    void wrongFieldsAndShortPayloadsAreRefused() {
        TracepointFormat f = TracepointFormat.parse("demo:demo", FORMAT);
        MemorySegment raw = payload();
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> f.longField(raw, "prev_pdi"));
        assertTrue(unknown.getMessage().contains("did you mean 'prev_pid'"), unknown.getMessage());
        String notInteger = assertThrows(IllegalArgumentException.class, () -> f.longField(raw, "prev_comm"))
                .getMessage();
        assertTrue(notInteger.contains("is char [16 bytes], not an integer") && notInteger.contains("stringField"),
                notInteger);
        String dynamic = assertThrows(IllegalArgumentException.class, () -> f.longField(raw, "filename")).getMessage();
        assertTrue(dynamic.contains("is __data_loc char[], not an integer"), dynamic);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> f.stringField(raw, "prev_pid")).getMessage()
                .contains("longField"));
        assertThrows(IllegalArgumentException.class, () -> f.longField(raw, "args"));
        assertThrows(IllegalArgumentException.class, () -> f.stringField(raw, "args"));
        MalformedRecordException shortRaw = assertThrows(MalformedRecordException.class,
                () -> f.longField(raw.asSlice(0, 39), "prev_state"));
        assertTrue(shortRaw.reason().contains("needs bytes 32 to 40; the raw data has 39"), shortRaw.reason());
        assertEquals(Long.MIN_VALUE + 5, f.longField(raw.asSlice(0, 40), "prev_state"), "a field up to the end");
        assertEquals("kworker/0:1", f.stringField(raw.asSlice(0, 24), "prev_comm"), "an array up to the end");
        assertThrows(MalformedRecordException.class, () -> f.stringField(raw.asSlice(0, 20), "prev_comm"));
        assertThrows(MalformedRecordException.class, () -> f.stringField(raw.asSlice(0, 30), "filename"));
        assertThrows(MalformedRecordException.class, () -> f.stringField(raw.asSlice(0, 70), "filename"));
        raw.set(JAVA_INT_UNALIGNED, 28, 0xFFFF_FFFF);
        assertThrows(MalformedRecordException.class, () -> f.stringField(raw, "filename"));
        assertThrows(NullPointerException.class, () -> f.longField(null, "prev_pid"));
        assertThrows(NullPointerException.class, () -> f.stringField(raw, null));
    }

    @Test
    void malformedFormatTextsAreRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TracepointFormat.parse("x:y", "name: y\n"))
                .getMessage().contains("no field"));
        assertThrows(IllegalArgumentException.class, () -> TracepointFormat.parse("x:y",
                "\tfield:int a;\toffset:zero;\tsize:4;\tsigned:1;\n"));
        assertThrows(IllegalArgumentException.class, () -> TracepointFormat.parse("x:y",
                "\tfield:;\toffset:0;\tsize:4;\tsigned:1;\n"));
        assertEquals(-1, TracepointFormat.parse("x:y", "\tfield:int a;\toffset:0;\tsize:4;\tsigned:1;\n").id());
    }

    @Test
    void ofReadsTheFormatFileOfTheMountedTracefs() throws Exception {
        Tracefs tracefs = Tracefs.acquire();
        try {
            long id = tracefs.eventId("sched", "sched_switch");
            TracepointFormat f = TracepointFormat.of("sched:sched_switch");
            assertEquals(id, f.id());
            assertEquals("sched:sched_switch", f.name());
            String text = Files.readString(Tracefs.ROOT.resolve("events/sched/sched_switch/format"));
            assertEquals(TracepointFormat.parse("sched:sched_switch", text).fields(), f.fields());
            assertTrue(f.field("prev_comm").isString());
            assertTrue(f.field("next_pid").signed());
            assertEquals(0, f.field("common_type").offset());
            EventNameException missing = assertThrows(EventNameException.class,
                    () -> TracepointFormat.of("sched:sched_swtich"));
            assertTrue(missing.suggestions().contains("sched:sched_switch"), missing.suggestions().toString());
            assertThrows(IllegalArgumentException.class, () -> TracepointFormat.of("sched_switch"));
            assertThrows(IllegalArgumentException.class, () -> TracepointFormat.of("sched:../sched/sched_switch"));
            assertThrows(NullPointerException.class, () -> TracepointFormat.of(null));
        } finally {
            tracefs.release();
        }
    }

    @Test
    void aFailedFileAccessCarriesTheErrnoTheJdkReports() {
        io.github.perfevent.PerfEventException e = FileFailures.perfEventException("read x",
                new java.nio.file.NoSuchFileException("/sys/kernel/tracing/events/a/b/format"), "cannot read it");
        assertEquals(io.github.perfevent.sys.Errno.ENOENT, e.errno());
        assertEquals("read x", e.call());
        assertTrue(e.getMessage().contains("cannot read it"), e.getMessage());
        assertEquals(io.github.perfevent.sys.Errno.EACCES, FileFailures.perfEventException("read y",
                new java.nio.file.AccessDeniedException("/f"), "").errno());
    }

    @Test
    void suggestionsRankFieldsByEditDistance() {
        assertEquals(3, TracepointFormat.distance("kitten", "sitting"));
        assertEquals(3, TracepointFormat.distance("", "abc"));
        assertEquals(3, TracepointFormat.distance("abc", ""));
        assertEquals(2, TracepointFormat.distance("flaw", "lawn"));
        assertEquals(0, TracepointFormat.distance("prev_pid", "prev_pid"));
        assertEquals(1, TracepointFormat.distance("next_pi", "next_pid"));
        TracepointFormat f = TracepointFormat.parse("demo:demo", FORMAT);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> f.field("next_pid")).getMessage()
                .contains("did you mean 'prev_pid'"));
    }
}
