/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile.output;

import static io.github.perfevent.profile.output.Profiles.jit;
import static io.github.perfevent.profile.output.Profiles.kernel;
import static io.github.perfevent.profile.output.Profiles.nativeFrame;
import static io.github.perfevent.profile.output.Profiles.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.profile.output.StackFrame.Kind;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The folded format as FlameGraph's scripts, speedscope and async-profiler read and write it: root first, one line per
 * distinct stack, the count after the last space, frames decorated by kind, names escaped.
 */
class FoldedStacksTest {

    @Test
    void writesEachStackRootFirstWithTheDecorationOfEachKind() {
        FoldedStacks stacks = FoldedStacks.create();
        stacks.add(sample(3,
                kernel("do_syscall_64"),
                new StackFrame("Interpreter", "", Kind.INTERPRETER),
                new StackFrame("java.lang.String::hashCode", "", Kind.INLINED),
                jit("Ljava/util/HashMap;::put"),
                nativeFrame("start_thread")));
        assertEquals("start_thread;Ljava/util/HashMap\\x3b::put_[j];java.lang.String::hashCode_[i];Interpreter;"
                + "do_syscall_64_[k] 3\n", stacks.toString());
        assertEquals(1, stacks.size());
        assertEquals(3, stacks.total());
    }

    @Test
    void unknownFramesAreNamedByTheBaseNameOfTheirModule() {
        assertEquals("[libc.so.6]", FoldedStacks.frameText(
                new StackFrame("[unknown]", "/usr/lib/x86_64-linux-gnu/libc.so.6", Kind.UNKNOWN)));
        assertEquals("[libjvm.so]", FoldedStacks.frameText(new StackFrame("", "libjvm.so", Kind.NATIVE)));
        assertEquals("[unknown]", FoldedStacks.frameText(new StackFrame("", "", Kind.UNKNOWN)));
        assertEquals("[unknown]", FoldedStacks.frameText(new StackFrame("[unknown]", "/opt/", Kind.UNKNOWN)));
        assertEquals("[kernel.kallsyms]_[k]", FoldedStacks.frameText(kernel("[unknown]")));
        assertEquals("[kernel]_[k]", FoldedStacks.frameText(new StackFrame("[kernel]", "", Kind.KERNEL)));
        assertEquals("main", FoldedStacks.frameText(new StackFrame("main", "/usr/bin/app", Kind.NATIVE)),
                "a named frame does not show its module");
    }

    @Test
    void escapesEverythingThatWouldBreakALineOrSplitAFrame() {
        FoldedStacks stacks = FoldedStacks.create();
        stacks.add(sample(1, nativeFrame("a;b"), nativeFrame("line\nbreak\rreturn"), nativeFrame("back\\slash"),
                nativeFrame("tab\there\u007f\u0001"), nativeFrame("spaces are fine"), nativeFrame("ünï€ode")));
        String folded = stacks.toString();
        assertEquals("ünï€ode;spaces are fine;tab\\x09here\\x7f\\x01;back\\\\slash;line\\nbreak\\rreturn;a\\x3bb 1\n",
                folded);
        assertEquals(1, folded.split("\n").length);
        assertEquals(6, folded.split(";").length);
    }

    @Test
    void escapeAndUnescapeAreInverse() {
        for (String name : List.of("", "plain", "a;b;;", "\\", "\\x3b", "\\n", "\n\r\t", "\u0000\u001f\u007f",
                "trailing\\", "é😀")) {
            String escaped = FoldedStacks.escape(name);
            assertFalse(escaped.contains(";") || escaped.contains("\n") || escaped.contains("\r"), escaped);
            assertEquals(name, FoldedStacks.unescape(escaped), escaped);
        }
        assertEquals("\\q\\x3", FoldedStacks.unescape("\\q\\x3"), "a backslash that starts no escape stays");
        assertEquals("\\xg1", FoldedStacks.unescape("\\xg1"));
        assertEquals("\\x1g", FoldedStacks.unescape("\\x1g"));
        assertEquals(";", FoldedStacks.unescape("\\x3B"));
    }

    @Test
    void threadRootsPutTheThreadAsTheRootFrame() {
        FoldedStacks stacks = FoldedStacks.withThreadRoots();
        assertTrue(stacks.threadRoots());
        assertFalse(FoldedStacks.create().threadRoots());
        stacks.add(new StackSample("C2 Compiler;Thread#0", 42, List.of(jit("Foo.bar"), nativeFrame("start")), 2));
        stacks.add(new StackSample("main", 1, List.of(jit("Foo.bar"), nativeFrame("start")), 5));
        assertEquals("[C2 Compiler\\x3bThread#0 tid=42];start;Foo.bar_[j] 2\n[main tid=1];start;Foo.bar_[j] 5\n",
                stacks.toString());
        assertTrue(FoldedStacks.isThreadFrame(FoldedStacks.threadFrame("x y", -1)));
        assertFalse(FoldedStacks.isThreadFrame("[libc.so.6]"));
        assertFalse(FoldedStacks.isThreadFrame("[main tid=1]_[j]"));
    }

    @Test
    void aSampleWithoutFramesCountsAsOneFrameSayingSo() {
        FoldedStacks plain = FoldedStacks.create();
        plain.add(new StackSample("main", 1, List.of(), 4));
        assertEquals(FoldedStacks.NO_FRAMES + " 4\n", plain.toString());
        FoldedStacks threads = FoldedStacks.withThreadRoots();
        threads.add(new StackSample("main", 1, List.of(), 4));
        assertEquals("[main tid=1];" + FoldedStacks.NO_FRAMES + " 4\n", threads.toString());
    }

    @Test
    void identicalStacksAreSummedAndStacksSortedFrameByFrame() {
        FoldedStacks stacks = FoldedStacks.create();
        stacks.add(sample(1, nativeFrame("b"), nativeFrame("a")));
        stacks.add(sample(2, nativeFrame("a b"), nativeFrame("a")));
        stacks.add(sample(4, nativeFrame("a")));
        stacks.add(sample(8, nativeFrame("b"), nativeFrame("a")));
        stacks.add(sample(16, nativeFrame("z")));
        stacks.add(sample(32, nativeFrame("c"), nativeFrame("a b")));
        // Frame by frame: "a" and its callees before "a b", although "a b;c" < "a;b" as whole lines.
        assertEquals("a 4\na;a b 2\na;b 9\na b;c 32\nz 16\n", stacks.toString());
        assertEquals(63, stacks.total());
        assertEquals(5, stacks.size());
        assertEquals(List.of(List.of("a"), List.of("a", "a b"), List.of("a", "b"), List.of("a b", "c"), List.of("z")),
                List.copyOf(stacks.stacks().keySet()));
        assertEquals(List.of(4L, 2L, 9L, 32L, 16L), List.copyOf(stacks.stacks().values()));
    }

    @Test
    void stacksShareOneInstanceOfEachFrameText() {
        FoldedStacks stacks = FoldedStacks.create();
        stacks.add(List.of(new String("main"), new String("a")), 1);
        stacks.add(List.of(new String("main"), new String("b")), 1);
        stacks.add(sample(1, nativeFrame(new String("a")), nativeFrame(new String("main"))));
        List<List<String>> all = List.copyOf(stacks.stacks().keySet());
        assertEquals(List.of(List.of("main", "a"), List.of("main", "b")), all);
        assertSame(all.get(0).get(0), all.get(1).get(0), "100,000 stacks must not hold 100,000 copies of \"main\"");
    }

    @Test
    void stacksInFoldedFormAreAddedAsTheyAre() {
        FoldedStacks stacks = FoldedStacks.create();
        stacks.add(List.of("main", "work_[j]"), 7);
        stacks.add(new ArrayList<>(List.of("main", "work_[j]")), 1);
        assertEquals("main;work_[j] 8\n", stacks.toString());
        assertThrows(IllegalArgumentException.class, () -> stacks.add(List.of(), 1));
        assertThrows(IllegalArgumentException.class, () -> stacks.add(List.of("a"), 0));
        for (String bad : List.of("", "a;b", "a\nb", "a\rb", ";a", "\na", "\ra")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> stacks.add(List.of("main", bad), 1));
            assertTrue(e.getMessage().contains("not a folded frame"), e.getMessage());
        }
        assertEquals("main;work_[j] 8\n", stacks.toString(), "a refused stack adds nothing");
    }

    @Test
    void readingBackGivesTheSameStacksAndTheSameText() throws IOException {
        FoldedStacks stacks = FoldedStacks.withThreadRoots();
        stacks.add(new StackSample("w;1", 9, List.of(jit("x;y"), nativeFrame("sp ace"), kernel("k")), 3));
        stacks.add(new StackSample("main", 1, List.of(new StackFrame("", "/lib/libz.so.1", Kind.UNKNOWN)), 1));
        stacks.add(new StackSample("main", 1, List.of(), 2));
        String folded = stacks.toString();
        FoldedStacks read = FoldedStacks.read(new StringReader(folded));
        assertEquals(folded, read.toString());
        assertEquals(stacks.stacks(), read.stacks());
        assertEquals(stacks.total(), read.total());
        assertFalse(read.threadRoots());
    }

    @Test
    void namesWithUnicodeLineSeparatorsReadBack() throws IOException {
        // Found by FoldedStacksFuzzTest: java.util.regex's '.' stops at U+0085, U+2028 and U+2029, which are not line
        // ends in a folded file (BufferedReader and flamegraph.pl end lines at \n and \r only).
        FoldedStacks stacks = FoldedStacks.create();
        stacks.add(sample(2, nativeFrame("next\u0085line"), nativeFrame("line\u2028separator\u2029paragraph")));
        FoldedStacks read = FoldedStacks.read(new StringReader(stacks.toString()));
        assertEquals(stacks.stacks(), read.stacks());
    }

    @Test
    void readsFlameGraphInputWithBlankLinesDuplicatesAndSpaces() throws IOException {
        String input = "\nmain;a 1\r\n   \nmain;a 2\nmain;do work;sp  3\n";
        FoldedStacks read = FoldedStacks.read(new StringReader(input));
        assertEquals(Map.of(List.of("main", "a"), 3L, List.of("main", "do work", "sp "), 3L), read.stacks(),
                "as flamegraph.pl: one whitespace before the count, the rest is the stack");
        assertEquals(6, read.total());
    }

    @Test
    void malformedLinesAreRejectedWithTheirLineNumber() {
        for (String line : List.of("main;a", "main;a 1.5", "main;a -1", "main;a 0", " 3", "main;;a 1", "main; 1",
                "main;a 99999999999999999999")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FoldedStacks.read(new StringReader("ok 1\n" + line + "\n")), line);
            assertTrue(e.getMessage().startsWith("line 2"), e.getMessage());
        }
        String longLine = "x".repeat(201);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FoldedStacks.read(new StringReader(longLine)));
        assertTrue(e.getMessage().endsWith(": " + "x".repeat(200) + "..."), "abbreviated: " + e.getMessage());
        String shortLine = "x".repeat(200);
        e = assertThrows(IllegalArgumentException.class, () -> FoldedStacks.read(new StringReader(shortLine)));
        assertTrue(e.getMessage().endsWith(": " + shortLine), "whole: " + e.getMessage());
    }

    @Test
    void totalsThatWouldOverflowAreRefusedAndAddNothing() {
        FoldedStacks stacks = FoldedStacks.create();
        stacks.add(List.of("a"), Long.MAX_VALUE);
        assertThrows(ArithmeticException.class, () -> stacks.add(List.of("a"), 1));
        assertThrows(ArithmeticException.class, () -> stacks.add(sample(1, nativeFrame("b"))));
        assertEquals("a " + Long.MAX_VALUE + "\n", stacks.toString());
        assertThrows(ArithmeticException.class,
                () -> FoldedStacks.read(new StringReader("a " + Long.MAX_VALUE + "\nb 1\n")));
    }

    @Test
    void parseFrameReadsTheKindFromTheDecorationAndUnescapesTheName() {
        for (Kind kind : Kind.values()) {
            String name = switch (kind) {
                case INTERPRETER -> "Interpreter";
                case UNKNOWN -> "[libc.so.6]";
                default -> "pkg/Cls.m;x\n";
            };
            StackFrame frame = new StackFrame(name, "", kind);
            assertEquals(frame, FoldedStacks.parseFrame(FoldedStacks.frameText(frame)), kind.name());
        }
        assertEquals(new StackFrame("Foo.bar", "", Kind.INTERPRETER), FoldedStacks.parseFrame("Foo.bar_[0]"),
                "async-profiler's interpreted frames");
        assertEquals(new StackFrame("a_[x]", "", Kind.NATIVE), FoldedStacks.parseFrame("a_[x]"));
        assertEquals(new StackFrame("[main tid=1]", "", Kind.UNKNOWN), FoldedStacks.parseFrame("[main tid=1]"));
        assertEquals(new StackFrame("[", "", Kind.NATIVE), FoldedStacks.parseFrame("["));
        assertEquals(new StackFrame("x]", "", Kind.NATIVE), FoldedStacks.parseFrame("x]"));
    }

    @Test
    void kindsKnowTheirSuffixes() {
        assertEquals(List.of("", "_[k]", "_[j]", "", "_[i]", ""),
                Arrays.stream(Kind.values()).map(Kind::suffix).toList());
    }

    @Test
    void nullsAndBadSamplesAreRefusedNamingTheParameter() {
        FoldedStacks stacks = FoldedStacks.create();
        assertEquals("sample", assertThrows(NullPointerException.class, () -> stacks.add(null)).getMessage());
        assertEquals("frames", assertThrows(NullPointerException.class, () -> stacks.add(null, 1)).getMessage());
        assertEquals("frame", assertThrows(NullPointerException.class,
                () -> stacks.add(Arrays.asList("a", null), 1)).getMessage());
        assertEquals("out", assertThrows(NullPointerException.class, () -> stacks.write(null)).getMessage());
        assertEquals("in", assertThrows(NullPointerException.class, () -> FoldedStacks.read(null)).getMessage());
        assertEquals("frame", assertThrows(NullPointerException.class,
                () -> FoldedStacks.frameText(null)).getMessage());
        assertEquals("threadName", assertThrows(NullPointerException.class,
                () -> FoldedStacks.threadFrame(null, 1)).getMessage());
        assertEquals("text", assertThrows(NullPointerException.class,
                () -> FoldedStacks.isThreadFrame(null)).getMessage());
        assertEquals("text", assertThrows(NullPointerException.class,
                () -> FoldedStacks.parseFrame(null)).getMessage());
        assertEquals("name", assertThrows(NullPointerException.class, () -> FoldedStacks.escape(null)).getMessage());
        assertEquals("text", assertThrows(NullPointerException.class, () -> FoldedStacks.unescape(null)).getMessage());
        assertEquals("name", assertThrows(NullPointerException.class,
                () -> new StackFrame(null, "", Kind.JIT)).getMessage());
        assertEquals("module", assertThrows(NullPointerException.class,
                () -> new StackFrame("a", null, Kind.JIT)).getMessage());
        assertEquals("kind", assertThrows(NullPointerException.class,
                () -> new StackFrame("a", "", null)).getMessage());
        assertEquals("threadName", assertThrows(NullPointerException.class,
                () -> new StackSample(null, 1, List.of(), 1)).getMessage());
        assertEquals("frames", assertThrows(NullPointerException.class,
                () -> new StackSample("t", 1, null, 1)).getMessage());
        assertThrows(NullPointerException.class, () -> new StackSample("t", 1, Arrays.asList((StackFrame) null), 1));
        assertThrows(IllegalArgumentException.class, () -> sample(0, jit("a")));
        assertThrows(IllegalArgumentException.class, () -> sample(-5, jit("a")));
        assertEquals(1, sample(1, jit("a")).weight());
    }

    @Test
    void aSampleCopiesItsFrames() {
        List<StackFrame> frames = new ArrayList<>(List.of(jit("a")));
        StackSample sample = new StackSample("t", 1, frames, 1);
        frames.add(jit("b"));
        assertEquals(List.of(jit("a")), sample.frames());
    }
}
