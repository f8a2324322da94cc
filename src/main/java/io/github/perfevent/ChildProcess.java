/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import io.github.perfevent.sys.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command started so that counters see only what it does after its {@code exec}: the way {@code perf stat CMD}
 * counts. {@link #prepare} starts {@code /bin/sh}, which stops itself ({@code SIGSTOP}) before it
 * {@code exec}s the command; counters opened on {@link #target()} are opened disabled with {@code enable_on_exec},
 * so the kernel enables them at that {@code exec}, not before (perf_event_open(2), {@code enable_on_exec}). {@link #run()} (or {@link #start()} and
 * {@link #waitFor()}) lets it go and returns its exit status. With {@link Options#inherit} the counters include
 * every process and thread the command creates.
 *
 * <pre>{@code
 * try (ChildProcess child = ChildProcess.prepare("make", "-j2");
 *      Counter clock = Counter.open(Event.Software.TASK_CLOCK.event(), child.target(),
 *              Options.defaults().inherit(true))) {
 *     int status = child.run();
 *     System.out.println(clock.read() + " ns of CPU, exit status " + status);
 * }
 * }</pre>
 *
 * <p>The command inherits this JVM's standard input, output and error unless {@link #prepare(ProcessBuilder)} is
 * given a builder with other redirects (its working directory and environment are kept too). A command that cannot
 * be executed makes the shell print why and exit with 127 (126 when it is not executable). {@link #close()} kills
 * a command that was never started or has not finished; it never leaves a stopped process behind.
 *
 * <p>Thread-safe.
 */
public final class ChildProcess implements AutoCloseable {

    /** How long {@link #prepare} waits for the shell to stop itself. */
    private static final long STOP_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Process process;
    private final int pid;
    private final List<String> command;
    private boolean started;

    private ChildProcess(Process process, List<String> command) {
        this.process = process;
        this.pid = (int) process.pid();
        this.command = command;
    }

    /**
     * Starts {@code command} stopped just before its {@code exec}.
     *
     * @param command the program and its arguments, looked up on {@code PATH} like a shell does
     * @return the stopped child
     * @throws UncheckedIOException if {@code /bin/sh} cannot be started
     * @throws IllegalStateException if the shell exits instead of stopping
     */
    public static ChildProcess prepare(String... command) {
        return prepare(new ProcessBuilder(command).inheritIO());
    }

    /**
     * Starts the builder's command stopped just before its {@code exec}, with the builder's directory, environment
     * and redirects.
     *
     * @param builder the command and how to run it
     * @return the stopped child
     * @throws UncheckedIOException if {@code /bin/sh} cannot be started
     * @throws IllegalStateException if the shell exits instead of stopping
     */
    public static ChildProcess prepare(ProcessBuilder builder) {
        List<String> command = List.copyOf(builder.command());
        if (command.isEmpty()) {
            throw new IllegalArgumentException("the command is empty");
        }
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", "kill -STOP $$ && exec \"$@\"", command.get(0)));
        wrapped.addAll(command);
        ProcessBuilder shell = new ProcessBuilder(wrapped).directory(builder.directory())
                .redirectInput(builder.redirectInput()).redirectOutput(builder.redirectOutput())
                .redirectError(builder.redirectError()).redirectErrorStream(builder.redirectErrorStream());
        shell.environment().clear();
        shell.environment().putAll(builder.environment());
        Process process;
        try {
            process = shell.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start /bin/sh for " + command, e);
        }
        ChildProcess child = new ChildProcess(process, command);
        child.awaitStopped();
        return child;
    }

    /** Waits until {@code /proc/<pid>/stat} shows the shell stopped ({@code T}). */
    private void awaitStopped() {
        long deadline = System.nanoTime() + STOP_TIMEOUT_NANOS;
        while (true) {
            char state;
            try {
                state = Target.taskState(pid);
            } catch (UncheckedIOException e) {
                process.destroyForcibly();
                throw e;
            }
            if (state == 'T') {
                return;
            }
            if (state == 'Z' || state == 'X' || !process.isAlive()) {
                throw new IllegalStateException("/bin/sh exited with status " + exitStatusOf(process)
                        + " before running " + command);
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("/bin/sh did not stop within 30 s before running " + command);
            }
            try {
                Thread.sleep(0, 100_000);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting " + command, e);
            }
        }
    }

    private static int exitStatusOf(Process p) {
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** {@return the child's process id (the shell's, which becomes the command's at {@code exec})} */
    public int pid() {
        return pid;
    }

    /** {@return the command, as given} */
    public List<String> command() {
        return command;
    }

    /** {@return the underlying process, for its streams and {@link Process#onExit()}} */
    public Process process() {
        return process;
    }

    /**
     * The child as a counting target: counters on it are opened disabled with {@code enable_on_exec}, so they start
     * at the command's {@code exec}. Open them before {@link #start()}.
     *
     * @return the target
     */
    public Target target() {
        return Target.child(this);
    }

    synchronized void requireNotStarted() {
        if (started) {
            throw new IllegalStateException("the command " + command + " has already started: open counters on a "
                    + "ChildProcess before start() or run(), so that they start at its exec");
        }
    }

    /**
     * Lets the command run: sends {@code SIGCONT}, after which the shell {@code exec}s it. Waits for counters being
     * opened on {@link #target()} by other threads, so that they see the {@code exec}. If the shell has already
     * ended (someone killed it), no signal is sent: {@link #waitFor()} returns how it ended, such as 128 + 9.
     *
     * @throws IllegalStateException if it was started already
     * @throws PerfEventException if the signal cannot be sent
     */
    public synchronized void start() {
        requireNotStarted();
        if (!process.isAlive()) {
            // Reaped: the pid may belong to another process by now, so it must not be signalled.
            started = true;
            return;
        }
        int result = Syscalls.kill(pid, Syscalls.SIGCONT);
        if (result < 0) {
            throw new PerfEventException(-result, "kill(" + pid + ", SIGCONT)",
                    "the stopped shell for " + command + " is gone (killed by someone else?)");
        }
        started = true;
    }

    /**
     * Waits for the command to end.
     *
     * @return its exit status; 128 + the signal number when a signal ended it
     * @throws IllegalStateException if it was never started (it would wait for ever)
     * @throws InterruptedException if interrupted while waiting
     */
    public int waitFor() throws InterruptedException {
        synchronized (this) {
            if (!started) {
                throw new IllegalStateException("the command " + command + " was never started: call start() first");
            }
        }
        return process.waitFor();
    }

    /**
     * {@link #start()} then {@link #waitFor()}.
     *
     * @return the exit status
     * @throws InterruptedException if interrupted while waiting
     */
    public int run() throws InterruptedException {
        start();
        return waitFor();
    }

    /** Kills the child if it has not ended (a stopped child too: {@code SIGKILL} ends stopped processes) and reaps it. */
    @Override
    public void close() {
        process.destroyForcibly(); // SIGKILL, through Process: it never signals a pid that was reaped and reused
        boolean interrupted = false;
        while (true) {
            try {
                process.waitFor();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ChildProcess[pid " + pid + ", " + command + "]";
    }
}
