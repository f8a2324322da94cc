/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.jmh;

import io.github.perfevent.Counter;
import io.github.perfevent.Event;
import java.io.File;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.ExternalProfiler;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.profile.ProfilerException;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.runner.IterationType;

/**
 * A JMH profiler that counts perf events of the benchmark's own worker threads, in-process, with
 * {@code perf_event_open(2)}: {@code -prof io.github.perfevent.jmh.PerfEventProfiler:events=task-clock,page-faults}.
 * JMH's {@code perf} and {@code perfnorm} run the {@code perf} binary and count the whole forked JVM (JIT compiler,
 * GC and JMH's own threads included); this profiler counts exactly the threads that run the benchmark method, and
 * only during measurement iterations.
 *
 * <p><b>What is counted.</b> At each measurement iteration ({@link IterationType#MEASUREMENT}; warm-up iterations
 * are not counted), the profiler finds the worker threads of the benchmark, which JMH names
 * {@code <benchmark>-jmh-worker-<n>}, opens a counter of each event on each of them ({@code Target.thread}), enables
 * them before the iteration and reads them after it: what the workers do inside the iteration is counted,
 * {@code @Setup(Level.Iteration)} and {@code @TearDown(Level.Iteration)} included (they run in the workers), as with
 * JMH's {@code gc} profiler. JMH creates its workers during the first iteration of a
 * benchmark, usually a warm-up one; when a measurement iteration finds none (no warm-up), the profiler counts
 * instead every thread the runner thread starts during the iteration: an {@code inherit} counter on the runner thread
 * minus a plain counter on it (with JMH's default executor these are the workers, and any thread they start
 * during that iteration). Virtual threads cannot be
 * counted (the kernel would count their carriers), so {@code -Djmh.executor=VIRTUAL} is refused.
 *
 * <p><b>Results</b>, for each event {@code E} (the name as given), with JMH's other secondary results:
 * <ul>
 *   <li>{@code perf.E}: the count per operation, divided by all operations of the iteration (JMH's
 *       {@code getAllOps()}, as its {@code gc} profiler divides allocations), averaged over iterations; unit
 *       {@code #/op}, or {@code ns/op} for {@code task-clock} and {@code cpu-clock};</li>
 *   <li>{@code perf.E.total}: the count over all measurement iterations (summed);</li>
 *   <li>{@code perf.E.running}: only when the kernel multiplexed the event (more hardware events than counters),
 *       the percentage of its enabled time it was counted, as {@code perf stat} prints {@code (xx.xx%)}; the counts
 *       are then scaled ({@code value × enabled / running}), as {@code perf stat} scales them.</li>
 * </ul>
 *
 * <p><b>Options</b> ({@code -prof io.github.perfevent.jmh.PerfEventProfiler:help} prints them), separated by
 * {@code ;} (quote the {@code -prof} argument in a shell): {@code events=NAME[,NAME...]}, the events as {@code perf stat -e} takes them (default
 * {@code task-clock,context-switches,cpu-migrations,page-faults}, which every Linux machine has, also a VM without a
 * hardware PMU); {@code verbose=true}, which prints the threads counted at each measurement iteration.
 *
 * <p><b>Failures are loud.</b> JMH drops, without a word, a profiler whose constructor throws in the forked JVM. So
 * the constructor only checks the options (plain Java, in the host JVM too, where a mistake stops the run at once
 * with the message), and everything that needs the kernel happens in the benchmark's JVM at its first iteration: each
 * event is parsed and opened once on the runner thread, so that an unknown event, a missing PMU or a permission
 * problem fails the benchmark with the library's message ({@code IllegalArgumentException} or
 * {@code PerfEventException} with its hint), before any warm-up time is spent.
 *
 * <p><b>Native access.</b> As an {@link ExternalProfiler}, the profiler adds {@code --enable-native-access=ALL-UNNAMED}
 * to the forked JVM's options (JMH forks with {@code -cp}, so the library is in the unnamed module there), unless the
 * benchmark's JVM options grant it already: the user adds no flag and sees no native-access warning. The host JVM
 * never loads the library's bindings, so it needs no native access either. (With {@code -f 0} the benchmark runs in
 * the host JVM, which then needs the flag like any program that uses the library.)
 *
 * <p><b>Modules.</b> The library requires JMH only at compile time ({@code requires static jmh.core}): JMH is an
 * optional dependency, and nothing but this package loads it. The package is exported so that JMH can instantiate the
 * profiler by name on the module path too; benchmarks normally run on the class path, where this does not matter.
 *
 * <p>JMH creates one instance in the host JVM (to check the options and add JVM options) and one in each forked JVM
 * (to count), and calls it from one thread at a time.
 */
@SuppressWarnings("exports") // JMH's types in its signatures: whoever calls a profiler has JMH
public final class PerfEventProfiler implements InternalProfiler, ExternalProfiler {

    private static final String NATIVE_ACCESS = "--enable-native-access";
    /** The library's module in a JVM that JMH forks: the unnamed one (JMH forks with {@code -cp}). */
    private static final String FORKED_MODULE = "ALL-UNNAMED";

    private final ProfilerSettings settings;
    /** The events, parsed and checked at the first iteration in the benchmark's JVM; {@code null} before. */
    private List<Event> events;
    /** The counters of the measurement iteration in progress, or {@code null}. */
    private IterationCounters iteration;

    /**
     * A profiler with the default options, as JMH's {@code ServiceLoader} discovery creates it.
     *
     * @throws ProfilerException never, in fact (the default options are valid)
     */
    public PerfEventProfiler() throws ProfilerException {
        this("");
    }

    /**
     * A profiler with the options JMH passes from {@code -prof io.github.perfevent.jmh.PerfEventProfiler:OPTIONS}.
     * Checks their syntax only, in plain Java: no event is looked up and no library code that needs native access
     * runs (this constructor runs in JMH's host JVM too).
     *
     * @param options the text after the profiler's name and {@code ':'}; empty for the defaults
     * @throws ProfilerException for an unknown option, a malformed value, or {@code help}; its message says which,
     *     or is the help text
     */
    public PerfEventProfiler(String options) throws ProfilerException {
        try {
            settings = ProfilerSettings.parse(options);
        } catch (IllegalArgumentException e) {
            throw new ProfilerException(e.getMessage());
        }
    }

    /** {@return one line for JMH's {@code -lprof} list, ending with how to get the options} */
    @Override
    public String getDescription() {
        return "perf_event_open counts of the benchmark's own threads in measurement iterations, per operation "
                + "(options: " + PerfEventProfiler.class.getName() + ":help)";
    }

    /**
     * Called by JMH before each iteration, in the benchmark's JVM. At the first one (warm-up or measurement) it
     * checks the executor and opens each event once on the calling thread; before a measurement iteration it opens
     * and enables the counters of the worker threads.
     *
     * @param benchmarkParams the benchmark's parameters (its name gives the workers' names)
     * @param iterationParams the iteration's parameters (warm-up or measurement)
     * @throws IllegalStateException for {@code -Djmh.executor=VIRTUAL}, or when an event cannot be counted here;
     *     the message carries the library's ({@code IllegalArgumentException} for an unknown event,
     *     {@code PerfEventException} with its hint for the kernel's refusal), which is the cause
     */
    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        if (events == null) {
            events = checkedEvents(settings.events());
        }
        if (iterationParams.getType() != IterationType.MEASUREMENT) {
            return;
        }
        closeIteration();
        List<Thread> workers = workers(benchmarkParams.getBenchmark());
        iteration = workers.isEmpty()
                ? IterationCounters.onThreadsStartedByCaller(settings.events(), events)
                : IterationCounters.onThreads(settings.events(), events, workers, benchmarkParams.getBenchmark());
        if (settings.verbose()) { // JMH has printed "Iteration   N: " and prints the score after this
            System.out.print("[PerfEventProfiler counts " + String.join(", ", iteration.counted()) + "] ");
        }
        iteration.enable();
    }

    /**
     * Called by JMH after each iteration: after a measurement iteration, stops and reads the counters and closes
     * them.
     *
     * @param benchmarkParams the benchmark's parameters
     * @param iterationParams the iteration's parameters
     * @param result the iteration's result, whose operation count normalises the counts
     * @return the results described in the class comment; none after a warm-up iteration
     */
    @Override
    @SuppressWarnings("rawtypes") // JMH's interface declares Collection<? extends Result>
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
            IterationParams iterationParams, IterationResult result) {
        if (iteration == null) {
            return List.of();
        }
        List<EventTally> tallies;
        try {
            tallies = iteration.stop();
        } finally {
            closeIteration();
        }
        return EventTally.results(tallies, result.getMetadata().getAllOps());
    }

    private void closeIteration() {
        if (iteration != null) {
            iteration.close();
            iteration = null;
        }
    }

    /**
     * The events, parsed, each opened once on the calling thread and closed, so that what the kernel refuses fails
     * now, with the library's message.
     */
    static List<Event> checkedEvents(List<String> names) {
        String executor = System.getProperty("jmh.executor", "PLATFORM");
        if (executor.equals("VIRTUAL")) {
            throw new IllegalStateException(PerfEventProfiler.class.getName() + " cannot count benchmarks run by "
                    + "virtual threads (-Djmh.executor=VIRTUAL): the kernel counts OS threads, so a counter on a "
                    + "virtual thread would count its carrier thread and whatever else runs there. Run the "
                    + "benchmark with the default executor (platform threads) to count it.");
        }
        List<Event> events = new ArrayList<>(names.size());
        for (String name : names) {
            try {
                Event event = Event.parse(name);
                Counter.open(event).close();
                events.add(event);
            } catch (RuntimeException e) {
                throw new IllegalStateException(PerfEventProfiler.class.getName() + " cannot count '" + name
                        + "' here: " + e.getMessage(), e);
            }
        }
        return List.copyOf(events);
    }

    /**
     * The live platform threads named {@code <benchmark>-jmh-worker-<n>}, as JMH's default executor names the
     * workers of {@code benchmark}, in the order of {@code n}.
     */
    static List<Thread> workers(String benchmark) {
        Pattern name = Pattern.compile(Pattern.quote(benchmark) + "-jmh-worker-(\\d{1,18})");
        SortedMap<Long, Thread> workers = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            Matcher m = name.matcher(t.getName());
            if (m.matches() && t.isAlive()) {
                workers.put(Long.parseLong(m.group(1)), t);
            }
        }
        return List.copyOf(workers.values());
    }

    /** {@return no options before the {@code java} command} */
    @Override
    public Collection<String> addJVMInvokeOptions(BenchmarkParams params) {
        return List.of();
    }

    /**
     * {@return {@code --enable-native-access=ALL-UNNAMED} for the forked JVM, unless the benchmark's JVM options
     * already grant it} JMH starts the forked JVM with {@code -cp} and the host's class path, so the library is in
     * the unnamed module there, whatever the host JVM does.
     *
     * @param params the benchmark's parameters, whose JVM options are checked
     */
    @Override
    public Collection<String> addJVMOptions(BenchmarkParams params) {
        if (grantsNativeAccess(params.getJvmArgs(), FORKED_MODULE)) {
            return List.of();
        }
        return List.of(NATIVE_ACCESS + "=" + FORKED_MODULE);
    }

    /**
     * Whether JVM options give {@code module} native access: {@code --enable-native-access=A,B} or
     * {@code --enable-native-access A,B} with {@code module} among the names.
     */
    static boolean grantsNativeAccess(Collection<String> jvmArgs, String module) {
        List<String> args = List.copyOf(jvmArgs);
        for (int i = 0; i < args.size(); i++) {
            String value = null;
            if (args.get(i).startsWith(NATIVE_ACCESS + "=")) {
                value = args.get(i).substring(NATIVE_ACCESS.length() + 1);
            } else if (args.get(i).equals(NATIVE_ACCESS) && i + 1 < args.size()) {
                value = args.get(i + 1);
            }
            if (value != null && List.of(value.split(",")).contains(module)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Does nothing: the counting happens inside the forked JVM.
     *
     * @param benchmarkParams the benchmark's parameters
     */
    @Override
    public void beforeTrial(BenchmarkParams benchmarkParams) {
    }

    /**
     * {@return no results: they come from the iterations}
     *
     * @param br the trial's result
     * @param pid the forked JVM's pid
     * @param stdOut its standard output
     * @param stdErr its standard error
     */
    @Override
    @SuppressWarnings("rawtypes") // JMH's interface declares Collection<? extends Result>
    public Collection<? extends Result> afterTrial(BenchmarkResult br, long pid, File stdOut, File stdErr) {
        return List.of();
    }

    /** {@return {@code true}: the forked JVM's standard output is shown as usual} */
    @Override
    public boolean allowPrintOut() {
        return true;
    }

    /** {@return {@code true}: the forked JVM's standard error is shown as usual} */
    @Override
    public boolean allowPrintErr() {
        return true;
    }
}
