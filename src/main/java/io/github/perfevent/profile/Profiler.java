/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile;

import io.github.perfevent.ChildProcess;
import io.github.perfevent.Event;
import io.github.perfevent.PerfEventException;
import io.github.perfevent.Target;
import io.github.perfevent.profile.output.Accounting;
import io.github.perfevent.profile.output.StackFrame;
import io.github.perfevent.profile.output.StackSample;
import io.github.perfevent.profile.perfdata.PerfDataWriter;
import io.github.perfevent.sampling.RecordCursor;
import io.github.perfevent.sampling.RecordType;
import io.github.perfevent.sampling.SampleField;
import io.github.perfevent.sampling.Sampler;
import io.github.perfevent.sampling.Sampling;
import io.github.perfevent.sampling.SideBand;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A CPU profiler on perf events: samples a target with callchains, names the frames when it stops, and hands back a
 * {@link Profile} (folded stacks, an HTML flame graph, a text summary, pprof) — optionally writing a {@code perf.data}
 * file as it records. No agent and no native library: the kernel walks the stacks through frame pointers
 * ({@code PERF_SAMPLE_CALLCHAIN}, perf_event_open(2)), and the JVM's own perf map names its JIT code
 * ({@link JvmPerfMap}).
 *
 * <pre>{@code
 * try (Profiler profiler = Profiler.command(List.of("java", "-jar", "app.jar")).start()) {
 *     profiler.awaitEnd(Duration.ofMinutes(1));          // the command ends, or a minute passes
 *     Profile profile = profiler.stop();
 *     profile.write(Path.of("flame.html"));
 * }
 * }</pre>
 *
 * <p><b>Targets.</b> {@link #thisJvm()} (every thread of this process, new ones included), {@link #threads(Thread...)}
 * (chosen threads of this JVM), {@link #process(long)} (every thread of another process, new ones included), and
 * {@link #command(List)} (a child command from its {@code exec}, with everything it starts).
 *
 * <p><b>Event and rate.</b> {@code cpu-clock} by default, at {@value #DEFAULT_FREQUENCY} Hz: {@code perf record}
 * samples at 4000 Hz and async-profiler at 100 Hz; 99 rather than 100 keeps the samples from falling into lockstep
 * with activity driven by timers at round rates (10 ms ticks, 100 Hz loops), which would over- or under-sample it;
 * and each sample costs an interrupt and a kernel stack walk of tens of frames, so a rate near async-profiler's keeps
 * the overhead near its (not measured here yet). Any sampling event by its perf name ({@link Builder#event(String)}),
 * with a frequency or a period.
 *
 * <p><b>Java frames.</b> A JVM target's compiled code is named from the perf map it writes at the end of the
 * recording ({@link JvmPerfMap}: a snapshot, whose cost that class describes); its interpreted frames show as
 * {@code Interpreter}. A JVM without {@code -XX:+PreserveFramePointer} uses the frame-pointer register for data in
 * compiled code, so the kernel's walk stops at the first compiled frame: {@link #warnings()} says so when it is
 * detected. A child command is started with {@code JAVA_TOOL_OPTIONS} carrying {@link JvmPerfMap#DUMP_AT_EXIT_OPTIONS}
 * (appended to any the caller set), so that a child JVM keeps frame pointers and writes its map as it exits.
 *
 * <p><b>Accounting.</b> {@link Profile#accounting()}: samples recorded, lost (LOST records), frames that could not
 * be named (counted once per sample they are in), and stacks that are truncated: whose length reached the kernel's
 * {@code perf_event_max_stack}, or whose outermost frame is Java code or unnamed code, where a frame-pointer walk
 * stops when it loses the chain.
 *
 * <p>Thread safety: {@link #stop()}, {@link #awaitEnd(Duration)} and {@link #close()} may be called from any
 * thread; a reader thread of its own ({@code perf-event-profiler}) drains the ring buffers while recording.
 */
public final class Profiler implements AutoCloseable {

    /** The default sampling frequency in Hz (see the class comment for the choice). */
    public static final int DEFAULT_FREQUENCY = 99;
    /** The default event. */
    public static final String DEFAULT_EVENT = "cpu-clock";

    private static final Duration POLL = Duration.ofMillis(50);
    private static final int MAX_STACK = maxStack();

    private enum Kind { THIS_JVM, THREADS, PROCESS, COMMAND }

    /**
     * What to profile and how, before it starts: from {@link Profiler#thisJvm()}, {@link Profiler#threads},
     * {@link Profiler#process(long)} or {@link Profiler#command(List)}.
     */
    public static final class Builder {
        private final Kind kind;
        private final List<Thread> threads;
        private final long pid;
        private final List<String> command;
        private String event = DEFAULT_EVENT;
        private long frequency = DEFAULT_FREQUENCY;
        private long period;
        private Path perfData;
        private Path perfMap;
        private List<String> commandLine = List.of("perf-event", "record");

        private Builder(Kind kind, List<Thread> threads, long pid, List<String> command) {
            this.kind = kind;
            this.threads = threads;
            this.pid = pid;
            this.command = command;
        }

        /**
         * Samples {@code name} instead of {@code cpu-clock}.
         *
         * @param name an event as perf names it ({@code task-clock}, {@code page-faults}, {@code cycles:u})
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         */
        public Builder event(String name) {
            this.event = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * About {@code hertz} samples per second per thread ({@code perf record -F}); replaces a period.
         *
         * @param hertz samples per second, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code hertz} is not positive
         */
        public Builder frequency(long hertz) {
            if (hertz <= 0) {
                throw new IllegalArgumentException("the frequency must be > 0 Hz, not " + hertz);
            }
            this.frequency = hertz;
            this.period = 0;
            return this;
        }

        /**
         * One sample every {@code period} events ({@code perf record -c}): nanoseconds for {@code cpu-clock}; replaces
         * the frequency.
         *
         * @param period events per sample, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code period} is not positive
         */
        public Builder period(long period) {
            if (period <= 0) {
                throw new IllegalArgumentException("the period must be > 0, not " + period);
            }
            this.period = period;
            this.frequency = 0;
            return this;
        }

        /**
         * Also writes every record, as the kernel wrote it, to a {@code perf.data} file that {@code perf report} and
         * {@code perf script} read; the JVM perf maps go to {@code /tmp/perf-<pid>.map} beside it (perf reads them at
         * report time), listed in {@link Profile#perfMaps()}.
         *
         * @param file the file to write
         * @return this builder
         * @throws NullPointerException if {@code file} is null
         */
        public Builder perfData(Path file) {
            this.perfData = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Names the JIT code of a {@link Profiler#process(long)} target from this perf map, instead of asking the
         * JVM for one at the end (for a JVM that {@code jcmd} cannot reach, or a JIT that writes its own map).
         *
         * @param file a perf map ({@code START SIZE name} lines)
         * @return this builder
         * @throws NullPointerException if {@code file} is null
         */
        public Builder perfMap(Path file) {
            this.perfMap = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * The command line stored in a {@code perf.data} file's CMDLINE feature ({@code perf report --header}).
         *
         * @param arguments the arguments of the recording command
         * @return this builder
         * @throws NullPointerException if {@code arguments} is null
         */
        public Builder commandLine(List<String> arguments) {
            this.commandLine = List.copyOf(arguments);
            return this;
        }

        /**
         * Opens the events and starts recording (a command is started now, with its events enabled at its
         * {@code exec}).
         *
         * @return the running profiler
         * @throws IllegalArgumentException for an unknown event or settings the sampler refuses
         * @throws PerfEventException if the kernel refuses
         * @throws UncheckedIOException if the perf.data file cannot be created, or the command cannot be run
         */
        public Profiler start() {
            return new Profiler(this);
        }
    }

    private final Builder settings;
    private final List<Sampler> samplers = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final Symbolizer symbolizer = new Symbolizer();
    private final Map<StackKey, long[]> stacks = new HashMap<>();
    private final Map<Integer, String> threadNames = new HashMap<>();
    private final Set<Integer> pids = new HashSet<>();
    private final ChildProcess child;
    private final PerfDataWriter perfData;
    private final Thread reader;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final long startNanos = System.nanoTime();
    private final Instant startInstant = Instant.now();
    /** The wall-clock start, rounded down to the second: file times may have a resolution of a second. */
    private final long startMillis = System.currentTimeMillis() / 1000 * 1000 - 1000;
    /** The processes known to be JVMs when the recording started. */
    private final Set<Integer> jvms = new HashSet<>();
    private volatile boolean stopping;
    private Profile profile;
    private RuntimeException readFailure;
    private long samples;
    private boolean closed;

    private Profiler(Builder b) {
        this.settings = b;
        Event event = Event.parse(b.event);
        Sampling sampling = (b.period > 0 ? Sampling.period(b.period) : Sampling.frequency(b.frequency))
                .sample(SampleField.IDENTIFIER, SampleField.IP, SampleField.TID, SampleField.TIME, SampleField.CPU,
                        SampleField.PERIOD, SampleField.CALLCHAIN)
                .sideBand(SideBand.MMAP, SideBand.COMM, SideBand.COMM_EXEC, SideBand.TASK);
        ChildProcess started = null;
        PerfDataWriter writer = null;
        try {
            switch (b.kind) {
                case THIS_JVM -> {
                    long self = ProcessHandle.current().pid();
                    warnAboutFramePointer("this JVM", JvmPerfMap.preservesFramePointerThisJvm().orElse(true));
                    symbolizer.loadProcess((int) self);
                    samplers.add(Sampler.open(event, Target.process(self), sampling));
                }
                case THREADS -> {
                    warnAboutFramePointer("this JVM", JvmPerfMap.preservesFramePointerThisJvm().orElse(true));
                    symbolizer.loadProcess((int) ProcessHandle.current().pid());
                    for (Thread thread : b.threads) {
                        samplers.add(Sampler.open(event, Target.thread(thread), sampling));
                    }
                }
                case PROCESS -> {
                    if (JvmPerfMap.isJvm(b.pid)) {
                        jvms.add((int) b.pid);
                        warnAboutFramePointer("JVM " + b.pid, JvmPerfMap.preservesFramePointer(b.pid).orElse(true));
                    }
                    symbolizer.loadProcess((int) b.pid);
                    samplers.add(Sampler.open(event, Target.process(b.pid), sampling));
                }
                case COMMAND -> {
                    ProcessBuilder builder = new ProcessBuilder(b.command).inheritIO();
                    String options = builder.environment().get("JAVA_TOOL_OPTIONS");
                    builder.environment().put("JAVA_TOOL_OPTIONS", options == null || options.isBlank()
                            ? JvmPerfMap.DUMP_AT_EXIT_OPTIONS : options + " " + JvmPerfMap.DUMP_AT_EXIT_OPTIONS);
                    started = ChildProcess.prepare(builder);
                    samplers.add(Sampler.open(event, started.target(), sampling));
                }
            }
            if (b.perfData != null) {
                writer = PerfDataFiles.create(b.perfData, b.event, samplers, b.commandLine);
                writer.synthesizeKernel();
                if (b.kind != Kind.COMMAND) { // a command's exec brings its COMM and MMAP2 records
                    writer.synthesizeProcess((int) (b.kind == Kind.PROCESS ? b.pid : ProcessHandle.current().pid()));
                }
            }
            for (Sampler s : samplers) {
                s.enable();
            }
            if (started != null) {
                started.start();
            }
        } catch (IOException e) {
            closeAll(started, writer);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            closeAll(started, writer);
            throw e;
        }
        this.child = started;
        this.perfData = writer;
        this.reader = Thread.ofPlatform().name("perf-event-profiler").daemon().start(this::read);
    }

    /** {@return a builder that profiles every thread of this JVM, including threads started later} */
    public static Builder thisJvm() {
        return new Builder(Kind.THIS_JVM, List.of(), 0, List.of());
    }

    /**
     * {@return a builder that profiles these threads of this JVM (started, live platform threads)}
     *
     * @param threads the threads
     * @throws IllegalArgumentException if there are none
     * @throws NullPointerException if {@code threads} or one of them is null
     */
    public static Builder threads(Thread... threads) {
        List<Thread> list = List.of(threads);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("no thread to profile");
        }
        return new Builder(Kind.THREADS, list, 0, List.of());
    }

    /**
     * {@return a builder that profiles every thread of process {@code pid}, including threads started later}
     *
     * @param pid a running process
     * @throws IllegalArgumentException if {@code pid} is not positive
     */
    public static Builder process(long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("a process id is > 0, not " + pid);
        }
        return new Builder(Kind.PROCESS, List.of(), pid, List.of());
    }

    /**
     * {@return a builder that runs {@code command} and profiles it from its {@code exec}, with every process it
     * starts}
     *
     * @param command the program and its arguments, looked up on {@code PATH}
     * @throws IllegalArgumentException if {@code command} is empty
     * @throws NullPointerException if {@code command} or an argument is null
     */
    public static Builder command(List<String> command) {
        List<String> list = List.copyOf(command);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("no command to profile");
        }
        return new Builder(Kind.COMMAND, List.of(), 0, list);
    }

    /** {@return what was noticed when the recording started, such as a JVM without frame pointers} */
    public synchronized List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** {@return the process id of the profiled command, or -1 for the other targets} */
    public int commandPid() {
        return child == null ? -1 : child.pid();
    }

    /**
     * Waits until every profiled task has ended (the command and its children, the process, the threads) or
     * {@code timeout} passes.
     *
     * @param timeout the longest wait
     * @return whether the targets have ended
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Stops recording (a command still running keeps running until {@link #close()}), names the frames and returns
     * the profile. Calling it again returns the same profile.
     *
     * @return the profile
     * @throws UncheckedIOException if the perf.data file could not be written
     * @throws PerfEventException if reading the ring buffers failed
     */
    public synchronized Profile stop() {
        if (profile != null) {
            return profile;
        }
        stopping = true;
        for (Sampler s : samplers) {
            s.wakeup();
        }
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the profiler", e);
        }
        if (readFailure != null) {
            throw readFailure;
        }
        long lost = 0;
        for (Sampler s : samplers) {
            lost += s.lost();
        }
        List<Path> mapsKept = new ArrayList<>();
        List<Path> mapsRead = new ArrayList<>();
        try {
            namesJitCode(mapsRead, mapsKept);
            if (perfData != null) {
                perfData.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (Path temporary : mapsRead) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException e) {
                    warnings.add("could not delete " + temporary + ": " + e);
                }
            }
        }
        profile = symbolize(lost, mapsKept);
        return profile;
    }

    /** Stops if needed, closes the samplers, and kills the command if it still runs. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        stopping = true;
        for (Sampler s : samplers) {
            s.wakeup();
        }
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeAll(child, perfData);
    }

    private void closeAll(ChildProcess command, PerfDataWriter writer) {
        for (Sampler s : samplers) {
            s.close();
        }
        if (command != null) {
            command.close();
        }
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException | RuntimeException e) {
                // the profile was not asked for, or its failure was reported by stop()
            }
        }
    }

    private void warnAboutFramePointer(String jvm, boolean preserves) {
        if (!preserves) {
            warnings.add(jvm + " runs without -XX:+PreserveFramePointer: stacks stop at the first JIT-compiled Java "
                    + "frame (its callers are lost); start it with -XX:+PreserveFramePointer");
        }
    }

    // ---- recording (the reader thread)

    private void read() {
        List<RecordCursor> cursors = new ArrayList<>();
        for (Sampler s : samplers) {
            cursors.add(s.cursor());
        }
        try {
            boolean allEnded = false;
            while (!stopping && !allEnded) {
                allEnded = true;
                for (int i = 0; i < samplers.size(); i++) {
                    Sampler s = samplers.get(i);
                    if (!s.isEnded()) {
                        s.await(samplers.size() == 1 ? POLL : Duration.ofMillis(10));
                        drain(s, cursors.get(i));
                    }
                    allEnded &= s.isEnded();
                }
                if (allEnded) {
                    ended.countDown();
                }
            }
            for (int i = 0; i < samplers.size(); i++) {
                samplers.get(i).disable();
                drain(samplers.get(i), cursors.get(i));
            }
        } catch (IOException e) {
            readFailure = new UncheckedIOException(e);
        } catch (RuntimeException e) {
            readFailure = e;
        } finally {
            ended.countDown();
        }
    }

    private void drain(Sampler sampler, RecordCursor cursor) throws IOException {
        while (sampler.next(cursor)) {
            if (perfData != null) {
                perfData.write(cursor);
            }
            RecordType type = cursor.recordType();
            if (type == RecordType.SAMPLE) {
                samples++;
                int length = cursor.callchainLength();
                long[] chain = new long[length];
                for (int i = 0; i < length; i++) {
                    chain[i] = cursor.callchain(i);
                }
                if (length == 0) {
                    chain = new long[] {cursor.ip()};
                }
                pids.add(cursor.pid());
                stacks.computeIfAbsent(new StackKey(cursor.pid(), cursor.tid(), chain), k -> new long[1])[0]++;
            } else {
                if (type == RecordType.COMM) {
                    var comm = (io.github.perfevent.sampling.PerfRecord.Comm) cursor.toRecord();
                    threadNames.put(comm.tid(), comm.comm());
                    pids.add(comm.pid());
                }
                symbolizer.accept(cursor);
            }
        }
    }

    /** One distinct callchain of one thread. */
    private record StackKey(int pid, int tid, long[] chain) {
        @Override
        public boolean equals(Object o) {
            return o instanceof StackKey k && k.pid == pid && k.tid == tid && Arrays.equals(k.chain, chain);
        }

        @Override
        public int hashCode() {
            return (pid * 31 + tid) * 31 + Arrays.hashCode(chain);
        }
    }

    // ---- at the end

    /**
     * Reads the perf map of every JVM among the sampled processes: asked for now from a JVM that still runs, or the
     * one a JVM wrote at its exit ({@code -XX:+DumpPerfMapAtExit}) since the recording began. Maps the profiler
     * caused to be written are deleted once read (a child's, a temporary file); another process's own
     * {@code /tmp/perf-<pid>.map} is left where it is.
     */
    private void namesJitCode(List<Path> temporary, List<Path> kept) throws IOException {
        long self = ProcessHandle.current().pid();
        for (int pid : pids) {
            Path map = null;
            Path atExit = JvmPerfMap.defaultPath(pid);
            try {
                if (pid == self) {
                    map = Files.createTempFile("perf-" + pid + "-", ".map");
                    temporary.add(map);
                    JvmPerfMap.writeThisJvm(map);
                } else if (settings.kind == Kind.PROCESS && pid == settings.pid && settings.perfMap != null) {
                    map = settings.perfMap;
                } else if (JvmPerfMap.isJvm(pid)) {
                    map = Files.createTempFile("perf-" + pid + "-", ".map");
                    temporary.add(map);
                    JvmPerfMap.writeOtherJvm(pid, map);
                } else if (Files.isRegularFile(atExit)
                        && Files.getLastModifiedTime(atExit).toMillis() >= startMillis) {
                    map = atExit;
                    if (settings.kind == Kind.COMMAND) {
                        temporary.add(map);
                    }
                } else if (jvms.contains(pid)) {
                    warnings.add("JVM " + pid + " ended before the recording and left no perf map: its JIT frames "
                            + "stay unnamed (run it with " + JvmPerfMap.DUMP_AT_EXIT_OPTIONS + ")");
                }
            } catch (IllegalStateException e) {
                warnings.add("JIT frames of process " + pid + " stay unnamed: " + e.getMessage());
                continue;
            }
            if (map == null) {
                continue;
            }
            try {
                symbolizer.usePerfMap(pid, map);
            } catch (PerfEventException | IllegalArgumentException e) {
                warnings.add("JIT frames of process " + pid + " stay unnamed: " + e.getMessage());
                continue;
            }
            if (perfData != null) {
                kept.add(perfData.writePerfMap(pid, Files.readString(map)));
                temporary.remove(atExit);
            }
        }
    }

    private Profile symbolize(long lost, List<Path> perfMaps) {
        List<StackSample> result = new ArrayList<>(stacks.size());
        long unnamed = 0;
        long truncated = 0;
        Map<Integer, String> names = new LinkedHashMap<>();
        for (Map.Entry<StackKey, long[]> e : stacks.entrySet()) {
            StackKey key = e.getKey();
            long count = e.getValue()[0];
            List<Frame> frames = symbolizer.callchain(key.pid(), key.chain());
            List<StackFrame> converted = new ArrayList<>(frames.size());
            for (Frame f : frames) {
                if (!f.named()) {
                    unnamed += count;
                }
                converted.add(new StackFrame(f.name(), f.module(), switch (f.kind()) {
                    case NATIVE -> StackFrame.Kind.NATIVE;
                    case KERNEL -> StackFrame.Kind.KERNEL;
                    case JIT -> StackFrame.Kind.JIT;
                    case INTERPRETER -> StackFrame.Kind.INTERPRETER;
                    case UNKNOWN -> StackFrame.Kind.UNKNOWN;
                }));
            }
            if (isTruncated(frames, key.chain().length)) {
                truncated += count;
            }
            String name = names.computeIfAbsent(key.tid(), tid -> threadName(key.pid(), tid));
            result.add(new StackSample(name, key.tid(), converted, count));
        }
        Accounting accounting = new Accounting(samples, lost, unnamed, truncated);
        OptionalInt exit = OptionalInt.empty();
        if (child != null && !child.process().isAlive()) {
            exit = OptionalInt.of(child.process().exitValue());
        }
        return new Profile(settings.event, result, accounting, warnings, perfMaps,
                Duration.ofNanos(System.nanoTime() - startNanos), startInstant, exit);
    }

    /**
     * Whether a walk was cut short: it reached the kernel's limit, or its outermost frame is Java code (compiled or
     * interpreted) or code no mapping names: a thread starts in native code (its entry function), so a frame-pointer
     * walk that ends anywhere else lost the frame pointer on the way (a JVM without {@code PreserveFramePointer},
     * code built without frame pointers).
     */
    static boolean isTruncated(List<Frame> frames, int chainLength) {
        if (chainLength >= MAX_STACK) {
            return true;
        }
        if (frames.isEmpty()) {
            return false;
        }
        Frame.Kind outermost = frames.getLast().kind();
        return outermost == Frame.Kind.JIT || outermost == Frame.Kind.INTERPRETER || outermost == Frame.Kind.UNKNOWN;
    }

    private String threadName(int pid, int tid) {
        String name = threadNames.get(tid);
        if (name == null) {
            try (InputStream in = Files.newInputStream(Path.of("/proc/" + pid + "/task/" + tid + "/comm"))) {
                name = new String(in.readNBytes(64), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                String process = symbolizer.processName(pid);
                name = process != null ? process : "[unknown]";
            }
        }
        return name;
    }

    private static int maxStack() {
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys/kernel/perf_event_max_stack"))) {
            return Integer.parseInt(new String(in.readNBytes(32), StandardCharsets.US_ASCII).strip());
        } catch (IOException | NumberFormatException e) {
            return 127;
        }
    }
}
