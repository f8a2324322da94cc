package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's safe-layer example is the code between the README markers of
 * src/examples/java/CountRegionAndCommand.java, word for word, and that program runs as the README's first command
 * runs it and prints real counts.
 */
class ReadmeExampleTest {

    private static final Path EXAMPLE = Path.of("src/examples/java/CountRegionAndCommand.java");

    @Test
    void theReadmeShowsTheExampleAsItIsWritten() throws IOException {
        List<String> source = Files.readAllLines(EXAMPLE);
        List<String> snippet = source.subList(indexOf(source, "// --- README begin") + 1,
                indexOf(source, "// --- README end")).stream().map(String::strip).toList();
        String readme = Files.readString(Path.of("README.md"));
        int javaBlock = readme.indexOf("try (Counter faults");
        assertTrue(javaBlock > 0, "the README shows the example");
        List<String> shown = readme.substring(javaBlock, readme.indexOf("```", javaBlock)).lines()
                .map(String::strip).filter(l -> !l.isEmpty()).toList();
        assertEquals(snippet, shown, "README.md and " + EXAMPLE + " differ");
        assertTrue(snippet.size() <= 10, "ten lines: " + snippet.size());
    }

    @Test
    void theExampleCountsPageFaultsOfTheRegionAndTheCpuTimeOfTheCommand() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", "target/classes", EXAMPLE.toString())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the example did not finish in 120 s");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(number(out, "(\\d+) page faults") >= 4096, "16 MiB of fresh pages fault 4096 times: " + out);
        assertTrue(number(out, "(\\d+) ns of CPU in the command") > 0, out);
        assertEquals(0, number(out, "exit status (\\d+)"), out);
    }

    private static int indexOf(List<String> lines, String marker) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(marker)) {
                return i;
            }
        }
        throw new AssertionError(EXAMPLE + " has no line " + marker);
    }

    private static long number(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        assertTrue(m.find(), "no match for " + regex + " in:\n" + out);
        return Long.parseLong(m.group(1));
    }
}
