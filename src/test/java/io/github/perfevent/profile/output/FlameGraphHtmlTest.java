/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile.output;

import static io.github.perfevent.profile.output.Profiles.jit;
import static io.github.perfevent.profile.output.Profiles.nativeFrame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.profile.output.StackFrame.Kind;
import java.io.IOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flame graph page without a browser: it loads nothing from anywhere, embeds exactly the folded stacks, and
 * stays small and quick to write for 100,000 distinct stacks.
 */
class FlameGraphHtmlTest {

    /** Anything that makes a browser fetch: attributes, CSS, imports, and any absolute or protocol-relative URL. */
    private static final Pattern EXTERNAL = Pattern.compile(
            "(?i)\\bsrc\\s*=|<link\\b|\\bhref\\s*=|url\\s*\\(|@import|https?:|//[a-z0-9.-]+\\.[a-z]{2,}/|"
                    + "\\bfetch\\s*\\(|XMLHttpRequest|\\bimport\\s*\\(|new\\s+(Worker|WebSocket|EventSource)\\b");

    static String page(FoldedStacks stacks, String title, Accounting accounting) throws IOException {
        StringBuilder html = new StringBuilder();
        FlameGraphHtml.write(stacks, title, "samples", accounting, html);
        return html.toString();
    }

    static FoldedStacks awkward() {
        FoldedStacks stacks = FoldedStacks.withThreadRoots();
        stacks.add(new StackSample("main", 1, List.of(jit("Hot.spin"), jit("Hot.main")), 50));
        stacks.add(new StackSample("</script><script>alert(1)</script>", 2,
                List.of(nativeFrame("a;b \"quoted\" \\ & <!-- é € 😀"), new StackFrame("", "/lib/libz.so", Kind.UNKNOWN),
                        new StackFrame("Interpreter", "", Kind.INTERPRETER), Profiles.kernel("do_syscall_64"),
                        new StackFrame("String.hashCode", "", Kind.INLINED), nativeFrame("\u2028line\u2029sep\u0000")),
                7));
        stacks.add(new StackSample("main", 1, List.of(), 1));
        return stacks;
    }

    @Test
    void thePageLoadsNothingFromOutside() throws IOException {
        String html = page(awkward(), "profile of https://example.com/x.css", Accounting.of(58));
        // The title goes into the page as text and data, escaped: take both out, then nothing may point outside.
        String code = html.replace(Profiles.embeddedJson(html), "")
                .replace("profile of https://example.com/x.css", "");
        Matcher external = EXTERNAL.matcher(code);
        assertFalse(external.find(), () -> "the page refers outside: '" + external.group() + "' at " + external.start());
        assertFalse(Pattern.compile("(?i)https?:").matcher(Profiles.embeddedJson(html)
                .replace("profile of https://example.com/x.css", "")).find());
    }

    @Test
    void theScanFindsWhatWouldLoadSomething() {
        for (String bad : List.of("<script src=\"x.js\">", "<link rel=stylesheet href=a.css>", "a{background:url(x.png)}",
                "@import 'x.css';", "<img SRC = 'http://x'>", "fetch('data.json')", "see https://cdn.example/x")) {
            assertTrue(EXTERNAL.matcher(bad).find(), bad);
        }
    }

    @Test
    void theEmbeddedDataIsTheFoldedOutputExactly() throws IOException {
        for (FoldedStacks stacks : List.of(awkward(), Profiles.large(3_000, new Random(11)), FoldedStacks.create())) {
            String html = page(stacks, "t", Accounting.of(stacks.total()));
            assertEquals(stacks.toString(), Profiles.foldedFromPage(html));
            Map<?, ?> data = (Map<?, ?>) Json.parse(Profiles.embeddedJson(html));
            assertEquals(stacks.total(), data.get("total"));
            assertEquals((long) stacks.size(), data.get("stacks"));
        }
    }

    @Test
    void theDataCarriesTitleUnitAccountingAndOneKindPerFrame() throws IOException {
        FoldedStacks stacks = awkward();
        StringBuilder html = new StringBuilder();
        FlameGraphHtml.write(stacks, "run <1> & \"2\" 😀", "ns", new Accounting(58, 1, 2, 3), html);
        Map<?, ?> data = (Map<?, ?>) Json.parse(Profiles.embeddedJson(html.toString()));
        assertEquals("run <1> & \"2\" 😀", data.get("title"));
        assertEquals("ns", data.get("unit"));
        assertEquals(Map.of("samplesRecorded", 58L, "samplesLost", 1L, "unsymbolizedFrames", 2L, "truncatedStacks", 3L),
                data.get("accounting"));
        List<?> frames = (List<?>) data.get("frames");
        String kinds = (String) data.get("kinds");
        assertEquals(frames.size(), kinds.length());
        assertEquals(frames.size(), frames.stream().distinct().count(), "each frame text once");
        StringBuilder letters = new StringBuilder();
        for (int i = 0; i < frames.size(); i++) {
            letters.append(frames.get(i)).append('=').append(kinds.charAt(i)).append(' ');
        }
        for (String expected : List.of("[main tid=1]=t", "Hot.main_[j]=j", "Interpreter=p", "do_syscall_64_[k]=k",
                "String.hashCode_[i]=i", "[libz.so]=u", FoldedStacks.NO_FRAMES + "=u")) {
            assertTrue(letters.toString().contains(expected + " "), expected + " in " + letters);
        }
        assertTrue(html.toString().contains("<title>run &#60;1&#62; &#38; \"2\" &#128512;</title>"), "title escaped");
        assertTrue(html.chars().allMatch(c -> c < 0x80), "plain ASCII");
        assertEquals(2, html.toString().split("</script>", -1).length - 1, "only the data and the script end a script");
    }

    @Test
    void oneHundredThousandStacksMakeAPageSmallerThanTheirFoldedTextInBoundedTime(@TempDir Path dir)
            throws IOException {
        FoldedStacks stacks = Profiles.large(100_000, new Random(5));
        long foldedBytes = stacks.toString().getBytes(StandardCharsets.UTF_8).length;
        Path file = dir.resolve("large.html");
        // CPU time of this thread, not wall time: the build machine is shared, and a loaded machine stretches only
        // the latter.
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        long wallStart = System.nanoTime();
        try (Writer out = Files.newBufferedWriter(file)) {
            FlameGraphHtml.write(stacks, "large", "samples", Accounting.of(stacks.total()), out);
        }
        long cpuMillis = (threads.getCurrentThreadCpuTime() - start) / 1_000_000;
        long wallMillis = (System.nanoTime() - wallStart) / 1_000_000;
        long size = Files.size(file);
        System.out.printf(Locale.ROOT, "FlameGraphHtml: %d distinct stacks, folded %d bytes, page %d bytes, "
                + "%d ms CPU, %d ms wall%n", stacks.size(), foldedBytes, size, cpuMillis, wallMillis);
        assertTrue(size < foldedBytes / 2, "the tree and the frame table halve the folded text at least: " + size
                + " bytes against " + foldedBytes);
        assertTrue(size < 32 << 20, "under 32 MiB: " + size);
        assertTrue(cpuMillis < 10_000, "written in under 10 s of CPU: " + cpuMillis + " ms");
        assertEquals(stacks.toString(), Profiles.foldedFromPage(Files.readString(file)));
    }

    @Test
    void nullsAreRefusedNamingTheParameter() {
        FoldedStacks stacks = FoldedStacks.create();
        Accounting accounting = Accounting.of(0);
        StringBuilder out = new StringBuilder();
        assertEquals("stacks", assertThrows(NullPointerException.class,
                () -> FlameGraphHtml.write(null, "t", "s", accounting, out)).getMessage());
        assertEquals("title", assertThrows(NullPointerException.class,
                () -> FlameGraphHtml.write(stacks, null, "s", accounting, out)).getMessage());
        assertEquals("unit", assertThrows(NullPointerException.class,
                () -> FlameGraphHtml.write(stacks, "t", null, accounting, out)).getMessage());
        assertEquals("accounting", assertThrows(NullPointerException.class,
                () -> FlameGraphHtml.write(stacks, "t", "s", null, out)).getMessage());
        assertEquals("out", assertThrows(NullPointerException.class,
                () -> FlameGraphHtml.write(stacks, "t", "s", accounting, null)).getMessage());
        assertEquals(0, out.length());
    }
}
