package io.github.perfevent.profile;

import io.github.perfevent.sys.Gcc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;

/**
 * Test support: src/test/c/symbolize_target.c linked against its library src/test/c/symbolize_lib.c, built by gcc
 * once per kind and test JVM ({@code -O0 -fno-omit-frame-pointer}), as a PIE or a {@code -no-pie} executable, and
 * stripped copies of both. Without gcc the calling test is skipped with the reason.
 */
final class TargetPrograms {

    /** A build: the executable and the shared library it loads (found through its rpath). */
    record Build(Path program, Path library) {

        /** Runs {@code program addresses}: the live process and the addresses it printed, by function name. */
        Running start() throws IOException {
            Process p = new ProcessBuilder(program.toString(), "addresses").redirectError(
                    ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Map<String, Long> addresses = new LinkedHashMap<>();
            for (int i = 0; i < 4; i++) {
                String line = out.readLine();
                if (line == null) {
                    p.destroyForcibly();
                    throw new AssertionError(program + " printed " + addresses + " and ended");
                }
                String[] words = line.split(" ");
                addresses.put(words[0], Long.parseUnsignedLong(words[1].substring(2), 16));
            }
            return new Running(p, addresses);
        }
    }

    /** A running {@code addresses} process; closing it lets it end and waits. */
    record Running(Process process, Map<String, Long> addresses) implements AutoCloseable {

        int pid() {
            return (int) process.pid();
        }

        long address(String function) {
            return addresses.get(function);
        }

        @Override
        public void close() throws IOException {
            process.getOutputStream().write('\n');
            process.getOutputStream().close();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final Map<String, Build> BUILT = new ConcurrentHashMap<>();

    private TargetPrograms() {
    }

    /** The PIE build. */
    static Build pie() {
        return build("pie", List.of(), false);
    }

    /** The {@code -no-pie} build: linked at a fixed address, 0x400000 and up. */
    static Build nonPie() {
        return build("no-pie", List.of("-no-pie"), false);
    }

    /** The PIE build with executable and library stripped ({@code strip --strip-all}). */
    static Build stripped() {
        return build("stripped", List.of(), true);
    }

    private static Build build(String kind, List<String> flags, boolean strip) {
        String reason = Gcc.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "skipped: " + reason);
        return BUILT.computeIfAbsent(kind, k -> {
            try {
                Path dir = Files.createTempDirectory("perf-event-symbolize-" + k).toRealPath();
                Path library = dir.resolve("libsymbolize.so");
                Path program = dir.resolve("symbolize_target");
                dir.toFile().deleteOnExit();
                library.toFile().deleteOnExit();
                program.toFile().deleteOnExit();
                Gcc.compile(Path.of("src/test/c/symbolize_lib.c"), library,
                        List.of("-shared", "-fPIC", "-fno-omit-frame-pointer"));
                List<String> all = new ArrayList<>(flags);
                all.addAll(List.of("-fno-omit-frame-pointer", "-Wl,--no-as-needed", library.toString(),
                        "-Wl,-rpath," + dir));
                Gcc.compile(Path.of("src/test/c/symbolize_target.c"), program, all);
                if (strip) {
                    for (Path file : List.of(program, library)) {
                        Gcc.Result r = Gcc.run(List.of("strip", "--strip-all", file.toString()), null, null);
                        if (r.exitCode() != 0) {
                            throw new AssertionError("strip " + file + ": " + r.stderr());
                        }
                    }
                }
                return new Build(program, library);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
