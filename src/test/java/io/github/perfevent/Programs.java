package io.github.perfevent;

import io.github.perfevent.sys.Gcc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;

/**
 * Test support: the C programs of src/test/c that the counting tests run, compiled by gcc once per test JVM into a
 * temporary directory that is removed when the JVM exits. Without gcc the calling test is skipped with the reason.
 */
public final class Programs {

    private static final Map<String, Path> COMPILED = new ConcurrentHashMap<>();

    private Programs() {
    }

    /** {@code src/test/c/<name>.c}, compiled with {@code flags}. */
    public static Path compiled(String name, String... flags) {
        String reason = Gcc.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "skipped: " + reason);
        return COMPILED.computeIfAbsent(name, n -> {
            try {
                // Not "perf-...": perf takes every file under /tmp/perf- for a JIT perf map and reads no ELF symbols.
                Path dir = Files.createTempDirectory("perfevent-programs");
                Path program = dir.resolve(n);
                Gcc.compile(Path.of("src/test/c", n + ".c"), program, List.of(flags));
                // deleteOnExit deletes in the reverse order of registration: the directory first registered goes last.
                dir.toFile().deleteOnExit();
                program.toFile().deleteOnExit();
                return program;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
