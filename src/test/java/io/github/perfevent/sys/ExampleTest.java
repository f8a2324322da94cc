package io.github.perfevent.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The raw-layer example of the README, src/examples/java/CountTaskClock.java, run the way a user runs it. */
class ExampleTest {

    @Test
    void readmeExampleCountsTaskClockAndTheSixteenMebibytesOfPageFaults() throws IOException, InterruptedException {
        Path example = Path.of("src/examples/java/CountTaskClock.java");
        Path classes = Path.of("target/classes");
        assertTrue(Files.isRegularFile(example), "missing " + example.toAbsolutePath());
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classes.toString(), example.toString())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the example did not finish in 60 s");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);

        long taskClockNs = number(out, "task-clock\\s+([\\d,]+) ns");
        long pageFaults = number(out, "page-faults\\s+([\\d,]+)");
        assertTrue(taskClockNs > 0, out);
        // The example touches 16 MiB of fresh memory, one byte per 4 KiB page: at least 4096 faults.
        assertTrue(pageFaults >= 4096, out);
    }

    private static long number(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        assertTrue(m.find(), "no match for " + regex + " in:\n" + out);
        return Long.parseLong(m.group(1).replace(",", ""));
    }
}
