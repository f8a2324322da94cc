/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.perfevent.FuzzBudget;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Random names (separators, line breaks, backslashes, escapes that look real, control characters, surrogates, markup)
 * through the folded format and the page's data: a line per stack, a frame per frame, and everything read back equal.
 */
@Tag("fuzz")
class FoldedStacksFuzzTest {

    private static final String[] PIECES = {";", "\n", "\r", "\\", "\\x3b", "\\n", "x", " ", "\t", "\u0000", "\u007f",
        "é", "\ud83d\ude00", "\ud800", "\udc00", "<", "</script>", "<!--", "&", "\"", "_[j]", "_[k]", "[", "]",
        "tid=1", "Interpreter", "\u2028", "0", "9"};

    @Test
    void randomNamesSurviveTheFoldedFormatAndThePage() throws IOException {
        FuzzBudget budget = FuzzBudget.start("FoldedStacksFuzzTest");
        RandomGenerator random = budget.random();
        StackFrame.Kind[] kinds = StackFrame.Kind.values();
        while (budget.more()) {
            FoldedStacks stacks = random.nextBoolean() ? FoldedStacks.create() : FoldedStacks.withThreadRoots();
            int samples = 1 + random.nextInt(20);
            for (int s = 0; s < samples; s++) {
                List<StackFrame> frames = new ArrayList<>();
                int depth = random.nextInt(6);
                for (int d = 0; d < depth; d++) {
                    String name = name(random);
                    String escaped = FoldedStacks.escape(name);
                    assertFalse(escaped.contains(";") || escaped.contains("\n") || escaped.contains("\r"),
                            "seed " + budget.seed() + ": " + escaped);
                    assertEquals(name, FoldedStacks.unescape(escaped), "seed " + budget.seed());
                    frames.add(new StackFrame(name, random.nextBoolean() ? "" : name(random),
                            kinds[random.nextInt(kinds.length)]));
                }
                stacks.add(new StackSample(name(random), random.nextInt(), frames, 1 + random.nextInt(1000)));
            }
            String folded = stacks.toString();
            String[] lines = folded.split("\n");
            assertEquals(stacks.size(), lines.length, "seed " + budget.seed() + ": one line per stack\n" + folded);
            int i = 0;
            for (List<String> stack : stacks.stacks().keySet()) {
                assertEquals(stack.size(), lines[i++].split(";", -1).length, "seed " + budget.seed());
            }
            FoldedStacks read = FoldedStacks.read(new StringReader(folded));
            assertEquals(stacks.stacks(), read.stacks(), "seed " + budget.seed());
            StringBuilder page = new StringBuilder();
            FlameGraphHtml.write(stacks, name(random), name(random), Accounting.of(stacks.total()), page);
            assertEquals(folded, Profiles.foldedFromPage(page.toString()), "seed " + budget.seed());
        }
    }

    private static String name(RandomGenerator random) {
        StringBuilder name = new StringBuilder();
        int pieces = random.nextInt(6);
        for (int p = 0; p < pieces; p++) {
            name.append(random.nextInt(4) == 0 ? Character.toString(random.nextInt(0x20000))
                    : PIECES[random.nextInt(PIECES.length)]);
        }
        return name.toString();
    }
}
