/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flame graph page in a real browser: headless Chromium opens the file, runs its script, and prints the DOM as
 * the script left it ({@code --dump-dom}, after the load event).
 *
 * <p>How the test sees inside the page: the page runs a search given in its URL ({@code #search=TEXT}) once loaded
 * and writes the result into attributes of {@code #search-result}; it writes the number of frames it drew into the
 * canvas' {@code data-drawn-frames}, and any script error into {@code #errors}. Chromium, run with
 * {@code --enable-logging=stderr --v=0}, prints every console message of the page, whatever its level, as a line with
 * {@code :CONSOLE}; the page writes none of its own, so any such line is an error or a warning from the page.
 *
 * <p>Needs Debian's {@code chromium} ({@code apt-get install -y chromium}); skips with that reason without it.
 */
class FlameGraphBrowserTest {

    private static final Pattern ATTRIBUTE = Pattern.compile("([a-z-]+)=\"([^\"]*)\"");

    @Test
    void theBrowserDrawsOneHundredThousandStacksWithoutErrorsAndTheSearchFindsTheDominantFrame(@TempDir Path dir)
            throws Exception {
        Path chromium = chromium();
        FoldedStacks stacks = Profiles.large(100_000, new Random(5));
        Path page = write(stacks, "large profile", dir);
        long start = System.nanoTime();
        Dom dom = open(chromium, page, "Hot.spin", dir);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf(Locale.ROOT, "FlameGraphBrowserTest: %d stacks, %d bytes, opened and searched in %d ms%n",
                stacks.size(), Files.size(page), millis);
        dom.assertNoErrors();
        Map<String, String> result = dom.attributes("output", "search-result");
        assertEquals("Hot.spin", result.get("data-query"));
        assertEquals("1", result.get("data-matched-frames"));
        long expected = matchedWeight(stacks.toString(), "hot.spin");
        assertEquals(stacks.total() / 3, expected, "the model: Hot.spin holds a third of the weight");
        assertEquals(Long.toString(expected), result.get("data-matched-weight"));
        assertEquals(String.format(Locale.ROOT, "%.2f%%", 100.0 * expected / stacks.total()),
                result.get("data-matched-percent"));
        long drawn = Long.parseLong(dom.attributes("canvas", "canvas").get("data-drawn-frames"));
        long nodes = ((List<?>) ((Map<?, ?>) Json.parse(Profiles.embeddedJson(Files.readString(page))))
                .get("nodes")).size() / 3;
        assertTrue(drawn > 40 && drawn < nodes / 10, "draws what is wide enough to see (" + drawn + " frames), not all "
                + nodes + " nodes");
        assertTrue(millis < 120_000, "opened in under 2 minutes: " + millis + " ms");
    }

    @Test
    void namesThatLookLikeMarkupOrSeparatorsStayNames(@TempDir Path dir) throws Exception {
        Path chromium = chromium();
        FoldedStacks stacks = FlameGraphHtmlTest.awkward();
        Path page = write(stacks, "</title><script>alert(1)</script>", dir);
        Dom dom = open(chromium, page, "a;b \"quoted\" \\ & <!--", dir);
        dom.assertNoErrors();
        Map<String, String> result = dom.attributes("output", "search-result");
        assertEquals("1", result.get("data-matched-frames"));
        assertEquals(Long.toString(matchedWeight(stacks.toString(), "a;b \"quoted\" \\ & <!--")),
                result.get("data-matched-weight"));
        assertEquals("7", result.get("data-matched-weight"));
        Dom thread = open(chromium, page, "</script><script>alert(1)</script>", dir);
        thread.assertNoErrors();
        assertEquals("7", thread.attributes("output", "search-result").get("data-matched-weight"));
        assertTrue(dom.html.contains("<h1 id=\"title\">&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</h1>"),
                "the title is text");
    }

    @Test
    void anEmptyProfileOpensWithoutErrors(@TempDir Path dir) throws Exception {
        Path chromium = chromium();
        Dom dom = open(chromium, write(FoldedStacks.create(), "nothing sampled", dir), "main", dir);
        dom.assertNoErrors();
        assertEquals("0", dom.attributes("output", "search-result").get("data-matched-weight"));
        assertEquals("0.00%", dom.attributes("output", "search-result").get("data-matched-percent"));
    }

    /** The weight of the folded lines with a frame whose name (decoration removed, unescaped) contains the text. */
    private static long matchedWeight(String folded, String lowerCaseText) {
        return Profiles.parseFolded(folded).entrySet().stream()
                .filter(line -> line.getKey().stream()
                        .map(frame -> FoldedStacks.parseFrame(frame).name().toLowerCase(Locale.ROOT))
                        .anyMatch(name -> name.contains(lowerCaseText.toLowerCase(Locale.ROOT))))
                .mapToLong(Map.Entry::getValue).sum();
    }

    private static Path write(FoldedStacks stacks, String title, Path dir) throws IOException {
        Path page = dir.resolve("flame.html");
        try (Writer out = Files.newBufferedWriter(page)) {
            FlameGraphHtml.write(stacks, title, "samples", Accounting.of(stacks.total()), out);
        }
        return page;
    }

    /** Debian's chromium on the PATH, or the test is skipped with how to install it. */
    private static Path chromium() {
        Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(directory -> !directory.isEmpty())
                .flatMap(directory -> Stream.of("chromium", "chromium-browser").map(name -> Path.of(directory, name)))
                .filter(Files::isExecutable)
                .findFirst();
        Assumptions.assumeTrue(found.isPresent(), () -> {
            String reason = "headless Chromium is not installed (Debian: apt-get install -y chromium); "
                    + "FlameGraphHtmlTest still checks the page without a browser";
            System.out.println("SKIPPED FlameGraphBrowserTest: " + reason);
            return reason;
        });
        return found.orElseThrow();
    }

    /** The page's DOM after its script ran, opened with {@code #search=} the text. */
    private static Dom open(Path chromium, Path page, String search, Path dir) throws Exception {
        Path profile = Files.createTempDirectory(dir, "chromium-profile");
        Path out = dir.resolve("dom.html");
        Path err = dir.resolve("chromium.log");
        String url = page.toUri() + "#search=" + URLEncoder.encode(search, StandardCharsets.UTF_8).replace("+", "%20");
        Process process = new ProcessBuilder(chromium.toString(), "--headless", "--disable-gpu", "--no-sandbox",
                "--no-first-run", "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--window-size=1280,800", "--user-data-dir=" + profile,
                "--enable-logging=stderr", "--v=0", "--dump-dom", url)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                fail("chromium did not finish in 180 s; its log:\n" + Files.readString(err));
            }
            assertEquals(0, process.exitValue(), () -> "chromium failed:\n" + read(err));
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
        return new Dom(Files.readString(out), Files.readAllLines(err));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** What {@code --dump-dom} printed, and Chromium's log. */
    private record Dom(String html, List<String> log) {

        void assertNoErrors() {
            assertTrue(html.contains("id=\"search-result\""), () -> "no page in the dump:\n" + html + log);
            List<String> console = log.stream().filter(line -> line.contains(":CONSOLE")).toList();
            assertEquals(List.of(), console, "the page wrote to the console");
            Matcher errors = Pattern.compile("<pre id=\"errors\"[^>]*>([^<]*)</pre>").matcher(html);
            assertTrue(errors.find(), "the errors element is in the page");
            assertEquals("", errors.group(1), "script errors the page caught");
        }

        /** The attributes of the element with this tag and id. */
        Map<String, String> attributes(String tag, String id) {
            Matcher element = Pattern.compile("<" + tag + " ([^>]*\\bid=\"" + id + "\"[^>]*)>").matcher(html);
            assertTrue(element.find(), () -> "no <" + tag + " id=" + id + "> in\n" + html);
            Map<String, String> attributes = new java.util.HashMap<>();
            Matcher attribute = ATTRIBUTE.matcher(element.group(1));
            while (attribute.find()) {
                attributes.put(attribute.group(1), unescapeHtml(attribute.group(2)));
            }
            return attributes;
        }

        private static String unescapeHtml(String text) {
            return text.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        }
    }
}
