package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Test support: runs a main class of the tests in a child JVM, for failures that need another process (another
 * uid, a lower fd limit). The classes are copied once per test JVM to a directory every user can read (the build
 * directory may not be: a child that drops to uid 65534 reads its classes after dropping), removed at exit. The
 * child prints one line per scenario, {@code name|ok|value} or {@code name|<errno>|<message>}.
 */
public final class ChildJvm {

    private static Path classes;

    private ChildJvm() {
    }

    /**
     * Runs {@code main} with {@code arguments}, after {@code prefix} (such as a shell that sets a limit and then
     * {@code exec}s the JVM), and returns its scenario lines by name; the child must exit with 0.
     */
    public static Map<String, String[]> run(List<String> prefix, Class<?> main, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        Path copy = readableClasses();
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", copy.resolve("classes") + ":" + copy.resolve("test-classes"),
                main.getName()));
        command.addAll(List.of(arguments));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM finished");
        assertEquals(0, p.exitValue(), out);
        Map<String, String[]> results = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.split("\\|", 3);
            if (f.length == 3) {
                results.put(f[0], f);
            }
        }
        return results;
    }

    private static synchronized Path readableClasses() throws IOException {
        if (classes != null) {
            return classes;
        }
        Path root = Files.createTempDirectory("perf-event-classes",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        for (String dir : List.of("target/classes", "target/test-classes")) {
            Path from = Path.of(dir);
            Path to = root.resolve(from.getFileName());
            try (Stream<Path> files = Files.walk(from)) {
                for (Path f : files.sorted(Comparator.naturalOrder()).toList()) {
                    Path target = to.resolve(from.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(target);
                        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                    } else {
                        Files.copy(f, target);
                        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
                    }
                }
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(root)));
        classes = root;
        return root;
    }

    private static void delete(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
