/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile.output;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Test support: profiles built by hand and by a random program model, and the readers the tests need to look at an
 * output without trusting the code that wrote it (a folded text parsed line by line, the JSON the flame graph page
 * embeds).
 */
final class Profiles {

    private Profiles() {
    }

    static StackFrame jit(String name) {
        return new StackFrame(name, "/tmp/perf-1.map", StackFrame.Kind.JIT);
    }

    static StackFrame nativeFrame(String name) {
        return new StackFrame(name, "/usr/lib/x86_64-linux-gnu/libc.so.6", StackFrame.Kind.NATIVE);
    }

    static StackFrame kernel(String name) {
        return new StackFrame(name, "[kernel.kallsyms]", StackFrame.Kind.KERNEL);
    }

    /** A sample of thread "main", tid 1, frames given leaf first. */
    static StackSample sample(long weight, StackFrame... leafFirst) {
        return new StackSample("main", 1, List.of(leafFirst), weight);
    }

    /**
     * A profile of a made-up program: {@code distinct} different stacks, 4 to 40 frames deep, in 4 threads, each a
     * walk down a call graph where every method calls one of 3 others (so stacks share their callers, as real ones
     * do), methods of every kind; and one stack ("Hot.spin" under "Hot.main") holding a third of the weight.
     */
    static FoldedStacks large(int distinct, RandomGenerator random) {
        FoldedStacks stacks = FoldedStacks.withThreadRoots();
        StackFrame.Kind[] kinds = StackFrame.Kind.values();
        long weight = 0;
        while (stacks.size() < distinct) {
            int depth = 4 + random.nextInt(37);
            List<StackFrame> frames = new ArrayList<>(depth);
            int method = 0;
            for (int i = 0; i < depth; i++) {
                method = (method * 3 + random.nextInt(3)) % 1000;
                StackFrame.Kind kind = kinds[method % kinds.length];
                frames.addFirst(new StackFrame("com/example/Layer" + i + ".method" + method, "", kind));
            }
            frames.add(nativeFrame("start_thread"));
            long count = 1 + random.nextInt(10);
            weight += count;
            int thread = random.nextInt(4);
            stacks.add(new StackSample("worker-" + thread, 100 + thread, frames, count));
        }
        stacks.add(new StackSample("main", 1, List.of(jit("Hot.spin"), jit("Hot.main")), weight / 2));
        return stacks;
    }

    /** A folded text's lines as (frames root first, count), parsed here rather than by {@link FoldedStacks#read}. */
    static Map<List<String>, Long> parseFolded(String folded) {
        Map<List<String>, Long> stacks = new LinkedHashMap<>();
        for (String line : folded.split("\n")) {
            int space = line.lastIndexOf(' ');
            stacks.merge(List.of(line.substring(0, space).split(";", -1)), Long.parseLong(line.substring(space + 1)),
                    Long::sum);
        }
        return stacks;
    }

    /** The JSON the page embeds in its profile-data script element. */
    static String embeddedJson(String html) {
        String start = "<script type=\"application/json\" id=\"profile-data\">";
        int from = html.indexOf(start);
        if (from < 0 || html.indexOf(start, from + 1) >= 0) {
            throw new AssertionError("the page does not embed the profile exactly once");
        }
        from += start.length();
        return html.substring(from, html.indexOf("</script>", from));
    }

    /**
     * The folded text the page's embedded call tree stands for: one line per node with a self weight, its path of
     * frame texts from the root, in the tree's depth-first order.
     */
    static String foldedFromPage(String html) {
        Map<?, ?> data = (Map<?, ?>) Json.parse(embeddedJson(html));
        List<?> frames = (List<?>) data.get("frames");
        List<?> nodes = (List<?>) data.get("nodes");
        List<String> path = new ArrayList<>();
        StringBuilder folded = new StringBuilder();
        for (int i = 0; i < nodes.size(); i += 3) {
            int frame = ((Number) nodes.get(i)).intValue();
            int depth = ((Number) nodes.get(i + 1)).intValue();
            long self = ((Number) nodes.get(i + 2)).longValue();
            if (depth > path.size()) {
                throw new AssertionError("node " + i / 3 + " skips a level: depth " + depth + " under " + path);
            }
            path.subList(depth, path.size()).clear();
            path.add((String) frames.get(frame));
            if (self > 0) {
                folded.append(String.join(";", path)).append(' ').append(self).append('\n');
            }
        }
        return folded.toString();
    }
}
