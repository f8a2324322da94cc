package io.github.perfevent.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** Test support for {@link ConformanceTest}: runs gcc and the programs it builds. */
public final class Gcc {

    /** What a finished process left behind. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    private Gcc() {
    }

    /** Why gcc cannot be used here, or null when {@code gcc --version} runs. */
    public static String unavailableReason() {
        try {
            Result r = run(List.of("gcc", "--version"), null, null);
            return r.exitCode() == 0 ? null : "gcc --version exited with " + r.exitCode() + ": " + r.stderr();
        } catch (IOException e) {
            return "gcc is not on PATH (" + e.getMessage() + "); the conformance test compiles C oracles with it";
        }
    }

    /**
     * Compiles {@code source} into {@code executable} with {@code -std=gnu11 -Wall -Werror} and the extra flags;
     * a compiler error fails the test with gcc's output.
     */
    public static void compile(Path source, Path executable, List<String> flags) throws IOException {
        compile("gcc", source, executable, flags);
    }

    /** Like {@link #compile(Path, Path, List)} with another compiler, such as a cross compiler. */
    public static void compile(String compiler, Path source, Path executable, List<String> flags) throws IOException {
        List<String> command = new ArrayList<>(List.of(compiler, "-std=gnu11", "-O0", "-Wall", "-Werror"));
        command.addAll(flags);
        command.addAll(List.of(source.toString(), "-o", executable.toString()));
        Result r = run(command, null, null);
        if (r.exitCode() != 0) {
            throw new AssertionError("gcc failed (exit " + r.exitCode() + ") compiling " + source + ":\n"
                    + String.join(" ", command) + "\n" + r.stderr() + r.stdout());
        }
    }

    /** Runs a command to completion (60 s at most) with the given standard input (may be null). */
    public static Result run(List<String> command, String stdin, Map<String, String> environment) throws IOException {
        return run(command, stdin, environment, null);
    }

    /** Like {@link #run(List, String, Map)}, in {@code directory} (null: the current one). */
    public static Result run(List<String> command, String stdin, Map<String, String> environment, Path directory)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (directory != null) {
            pb.directory(directory.toFile());
        }
        if (environment != null) {
            pb.environment().clear();
            pb.environment().putAll(environment);
        }
        Process p = pb.start();
        // Drain both pipes while feeding stdin, so that no side can fill a pipe and block the other.
        Executor threadPerPipe = task -> Thread.ofPlatform().daemon().name("gcc-pipe").start(task);
        var out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()), threadPerPipe);
        var err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), threadPerPipe);
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // The program stopped reading (it exited early); its exit code and stderr tell why.
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out after 60 s: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
                    new String(err.join(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + String.join(" ", command), e);
        }
    }

    private static byte[] readAll(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Deletes a directory tree; quietly ignores what is already gone. */
    static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
