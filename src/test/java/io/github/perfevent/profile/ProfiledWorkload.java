/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Test support: a Java workload where one method dominates by construction. {@link #hotLoop} is a loop without calls
 * and takes nearly all the CPU time; {@link #callHot} is its only caller. Both are kept from inlining by the tests
 * ({@code -XX:CompileCommand=dontinline,io.github.perfevent.profile.ProfiledWorkload::*}), so each has a frame of its
 * own in compiled code.
 *
 * <p>{@code run SECONDS}: runs the workload on the main thread. {@code inprocess SECONDS FILE}: runs it on a worker
 * thread, profiles that thread in-process with {@link Profiler#threads(Thread...)}, and writes the folded stacks to
 * FILE and the accounting and warnings to standard output.
 */
public final class ProfiledWorkload {

    /**
     * The JVM options the tests run this class with: frame pointers kept, and neither method inlined (two options:
     * {@code quiet,dontinline,...} in one would be read as the command {@code quiet} alone, and C2 would inline
     * {@code hotLoop} into {@code callHot}).
     */
    static final List<String> JVM_OPTIONS = List.of("-XX:+PreserveFramePointer", "-XX:CompileCommand=quiet",
            "-XX:CompileCommand=dontinline,io.github.perfevent.profile.ProfiledWorkload::*");

    private static volatile long sink;

    private ProfiledWorkload() {
    }

    /** The dominant method: arithmetic in a loop, no calls. */
    static long hotLoop(long n) {
        long x = sink;
        for (long i = 0; i < n; i++) {
            x = x * 6364136223846793005L + i;
        }
        return x;
    }

    /** The caller of {@link #hotLoop}, and nothing else. */
    static long callHot(long n) {
        return hotLoop(n) + 1;
    }

    static void work(Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            sink = callHot(10_000);
        }
    }

    /**
     * Runs a mode.
     *
     * @param args {@code run SECONDS} or {@code inprocess SECONDS FILE}
     * @throws Exception if the profile cannot be written
     */
    public static void main(String[] args) throws Exception {
        Duration duration = Duration.ofMillis((long) (Double.parseDouble(args[1]) * 1000));
        if (args[0].equals("run")) {
            work(duration);
            return;
        }
        CountDownLatch go = new CountDownLatch(1);
        Thread worker = Thread.ofPlatform().name("hot-worker").unstarted(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                return;
            }
            work(duration);
        });
        worker.start(); // Target.thread needs the OS thread: a started thread, waiting until the profiler runs
        long opening = System.nanoTime();
        try (Profiler profiler = Profiler.threads(worker).frequency(999).start()) {
            System.out.printf("started in %d ms%n", (System.nanoTime() - opening) / 1_000_000);
            go.countDown();
            worker.join();
            Profile profile = profiler.stop();
            try (var out = Files.newBufferedWriter(Path.of(args[2]))) {
                profile.folded(false).write(out);
            }
            System.out.println(profile.accountingLine());
            profile.warnings().forEach(System.out::println);
        }
    }
}
