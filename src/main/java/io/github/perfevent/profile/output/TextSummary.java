/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile.output;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The frames that cost the most, as text: the top frames by <em>self</em> weight (samples whose leaf is the frame:
 * where the time is spent) and by <em>total</em> weight (samples with the frame anywhere on the stack: what the
 * time is spent under), with their shares of the total, and the recording's {@link Accounting}.
 *
 * <p>A frame is a frame text of the folded stacks ({@link FoldedStacks#frameText}); a frame that appears more than
 * once in one stack (recursion) counts once for that stack's total, so no total exceeds 100%. Thread root frames,
 * when the stacks have them, are frames like any other.
 */
public final class TextSummary {

    /**
     * One frame's weights.
     *
     * @param frame the frame text, as in the folded stacks
     * @param self  the weight of the stacks whose leaf is this frame
     * @param total the weight of the stacks that contain this frame
     */
    public record Entry(String frame, long self, long total) {
    }

    private final List<Entry> entries;
    private final long total;
    private final int stacks;

    private TextSummary(List<Entry> entries, long total, int stacks) {
        this.entries = entries;
        this.total = total;
        this.stacks = stacks;
    }

    /**
     * Computes every frame's self and total weight.
     *
     * @param stacks the folded stacks
     * @return the summary
     * @throws NullPointerException if {@code stacks} is {@code null}
     */
    public static TextSummary of(FoldedStacks stacks) {
        Objects.requireNonNull(stacks, "stacks");
        Map<String, long[]> weights = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (Map.Entry<List<String>, Long> stack : stacks.stacks().entrySet()) {
            List<String> frames = stack.getKey();
            long count = stack.getValue();
            weights.computeIfAbsent(frames.getLast(), frame -> new long[2])[0] += count;
            seen.clear();
            for (String frame : frames) {
                if (seen.add(frame)) {
                    weights.computeIfAbsent(frame, f -> new long[2])[1] += count;
                }
            }
        }
        List<Entry> entries = new ArrayList<>(weights.size());
        weights.forEach((frame, weight) -> entries.add(new Entry(frame, weight[0], weight[1])));
        return new TextSummary(List.copyOf(entries), stacks.total(), stacks.size());
    }

    /**
     * The total weight of the stacks summarized.
     *
     * @return the sum of all counts
     */
    public long total() {
        return total;
    }

    /**
     * The frames with the largest self weight, largest first, ties by frame text; frames with no self weight are
     * left out.
     *
     * @param limit the most entries to return
     * @return up to {@code limit} entries
     * @throws IllegalArgumentException if {@code limit} is negative
     */
    public List<Entry> topBySelf(int limit) {
        return top(limit, Comparator.comparingLong(Entry::self).reversed(), true);
    }

    /**
     * The frames with the largest total weight, largest first, ties by frame text.
     *
     * @param limit the most entries to return
     * @return up to {@code limit} entries
     * @throws IllegalArgumentException if {@code limit} is negative
     */
    public List<Entry> topByTotal(int limit) {
        return top(limit, Comparator.comparingLong(Entry::total).reversed(), false);
    }

    private List<Entry> top(int limit, Comparator<Entry> order, boolean selfOnly) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        return entries.stream()
                .filter(entry -> !selfOnly || entry.self() > 0)
                .sorted(order.thenComparing(Entry::frame))
                .limit(limit)
                .toList();
    }

    /**
     * Writes the summary: the totals, the accounting, then the top frames by self and by total weight in two
     * tables with the weights and their percentages of the total (two decimals, {@code .} as the decimal point).
     *
     * @param out        where to write
     * @param limit      the most frames in each table
     * @param unit       what a count is ({@code samples}, {@code ns})
     * @param accounting the recording's accounting
     * @throws IOException              if {@code out} fails
     * @throws NullPointerException     if an argument is {@code null}
     * @throws IllegalArgumentException if {@code limit} is negative
     */
    public void write(Appendable out, int limit, String unit, Accounting accounting) throws IOException {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(accounting, "accounting");
        List<Entry> bySelf = topBySelf(limit);
        List<Entry> byTotal = topByTotal(limit);
        out.append("Total: ").append(Long.toString(total)).append(' ').append(unit)
                .append(" in ").append(Integer.toString(stacks)).append(" distinct stacks\n");
        out.append("Samples recorded: ").append(Long.toString(accounting.samplesRecorded())).append('\n');
        out.append("Samples lost: ").append(Long.toString(accounting.samplesLost())).append('\n');
        out.append("Unsymbolized frames: ").append(Long.toString(accounting.unsymbolizedFrames())).append('\n');
        out.append("Truncated stacks: ").append(Long.toString(accounting.truncatedStacks())).append('\n');
        table(out, "Top " + bySelf.size() + " frames by self " + unit, bySelf);
        table(out, "Top " + byTotal.size() + " frames by total " + unit, byTotal);
    }

    private void table(Appendable out, String heading, List<Entry> rows) throws IOException {
        out.append('\n').append(heading).append(":\n");
        out.append(String.format(Locale.ROOT, "%14s %7s %14s %7s  %s\n", "self", "self%", "total", "total%", "frame"));
        for (Entry row : rows) {
            out.append(String.format(Locale.ROOT, "%14d %6.2f%% %14d %6.2f%%  %s", row.self(), percent(row.self()),
                    row.total(), percent(row.total()), row.frame())).append('\n');
        }
    }

    /**
     * A weight as a percentage of the total.
     *
     * @param weight a weight
     * @return {@code 100 * weight / total()}, or 0 when the total is 0
     */
    public double percent(long weight) {
        return total == 0 ? 0 : 100.0 * weight / total;
    }
}
