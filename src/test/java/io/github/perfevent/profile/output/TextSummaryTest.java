/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile.output;

import static io.github.perfevent.profile.output.Profiles.jit;
import static io.github.perfevent.profile.output.Profiles.nativeFrame;
import static io.github.perfevent.profile.output.Profiles.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The text summary: its numbers are the folded stacks' numbers, counted here from the folded text itself. */
class TextSummaryTest {

    private static final Pattern ROW = Pattern.compile(" *(\\d+) +(\\d+\\.\\d\\d)% +(\\d+) +(\\d+\\.\\d\\d)%  (.*)");

    @Test
    void selfAndTotalOfEveryFrameEqualTheFoldedInput() throws IOException {
        FoldedStacks stacks = Profiles.large(2_000, new Random(7));
        Map<String, long[]> expected = weightsFromFolded(stacks.toString());
        TextSummary summary = TextSummary.of(stacks);
        List<TextSummary.Entry> all = summary.topByTotal(Integer.MAX_VALUE);
        assertEquals(expected.size(), all.size());
        for (TextSummary.Entry entry : all) {
            long[] weights = expected.get(entry.frame());
            assertEquals(weights[0], entry.self(), entry.frame());
            assertEquals(weights[1], entry.total(), entry.frame());
        }
        assertEquals(stacks.total(), summary.total());
        assertEquals(expected.values().stream().mapToLong(w -> w[0]).sum(), stacks.total());
    }

    @Test
    void theTablesListTheLargestFirstWithPercentagesOfTheTotal() throws IOException {
        FoldedStacks stacks = Profiles.large(500, new Random(3));
        Map<String, long[]> expected = weightsFromFolded(stacks.toString());
        StringBuilder text = new StringBuilder();
        TextSummary.of(stacks).write(text, 10, "samples", new Accounting(1234, 5, 6, 7));
        String[] lines = text.toString().split("\n");
        assertEquals("Total: " + stacks.total() + " samples in " + stacks.size() + " distinct stacks", lines[0]);
        assertEquals("Samples recorded: 1234", lines[1]);
        assertEquals("Samples lost: 5", lines[2]);
        assertEquals("Unsymbolized frames: 6", lines[3]);
        assertEquals("Truncated stacks: 7", lines[4]);
        assertEquals("", lines[5]);
        assertEquals("Top 10 frames by self samples:", lines[6]);
        assertTrue(lines[7].trim().startsWith("self"), lines[7]);
        checkTable(List.of(lines).subList(8, 18), expected, stacks.total(), 0);
        assertEquals("", lines[18]);
        assertEquals("Top 10 frames by total samples:", lines[19]);
        checkTable(List.of(lines).subList(21, 31), expected, stacks.total(), 1);
        assertEquals(31, lines.length);
        assertTrue(lines[8].endsWith("  Hot.spin_[j]"), "the dominant frame leads by self: " + lines[8]);
    }

    private static void checkTable(List<String> rows, Map<String, long[]> expected, long total, int column) {
        long previous = Long.MAX_VALUE;
        List<Long> all = expected.values().stream().map(w -> w[column]).sorted((a, b) -> Long.compare(b, a)).toList();
        for (int i = 0; i < rows.size(); i++) {
            Matcher row = ROW.matcher(rows.get(i));
            assertTrue(row.matches(), rows.get(i));
            long[] weights = expected.get(row.group(5));
            assertEquals(weights[0], Long.parseLong(row.group(1)), rows.get(i));
            assertEquals(String.format(Locale.ROOT, "%.2f", 100.0 * weights[0] / total), row.group(2));
            assertEquals(weights[1], Long.parseLong(row.group(3)), rows.get(i));
            assertEquals(String.format(Locale.ROOT, "%.2f", 100.0 * weights[1] / total), row.group(4));
            long value = weights[column];
            assertTrue(value <= previous, "sorted, largest first");
            assertEquals(all.get(i), value, "the " + (i + 1) + "th largest");
            previous = value;
        }
    }

    @Test
    void recursionCountsOnceTowardsATotalAndTiesAreOrderedByName() {
        FoldedStacks stacks = FoldedStacks.create();
        stacks.add(sample(2, nativeFrame("f"), nativeFrame("f"), nativeFrame("main")));
        stacks.add(sample(2, nativeFrame("g"), nativeFrame("main")));
        stacks.add(sample(1, nativeFrame("main")));
        TextSummary summary = TextSummary.of(stacks);
        assertEquals(List.of(new TextSummary.Entry("f", 2, 2), new TextSummary.Entry("g", 2, 2),
                new TextSummary.Entry("main", 1, 5)), summary.topBySelf(5));
        assertEquals(List.of(new TextSummary.Entry("main", 1, 5), new TextSummary.Entry("f", 2, 2)),
                summary.topByTotal(2));
        assertEquals(100.0, summary.percent(5));
        assertEquals(40.0, summary.percent(2));
        assertEquals(List.of(), summary.topBySelf(0));
    }

    @Test
    void framesWithoutSelfWeightAreNotInTheSelfTable() {
        FoldedStacks stacks = FoldedStacks.create();
        stacks.add(sample(1, jit("leaf"), nativeFrame("main")));
        assertEquals(List.of(new TextSummary.Entry("leaf_[j]", 1, 1)), TextSummary.of(stacks).topBySelf(10));
    }

    @Test
    void anEmptyProfileSummarizesToZeros() throws IOException {
        TextSummary summary = TextSummary.of(FoldedStacks.create());
        assertEquals(0, summary.percent(0));
        StringBuilder text = new StringBuilder();
        summary.write(text, 5, "ns", Accounting.of(0));
        assertTrue(text.toString().startsWith("Total: 0 ns in 0 distinct stacks\n"), text.toString());
        assertTrue(text.toString().contains("Top 0 frames by total ns:"), text.toString());
    }

    @Test
    void badArgumentsAreRefused() {
        TextSummary summary = TextSummary.of(FoldedStacks.create());
        assertThrows(IllegalArgumentException.class, () -> summary.topBySelf(-1));
        assertThrows(IllegalArgumentException.class, () -> summary.topByTotal(-1));
        assertEquals("stacks", assertThrows(NullPointerException.class, () -> TextSummary.of(null)).getMessage());
        assertEquals("out", assertThrows(NullPointerException.class,
                () -> summary.write(null, 1, "s", Accounting.of(0))).getMessage());
        assertEquals("unit", assertThrows(NullPointerException.class,
                () -> summary.write(new StringBuilder(), 1, null, Accounting.of(0))).getMessage());
        assertEquals("accounting", assertThrows(NullPointerException.class,
                () -> summary.write(new StringBuilder(), 1, "s", null)).getMessage());
        for (long[] bad : new long[][] {{-1, 0, 0, 0}, {0, -1, 0, 0}, {0, 0, -1, 0}, {0, 0, 0, -1}}) {
            assertThrows(IllegalArgumentException.class, () -> new Accounting(bad[0], bad[1], bad[2], bad[3]));
        }
        assertEquals(new Accounting(3, 0, 0, 0), Accounting.of(3));
    }

    /** Self (leaf) and total (anywhere, once per line) weight of each frame, from the folded text. */
    static Map<String, long[]> weightsFromFolded(String folded) {
        Map<String, long[]> weights = new HashMap<>();
        Profiles.parseFolded(folded).forEach((frames, count) -> {
            weights.computeIfAbsent(frames.getLast(), f -> new long[2])[0] += count;
            for (String frame : new HashSet<>(frames)) {
                weights.computeIfAbsent(frame, f -> new long[2])[1] += count;
            }
        });
        return weights;
    }
}
