/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * Profile outputs for people and their tools: call stacks of {@link io.github.perfevent.profile.output.StackSample
 * samples} aggregated as {@link io.github.perfevent.profile.output.FoldedStacks folded stacks} (the text format of
 * FlameGraph, speedscope, inferno), written as a {@link io.github.perfevent.profile.output.FlameGraphHtml
 * self-contained interactive HTML flame graph} and as a {@link io.github.perfevent.profile.output.TextSummary text
 * summary} of the top frames, each with the recording's {@link io.github.perfevent.profile.output.Accounting}.
 *
 * {@snippet :
 * FoldedStacks stacks = FoldedStacks.withThreadRoots();
 * for (StackSample sample : samples) {          // frames leaf first, as the kernel's callchain
 *     stacks.add(sample);
 * }
 * try (Writer out = Files.newBufferedWriter(Path.of("profile.folded"))) {
 *     stacks.write(out);                        // flamegraph.pl profile.folded > profile.svg
 * }
 * try (Writer out = Files.newBufferedWriter(Path.of("profile.html"))) {
 *     FlameGraphHtml.write(stacks, "my run", "samples", accounting, out);
 * }
 * TextSummary.of(stacks).write(System.out, 20, "samples", accounting);
 * }
 *
 * <p>The caller's input that cannot be written (a weight below 1, a malformed line of a folded file) is an
 * {@link java.lang.IllegalArgumentException}; {@code null} is a {@link java.lang.NullPointerException} naming the
 * parameter; a failing {@link java.lang.Appendable} or {@link java.io.Reader} is its {@link java.io.IOException}.
 */
package io.github.perfevent.profile.output;
