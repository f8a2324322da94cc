package io.github.perfevent.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The sampling example for the README, src/examples/java/ProfileTopFunctions.java: ten lines between its README
 * markers, and run as a user runs it on a gcc program whose function hot uses nearly all the CPU, it prints hot
 * first.
 */
class ProfileExampleTest {

    private static final Path EXAMPLE = Path.of("src/examples/java/ProfileTopFunctions.java");

    @Test
    void theExampleIsTenLines() throws Exception {
        List<String> source = Files.readAllLines(EXAMPLE);
        int begin = source.indexOf("        // --- README begin");
        int end = source.indexOf("        // --- README end");
        assertTrue(begin > 0 && end > begin, "the README markers");
        assertEquals(10, end - begin - 1, "lines between the markers");
        String readme = Files.readString(Path.of("README.md"));
        String block = String.join("\n", source.subList(begin + 1, end).stream()
                .map(line -> line.startsWith("        ") ? line.substring(8) : line).toList());
        assertTrue(readme.contains("```java\n" + block + "\n```"), "README shows the example word for word");
    }

    @Test
    void theExamplePrintsTheDominantFunctionOfACommandFirst() throws Exception {
        Path program = TargetPrograms.pie().program();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", "target/classes", EXAMPLE.toString(),
                program.toString(), "spin", "500").redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the example did not finish in 120 s");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        List<String> lines = out.lines().toList();
        assertTrue(lines.size() >= 2 && lines.size() <= 10, out);
        String[] first = lines.getFirst().split(" ");
        assertEquals("hot", first[1], out);
        assertTrue(Integer.parseInt(first[0]) >= 300, "about 500 samples at 999 Hz in 500 ms of CPU: " + out);
    }
}
