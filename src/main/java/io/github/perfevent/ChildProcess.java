/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A command started so that counters see only what it does after its {@code exec}: the way {@code perf stat CMD}
 * counts. {@link #prepare} starts {@code /bin/sh}, which checks that the command can be run, reports to this JVM,
 * and then waits in a {@code read} of a FIFO before it {@code exec}s the command; counters opened on
 * {@link #target()} are opened disabled with {@code enable_on_exec}, so the kernel enables them at that
 * {@code exec}, not before (perf_event_open(2), {@code enable_on_exec}). Nothing of the shell is counted.
 * {@link #run()} (or {@link #start()} and {@link #waitFor()}) writes the byte the shell waits for and returns the
 * command's exit status. With {@link Options#inherit} the counters include every process and thread the command
 * creates.
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
 * <p><b>It never outlives the JVM unstarted.</b> Only this JVM holds the FIFO's write end (close-on-exec; the FIFO
 * lives in a private temporary directory that is removed as soon as the shell has opened it). If the JVM ends
 * before {@link #start()}, however it ends ({@code main} returns without {@link #close()}, {@code System.exit},
 * {@code kill -9}), the kernel closes that end, the shell's {@code read} sees end-of-file and the shell exits
 * <em>without</em> running the command: a command never runs after the JVM that prepared it has died, and no
 * waiting shell keeps the JVM's standard output open. {@link #close()} kills a command that was never started or
 * has not finished, and reaps it.
 *
 * <p>The command inherits this JVM's standard input, output and error unless {@link #prepare(ProcessBuilder)} is
 * given a builder with other redirects (its working directory and environment are kept too), and no other
 * descriptor. A command that is not found (on the builder's {@code PATH} when its name has no {@code /}), is a
 * directory, or is not executable fails {@link #prepare} the way {@link ProcessBuilder#start()} fails. An
 * {@code exec} that still fails later (say, a script whose interpreter is missing) makes the shell print why and
 * exit with 127 (126 when the kernel refuses to execute the file).
 *
 * <p>Thread-safe.
 */
public final class ChildProcess implements AutoCloseable {

    /** How long {@link #prepare} waits for the shell's report. */
    private static final long ANSWER_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** How long each wait for the report lasts before the shell's liveness and the deadline are checked. */
    private static final int ANSWER_POLL_MILLIS = 20;

    /**
     * The shell's program; {@code $0} is the command's name (for the shell's messages), {@code $1} the private
     * directory with the FIFOs {@code go} and {@code status}, and the rest the command. {@code 4<>go} (read-write,
     * which never blocks) lets {@code 3<go} open without waiting for a writer, and closing 4 leaves this JVM's end
     * as the only writer, so a JVM that has died already reads as end-of-file. The command is looked up as the
     * shell's {@code exec} will ({@code PATH} entries in order, an empty one meaning the working directory), and the
     * verdict written to {@code status}: {@code ready}, {@code missing}, {@code directory} or {@code denied}. Then
     * {@code read} waits: a line means run, end-of-file means the JVM is gone, and the shell exits without running
     * the command. Only builtins run before {@code exec}, so nothing but the command is counted.
     */
    private static final String SHELL = """
            d=$1; shift
            exec 4<>"$d/go" 3<"$d/go" 4<&- 5<>"$d/status" || exit 125
            s=ready
            case $1 in
            */*) if [ ! -e "$1" ]; then s=missing; elif [ -d "$1" ]; then s=directory; elif [ ! -x "$1" ]; then s=denied; fi ;;
            *) s=missing
               set -f
               IFS=:
               for p in $PATH; do
                 if [ -f "${p:-.}/$1" ] && [ -x "${p:-.}/$1" ]; then s=ready; break; fi
                 if [ -e "${p:-.}/$1" ] && [ ! -d "${p:-.}/$1" ]; then s=denied; fi
               done ;;
            esac
            echo "$s" >&5
            exec 5>&-
            [ "$s" = ready ] || exit 127
            read -r g <&3 || exit 125
            exec "$@" 3<&-
            """;

    private final Process process;
    private final int pid;
    private final List<String> command;
    private Fifo go;
    private boolean started;
    private boolean closed;

    private ChildProcess(Process process, List<String> command, Fifo go) {
        this.process = process;
        this.pid = (int) process.pid();
        this.command = command;
        this.go = go;
    }

    /**
     * Starts {@code command}, waiting just before its {@code exec}, with this JVM's standard streams.
     *
     * @param command the program and its arguments, looked up on {@code PATH} like a shell does
     * @return the waiting child
     * @throws NullPointerException if {@code command} or one of its elements is {@code null}
     * @throws IllegalArgumentException if {@code command} is empty
     * @throws UncheckedIOException if the program cannot be run (not found, a directory, not executable; the
     *     cause is an {@link IOException} worded like {@link ProcessBuilder#start()}'s), or {@code /bin/sh}
     *     cannot be started
     * @throws PerfEventException if the private FIFOs cannot be created (the errno of {@code mkfifo} or
     *     {@code open})
     * @throws IllegalStateException if the shell ends before it reports (killed by someone), or does not report
     *     within 30 s, or this thread is interrupted meanwhile
     */
    public static ChildProcess prepare(String... command) {
        Objects.requireNonNull(command, "command");
        return prepare(new ProcessBuilder(command).inheritIO());
    }

    /**
     * Starts the builder's command, waiting just before its {@code exec}, with the builder's directory, environment
     * and redirects.
     *
     * @param builder the command and how to run it
     * @return the waiting child
     * @throws NullPointerException if {@code builder} or an element of its command is {@code null}
     * @throws IllegalArgumentException if the command is empty
     * @throws UncheckedIOException if the program cannot be run (not found, a directory, not executable; the
     *     cause is an {@link IOException} worded like {@link ProcessBuilder#start()}'s), or {@code /bin/sh}
     *     cannot be started
     * @throws PerfEventException if the private FIFOs cannot be created (the errno of {@code mkfifo} or
     *     {@code open})
     * @throws IllegalStateException if the shell ends before it reports (killed by someone), or does not report
     *     within 30 s, or this thread is interrupted meanwhile
     */
    public static ChildProcess prepare(ProcessBuilder builder) {
        Objects.requireNonNull(builder, "builder");
        List<String> command = List.copyOf(builder.command());
        if (command.isEmpty()) {
            throw new IllegalArgumentException("the command is empty");
        }
        Path channel = privateDirectory(command);
        Fifo go = null;
        Process process = null;
        try {
            go = Fifo.create(channel.resolve("go"));
            String answer;
            try (Fifo status = Fifo.create(channel.resolve("status"))) {
                process = startShell(builder, command, channel);
                answer = awaitAnswer(status, process, command, ANSWER_TIMEOUT_NANOS);
            }
            if (!answer.equals("ready")) {
                throw cannotRun(builder, command, answer);
            }
            deleteChannel(channel);
            return new ChildProcess(process, command, go);
        } catch (RuntimeException | Error e) {
            if (go != null) {
                go.close();
            }
            if (process != null) {
                killAndReap(process);
            }
            try {
                deleteChannel(channel);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** A new directory only this user can enter, for the two FIFOs. */
    private static Path privateDirectory(List<String> command) {
        try {
            return Files.createTempDirectory("perf-event-child-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a private directory for the FIFOs of " + command, e);
        }
    }

    private static void deleteChannel(Path channel) {
        try {
            Files.deleteIfExists(channel.resolve("go"));
            Files.deleteIfExists(channel.resolve("status"));
            Files.deleteIfExists(channel);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the private directory " + channel, e);
        }
    }

    private static Process startShell(ProcessBuilder builder, List<String> command, Path channel) {
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", SHELL, command.get(0), channel.toString()));
        wrapped.addAll(command);
        ProcessBuilder shell = new ProcessBuilder(wrapped).directory(builder.directory())
                .redirectInput(builder.redirectInput()).redirectOutput(builder.redirectOutput())
                .redirectError(builder.redirectError()).redirectErrorStream(builder.redirectErrorStream());
        shell.environment().clear();
        shell.environment().putAll(builder.environment());
        try {
            return shell.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start /bin/sh for " + command, e);
        }
    }

    /** Waits for the shell's one-line report on {@code status}, while the shell lives, for at most {@code timeoutNanos}. */
    static String awaitAnswer(Fifo status, Process process, List<String> command, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            boolean ended = !process.isAlive(); // asked first: a report written before the end is read below
            String answer = status.readLine(ended ? 0 : ANSWER_POLL_MILLIS);
            if (answer != null) {
                return answer;
            }
            if (ended) {
                throw new IllegalStateException("/bin/sh exited with status " + process.exitValue()
                        + " before running " + command);
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted while starting " + command);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("/bin/sh did not report within "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms before running " + command);
            }
        }
    }

    private static UncheckedIOException cannotRun(ProcessBuilder builder, List<String> command, String answer) {
        String program = command.get(0);
        String reason = switch (answer) {
            case "missing" -> program.contains("/") ? "No such file" : "not found on PATH ("
                    + builder.environment().getOrDefault("PATH", "unset: the shell's default") + ")";
            case "directory" -> "Is a directory";
            case "denied" -> "Permission denied (not executable)";
            default -> throw new IllegalStateException("/bin/sh reported \"" + answer + "\" for " + command);
        };
        String where = builder.directory() == null ? "" : " (in directory \"" + builder.directory() + "\")";
        return new UncheckedIOException(new IOException("Cannot run program \"" + program + "\"" + where + ": " + reason));
    }

    private static void killAndReap(Process process) {
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
        if (closed) {
            throw new IllegalStateException("the ChildProcess for " + command + " is closed: its pid " + pid
                    + " may belong to another process by now");
        }
        if (started) {
            throw new IllegalStateException("the command " + command + " has already started: open counters on a "
                    + "ChildProcess before start() or run(), so that they start at its exec");
        }
    }

    /**
     * Lets the command run: writes the byte the shell waits for, after which the shell {@code exec}s the command.
     * Waits for counters being opened on {@link #target()} by other threads, so that they see the {@code exec}. If
     * the shell has already ended (someone killed it), {@link #waitFor()} returns how it ended, such as 128 + 9.
     *
     * @throws IllegalStateException if it was started already (a ChildProcess runs its command once), or closed
     * @throws PerfEventException if the byte cannot be written (the errno of {@code write})
     */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("start() or run() was already called for " + command
                    + ": a ChildProcess runs its command once; prepare a new one to run it again");
        }
        if (closed) {
            throw new IllegalStateException("the ChildProcess for " + command + " is closed: its command was killed");
        }
        go.write((byte) '\n');
        go.close();
        go = null;
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

    /**
     * Kills the child if it has not ended (SIGKILL, which ends a waiting shell too) and reaps it. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (go != null) {
                go.close();
                go = null;
            }
        }
        killAndReap(process);
    }

    @Override
    public String toString() {
        return "ChildProcess[pid " + pid + ", " + command + "]";
    }
}
