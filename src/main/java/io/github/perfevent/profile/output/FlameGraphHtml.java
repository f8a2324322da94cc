/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile.output;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A self-contained interactive flame graph: one HTML file with its style, its script and the profile inline, that
 * loads nothing from anywhere (no network, no other file) and opens in any current browser.
 *
 * <h2>What the page offers</h2>
 * <ul>
 * <li>the flame graph on a canvas, each frame as wide as its share of the total, coloured by kind (Java JIT,
 * inlined, interpreter, native, kernel, unknown, thread) with a legend; frames narrower than half a pixel are not
 * drawn, so 100,000 stacks draw as fast as the screen has room for;</li>
 * <li>zoom: a click on a frame widens it to the full width (its callers stay above it, dimmed); a click on a caller,
 * the <i>Reset zoom</i> button or Esc zooms out;</li>
 * <li>tooltips: the frame's name, kind, total and self weight and their percentages of the whole profile (and of the
 * zoomed frame);</li>
 * <li>search: a substring (case-insensitive) or a {@code /regular expression/}; matching frames turn magenta and
 * the page shows the matched share of the total (each sample counted once);</li>
 * <li>an icicle view (roots at the top) and back;</li>
 * <li>the title, the total, the number of distinct stacks and the {@link Accounting} (lost samples,
 * unsymbolized frames and truncated stacks flagged when not zero).</li>
 * </ul>
 *
 * <h2>The embedded data</h2>
 * The profile is embedded once, as JSON in {@code <script type="application/json" id="profile-data">}: the frame
 * texts of the folded stacks ({@code frames}), one letter per frame for its kind ({@code kinds}), and the call tree
 * in depth-first order ({@code nodes}, triples of frame index, depth from 0, and self weight). A node with a self
 * weight is exactly one line of {@link FoldedStacks#write}: its path of frame texts and that weight, in the same
 * order. Every character outside printable ASCII, and {@code <}, {@code >} and {@code &}, is written as a
 * {@code \}{@code uXXXX} escape, so the file is plain ASCII and no frame name can end the script element.
 */
public final class FlameGraphHtml {

    private static final String TEMPLATE = resource("flamegraph.html");
    private static final String STYLE = resource("flamegraph.css");
    private static final String SCRIPT = resource("flamegraph.js");

    private FlameGraphHtml() {
    }

    /**
     * Writes the page for some stacks.
     *
     * @param stacks     the folded stacks
     * @param title      the page's title (e.g. the command profiled and the event)
     * @param unit       what a count is ({@code samples}, {@code ns})
     * @param accounting the recording's accounting
     * @param out        where to write the page (plain ASCII)
     * @throws IOException          if {@code out} fails
     * @throws NullPointerException if an argument is {@code null}
     */
    public static void write(FoldedStacks stacks, String title, String unit, Accounting accounting, Appendable out)
            throws IOException {
        Objects.requireNonNull(stacks, "stacks");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(accounting, "accounting");
        Objects.requireNonNull(out, "out");
        int at = 0;
        for (String marker : List.of("<!--TITLE-->", "<!--STYLE-->", "<!--DATA-->", "<!--SCRIPT-->")) {
            int next = TEMPLATE.indexOf(marker, at);
            out.append(TEMPLATE, at, next);
            switch (marker) {
                case "<!--TITLE-->" -> out.append(htmlText(title));
                case "<!--STYLE-->" -> out.append(STYLE);
                case "<!--DATA-->" -> data(stacks, title, unit, accounting, out);
                default -> out.append(SCRIPT);
            }
            at = next + marker.length();
        }
        out.append(TEMPLATE, at, TEMPLATE.length());
    }

    /** The JSON of the profile: see the class comment. */
    private static void data(FoldedStacks stacks, String title, String unit, Accounting accounting, Appendable out)
            throws IOException {
        Map<String, Integer> frameIds = new HashMap<>();
        StringBuilder frames = new StringBuilder();
        StringBuilder kinds = new StringBuilder();
        StringBuilder nodes = new StringBuilder();
        List<String> previous = List.of();
        for (List<String> stack : stacks.sortedStacks()) {
            int common = 0;
            while (common < previous.size() && common < stack.size()
                    && previous.get(common).equals(stack.get(common))) {
                common++;
            }
            for (int depth = common; depth < stack.size(); depth++) {
                String frame = stack.get(depth);
                Integer id = frameIds.get(frame);
                if (id == null) {
                    id = frameIds.size();
                    frameIds.put(frame, id);
                    frames.append(id == 0 ? "" : ",");
                    json(frame, frames);
                    kinds.append(kindLetter(frame));
                }
                boolean leaf = depth == stack.size() - 1;
                nodes.append(nodes.isEmpty() ? "" : ",").append(id).append(',').append(depth).append(',')
                        .append(leaf ? stacks.count(stack) : 0);
            }
            previous = stack;
        }
        out.append("{\"title\":");
        json(title, out);
        out.append(",\"unit\":");
        json(unit, out);
        out.append(",\"total\":").append(Long.toString(stacks.total()))
                .append(",\"stacks\":").append(Integer.toString(stacks.size()))
                .append(",\"accounting\":{\"samplesRecorded\":").append(Long.toString(accounting.samplesRecorded()))
                .append(",\"samplesLost\":").append(Long.toString(accounting.samplesLost()))
                .append(",\"unsymbolizedFrames\":").append(Long.toString(accounting.unsymbolizedFrames()))
                .append(",\"truncatedStacks\":").append(Long.toString(accounting.truncatedStacks()))
                .append("},\n\"kinds\":\"").append(kinds).append("\",\n\"frames\":[").append(frames)
                .append("],\n\"nodes\":[").append(nodes).append("]}");
    }

    /** The letter the page's script knows a frame's kind by. */
    static char kindLetter(String frame) {
        if (FoldedStacks.isThreadFrame(frame)) {
            return 't';
        }
        return switch (FoldedStacks.kindOf(frame)) {
            case JIT -> 'j';
            case INLINED -> 'i';
            case INTERPRETER -> 'p';
            case KERNEL -> 'k';
            case UNKNOWN -> 'u';
            case NATIVE -> 'n';
        };
    }

    /** A JSON string, plain ASCII, that cannot end a script element or open a comment. */
    static void json(String text, Appendable out) throws IOException {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e || c == '<' || c == '>' || c == '&') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    /** Text for an HTML element's content, plain ASCII. */
    static String htmlText(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (c == '<' || c == '>' || c == '&' || c < 0x20 || c > 0x7e) {
                escaped.append("&#").append(c).append(';');
            } else {
                escaped.append((char) c);
            }
        });
        return escaped.toString();
    }

    private static String resource(String name) {
        try (InputStream in = FlameGraphHtml.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
