/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile.output;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Call stacks aggregated into the <em>folded</em> format (also called collapsed): one line per distinct stack,
 * {@code root;caller;...;leaf count}, the format of FlameGraph's {@code stackcollapse-*.pl} scripts, which
 * {@code flamegraph.pl}, speedscope, inferno and async-profiler's converters read.
 *
 * <h2>How frames are written</h2>
 * A frame's text ({@link #frameText}) is its name, escaped, with the decoration of its {@link StackFrame.Kind}:
 * <ul>
 * <li>{@code _[j]} after JIT-compiled Java methods, {@code _[i]} after inlined ones, {@code _[k]} after kernel
 * functions ({@code flamegraph.pl --color=java} colours by them; async-profiler writes the same);</li>
 * <li>native and interpreter frames undecorated (the interpreter as the JVM's perf map names it,
 * {@code Interpreter});</li>
 * <li>a frame whose function is unknown (an empty name or {@code [unknown]}) as the base name of its module in
 * brackets, {@code [libc.so.6]}, as {@code stackcollapse-perf.pl} does, or {@code [unknown]} without a module;</li>
 * <li>with {@linkplain #withThreadRoots() thread roots}, the thread as the root frame {@code [name tid=N]}, as
 * async-profiler's {@code --threads} writes it.</li>
 * </ul>
 * Names are escaped so that no frame can break a line or split into two: {@code \} becomes {@code \\},
 * {@code ;} becomes {@code \x3b}, a newline {@code \n}, a carriage return {@code \r} and any other control character
 * {@code \xHH}. Everything else, spaces included, is written as it is (the count is the text after the last
 * space).
 *
 * <h2>Order and totals</h2>
 * Identical stacks are summed. {@link #write} prints the stacks sorted frame by frame (a frame's text before any
 * longer text it begins), which is also the depth-first order of the call tree; a count is a {@code long}, and a
 * sum that would overflow it is an {@link ArithmeticException}.
 *
 * <p>Not thread-safe: one thread adds samples, or the caller synchronizes.
 */
public final class FoldedStacks {

    /** The text of the single frame of a sample that has no frames at all. */
    public static final String NO_FRAMES = "[no frames]";

    private static final String UNKNOWN = "[unknown]";
    private static final Pattern THREAD_FRAME = Pattern.compile("\\[(.*) tid=(-?\\d+)]");
    /** DOTALL: a name may hold U+0085, U+2028 or U+2029, which {@code .} does not match by default. */
    private static final Pattern LINE = Pattern.compile("(.+)\\s(\\d+)", Pattern.DOTALL);

    private final boolean threadRoots;
    /** Distinct stacks, root first, to their count (a one-element array, to add in place). */
    private final Map<List<String>, long[]> counts = new HashMap<>();
    /** One instance of every frame text, so that 100,000 stacks share their strings. */
    private final Map<String, String> frameTexts = new HashMap<>();
    private long total;

    private FoldedStacks(boolean threadRoots) {
        this.threadRoots = threadRoots;
    }

    /**
     * Creates an empty aggregation whose stacks start at the thread's entry point.
     *
     * @return an empty aggregation without thread roots
     */
    public static FoldedStacks create() {
        return new FoldedStacks(false);
    }

    /**
     * Creates an empty aggregation that puts each sample's thread as the root frame {@code [name tid=N]}, so that
     * the flame graph has one tower per thread.
     *
     * @return an empty aggregation with thread roots
     */
    public static FoldedStacks withThreadRoots() {
        return new FoldedStacks(true);
    }

    /**
     * Whether samples get their thread as the root frame.
     *
     * @return {@code true} for an aggregation made by {@link #withThreadRoots()}
     */
    public boolean threadRoots() {
        return threadRoots;
    }

    /**
     * Adds one sample: its frames (leaf first, as in {@link StackSample#frames()}) become one stack, root first,
     * preceded by the thread frame with {@linkplain #withThreadRoots() thread roots}. A sample without frames counts
     * as the single frame {@value #NO_FRAMES}.
     *
     * @param sample the sample
     * @throws NullPointerException if {@code sample} is {@code null}
     * @throws ArithmeticException  if the total would overflow a {@code long}
     */
    public void add(StackSample sample) {
        Objects.requireNonNull(sample, "sample");
        List<StackFrame> frames = sample.frames();
        int offset = threadRoots ? 1 : 0;
        String[] stack = new String[offset + Math.max(1, frames.size())];
        if (threadRoots) {
            stack[0] = threadFrame(sample.threadName(), sample.tid());
        }
        if (frames.isEmpty()) {
            stack[offset] = NO_FRAMES;
        }
        for (int i = 0; i < frames.size(); i++) {
            stack[offset + frames.size() - 1 - i] = frameText(frames.get(i));
        }
        addTexts(Arrays.asList(stack), sample.weight());
    }

    /**
     * Adds a stack already in folded form: frame texts root first, as {@link #stacks()} gives them and a folded file
     * holds them.
     *
     * @param frames the frame texts, root first: at least one, none empty, none containing {@code ;}, a newline or a
     *               carriage return
     * @param count  how much the stack counts for, at least 1
     * @throws NullPointerException     if {@code frames} or a frame is {@code null}
     * @throws IllegalArgumentException if {@code frames} is empty, a frame is empty or contains a character that
     *                                  would break the line, or {@code count} is less than 1
     * @throws ArithmeticException      if the total would overflow a {@code long}
     */
    public void add(List<String> frames, long count) {
        Objects.requireNonNull(frames, "frames");
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("a stack needs at least one frame");
        }
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1: " + count);
        }
        String[] stack = new String[frames.size()];
        for (int i = 0; i < stack.length; i++) {
            String frame = Objects.requireNonNull(frames.get(i), "frame");
            if (frame.isEmpty() || frame.indexOf(';') >= 0 || frame.indexOf('\n') >= 0 || frame.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("not a folded frame (empty, or with ';', '\\n' or '\\r'): "
                        + escape(frame));
            }
            stack[i] = frame;
        }
        addTexts(Arrays.asList(stack), count);
    }

    private void addTexts(List<String> stack, long count) {
        long newTotal = Math.addExact(total, count);
        long[] cell = counts.get(stack);
        if (cell == null) {
            for (int i = 0; i < stack.size(); i++) {
                stack.set(i, frameTexts.computeIfAbsent(stack.get(i), text -> text));
            }
            counts.put(stack, new long[] {count});
        } else {
            cell[0] += count;
        }
        total = newTotal;
    }

    /**
     * The sum of all counts.
     *
     * @return the total weight of the samples added
     */
    public long total() {
        return total;
    }

    /**
     * The number of distinct stacks, that is of lines {@link #write} prints.
     *
     * @return the number of distinct stacks
     */
    public int size() {
        return counts.size();
    }

    /**
     * The distinct stacks, each a list of frame texts root first, in the order {@link #write} prints them, with their
     * counts.
     *
     * @return an unmodifiable map, in folded order, built anew at each call
     */
    public Map<List<String>, Long> stacks() {
        Map<List<String>, Long> sorted = new LinkedHashMap<>();
        for (List<String> stack : sortedStacks()) {
            sorted.put(Collections.unmodifiableList(stack), counts.get(stack)[0]);
        }
        return Collections.unmodifiableMap(sorted);
    }

    /** The distinct stacks sorted frame by frame: depth-first order of the call tree. */
    List<List<String>> sortedStacks() {
        List<List<String>> stacks = new ArrayList<>(counts.keySet());
        stacks.sort(FoldedStacks::compareStacks);
        return stacks;
    }

    long count(List<String> stack) {
        return counts.get(stack)[0];
    }

    private static int compareStacks(List<String> a, List<String> b) {
        int common = Math.min(a.size(), b.size());
        for (int i = 0; i < common; i++) {
            int order = a.get(i).compareTo(b.get(i));
            if (order != 0) {
                return order;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /**
     * Writes every distinct stack as one line {@code frame;frame;frame count}, root first, sorted frame by frame,
     * each line ended by {@code \n}.
     *
     * @param out where to write
     * @throws IOException          if {@code out} fails
     * @throws NullPointerException if {@code out} is {@code null}
     */
    public void write(Appendable out) throws IOException {
        Objects.requireNonNull(out, "out");
        StringBuilder line = new StringBuilder();
        for (List<String> stack : sortedStacks()) {
            line.setLength(0);
            for (int i = 0; i < stack.size(); i++) {
                if (i > 0) {
                    line.append(';');
                }
                line.append(stack.get(i));
            }
            line.append(' ').append(counts.get(stack)[0]).append('\n');
            out.append(line);
        }
    }

    /**
     * The folded text {@link #write} prints.
     *
     * @return every stack's line
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        try {
            write(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringBuilder does not throw
        }
        return text.toString();
    }

    /**
     * Reads a folded file: lines {@code frame;frame;frame count}, root first, as this class, FlameGraph's
     * {@code stackcollapse-*.pl} scripts and async-profiler write them. As {@code flamegraph.pl} reads them, the count
     * is the digits at the end of the line and the stack everything before the one whitespace character in front of
     * them. Blank lines are skipped; identical stacks are summed. Frame texts are kept as they are (see {@link #parseFrame} to turn one into a {@link StackFrame}). The
     * result has no {@linkplain #threadRoots() thread roots} of its own: thread frames in the file stay frames.
     *
     * @param in the folded text; read to its end, not closed
     * @return the stacks
     * @throws IOException              if {@code in} fails
     * @throws NullPointerException     if {@code in} is {@code null}
     * @throws IllegalArgumentException for a line that is not folded (no count, a count that is not a positive
     *                                  whole number, an empty frame), naming the line number
     * @throws ArithmeticException      if the total would overflow a {@code long}
     */
    public static FoldedStacks read(Reader in) throws IOException {
        Objects.requireNonNull(in, "in");
        FoldedStacks stacks = create();
        BufferedReader lines = in instanceof BufferedReader buffered ? buffered : new BufferedReader(in);
        int number = 0;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            Matcher matcher = LINE.matcher(line);
            if (!matcher.matches()) {
                throw new IllegalArgumentException("line " + number + " is not 'frame;frame;... count': "
                        + escape(abbreviate(line)));
            }
            long count;
            try {
                count = Long.parseLong(matcher.group(2));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("line " + number + ": count out of range: " + matcher.group(2), e);
            }
            try {
                stacks.add(Arrays.asList(matcher.group(1).split(";", -1)), count);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + number + ": " + e.getMessage(), e);
            }
        }
        return stacks;
    }

    private static String abbreviate(String line) {
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }

    /**
     * The text of a frame in the folded format: its name escaped, with its kind's decoration. A frame with an empty
     * name or the name {@code [unknown]} is written as the base name of its module in brackets ({@code [libc.so.6]}),
     * or {@code [unknown]} when the module is not known either (a module already in brackets, such as
     * {@code [kernel.kallsyms]}, keeps its brackets); {@link StackFrame.Kind#KERNEL} still adds {@code _[k]}.
     *
     * @param frame the frame
     * @return its text, never empty, without {@code ;}, newline or carriage return
     * @throws NullPointerException if {@code frame} is {@code null}
     */
    public static String frameText(StackFrame frame) {
        Objects.requireNonNull(frame, "frame");
        String name = frame.name();
        if (name.isEmpty() || name.equals(UNKNOWN)) {
            String module = frame.module();
            String base = module.substring(module.lastIndexOf('/') + 1);
            if (base.isEmpty()) {
                name = UNKNOWN;
            } else {
                name = base.startsWith("[") && base.endsWith("]") ? base : "[" + base + "]";
            }
        }
        return escape(name) + frame.kind().suffix();
    }

    /**
     * The root frame of a thread: {@code [name tid=N]}, the name escaped.
     *
     * @param threadName the thread's name
     * @param tid        the thread's id
     * @return the frame text
     * @throws NullPointerException if {@code threadName} is {@code null}
     */
    public static String threadFrame(String threadName, int tid) {
        Objects.requireNonNull(threadName, "threadName");
        return "[" + escape(threadName) + " tid=" + tid + "]";
    }

    /**
     * Whether a frame text is a thread's root frame as {@link #threadFrame} writes it.
     *
     * @param text a frame text
     * @return {@code true} for {@code [name tid=N]}
     * @throws NullPointerException if {@code text} is {@code null}
     */
    public static boolean isThreadFrame(String text) {
        return THREAD_FRAME.matcher(Objects.requireNonNull(text, "text")).matches();
    }

    /**
     * Turns a frame text back into a frame: the decoration gives the kind ({@code _[j]} JIT, {@code _[i]} inlined,
     * {@code _[k]} kernel, async-profiler's {@code _[0]} and the name {@code Interpreter} interpreter, a name in
     * brackets unknown, anything else native) and is removed, and the name is unescaped. The module is not in the
     * folded format: it is {@code ""}. A thread frame parses as an unknown frame named {@code [name tid=N]}.
     *
     * @param text a frame text
     * @return the frame
     * @throws NullPointerException if {@code text} is {@code null}
     */
    public static StackFrame parseFrame(String text) {
        Objects.requireNonNull(text, "text");
        StackFrame.Kind kind = kindOf(text);
        String name = text;
        if (text.endsWith("_[0]") || !kind.suffix().isEmpty() && text.endsWith(kind.suffix())) {
            name = text.substring(0, text.length() - 4);
        }
        return new StackFrame(unescape(name), "", kind);
    }

    /**
     * The kind of a frame text, as {@link #parseFrame} reads it.
     *
     * @param text a frame text
     * @return its kind
     */
    static StackFrame.Kind kindOf(String text) {
        if (text.endsWith("_[j]")) {
            return StackFrame.Kind.JIT;
        } else if (text.endsWith("_[i]")) {
            return StackFrame.Kind.INLINED;
        } else if (text.endsWith("_[k]")) {
            return StackFrame.Kind.KERNEL;
        } else if (text.endsWith("_[0]") || text.equals("Interpreter")) {
            return StackFrame.Kind.INTERPRETER;
        } else if (text.startsWith("[") && text.endsWith("]")) {
            return StackFrame.Kind.UNKNOWN;
        }
        return StackFrame.Kind.NATIVE;
    }

    /**
     * Escapes a name for the folded format: {@code \} as {@code \\}, {@code ;} as {@code \x3b}, newline as
     * {@code \n}, carriage return as {@code \r}, any other character below U+0020 and U+007F as {@code \xHH}.
     *
     * @param name a name
     * @return the name with nothing that breaks a folded line
     * @throws NullPointerException if {@code name} is {@code null}
     */
    public static String escape(String name) {
        Objects.requireNonNull(name, "name");
        StringBuilder escaped = null;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            String replacement = switch (c) {
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> c == ';' || c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : null;
            };
            if (replacement != null && escaped == null) {
                escaped = new StringBuilder(name.length() + 8).append(name, 0, i);
            }
            if (escaped != null) {
                if (replacement != null) {
                    escaped.append(replacement);
                } else {
                    escaped.append(c);
                }
            }
        }
        return escaped == null ? name : escaped.toString();
    }

    /**
     * Undoes {@link #escape}. A backslash that does not start one of its escapes is kept as it is.
     *
     * @param text an escaped name
     * @return the name
     * @throws NullPointerException if {@code text} is {@code null}
     */
    public static String unescape(String text) {
        Objects.requireNonNull(text, "text");
        int backslash = text.indexOf('\\');
        if (backslash < 0) {
            return text;
        }
        StringBuilder name = new StringBuilder(text.length()).append(text, 0, backslash);
        for (int i = backslash; i < text.length(); i++) {
            char c = text.charAt(i);
            char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
            if (c != '\\') {
                name.append(c);
            } else if (next == '\\') {
                name.append('\\');
                i++;
            } else if (next == 'n') {
                name.append('\n');
                i++;
            } else if (next == 'r') {
                name.append('\r');
                i++;
            } else if (next == 'x' && i + 3 < text.length() && isHex(text.charAt(i + 2)) && isHex(text.charAt(i + 3))) {
                name.append((char) Integer.parseInt(text, i + 2, i + 4, 16));
                i += 3;
            } else {
                name.append(c);
            }
        }
        return name.toString();
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }
}
