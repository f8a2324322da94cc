package io.github.perfevent;

import io.github.perfevent.sys.Libc;
import java.util.ArrayList;
import java.util.List;

/**
 * The main class of the child JVMs of {@link ErrorsTest}, for failures that need another process: as an unprivileged
 * user ({@code unprivileged <parent pid> <cgroup2 mount or "">}: drops to uid/gid 65534 first) or under a low fd limit ({@code emfile}).
 * Prints one line per scenario: {@code name|ok|value} or {@code name|<errno>|<message>}.
 */
public final class ErrorScenarios {

    private ErrorScenarios() {
    }

    /** Runs the scenarios named by {@code args[0]}. */
    public static void main(String[] args) {
        switch (args[0]) {
            case "unprivileged" -> unprivileged(Long.parseLong(args[1]), args[2]);
            case "emfile" -> emfile();
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void unprivileged(long parentPid, String cgroup2Mount) {
        Libc.dropPrivileges(65534, 65534);
        Event clock = Event.Software.TASK_CLOCK.event();
        Options userOnly = Options.defaults().excludeKernel(true).excludeHv(true);
        attempt("kernel-counting", () -> Counter.open(clock));
        attempt("user-only", () -> Counter.open(clock, Target.currentThread(), userOnly));
        attempt("cpu-wide", () -> Counter.open(Event.Software.CPU_CLOCK.event(), Target.cpu(0), userOnly));
        attempt("root-process", () -> Counter.open(clock, Target.tid((int) parentPid), userOnly));
        attempt("msr", () -> Counter.open(Event.parse("msr/tsc/"))); // msr refuses exclude bits: it counts everything
        if (!cgroup2Mount.isEmpty()) {
            attempt("cgroup", () -> Counter.open(clock, Target.cgroup(java.nio.file.Path.of(cgroup2Mount)), userOnly));
        }
    }

    private static void emfile() {
        // Loads the classes of a failure first: with no fd left, a class could not be read from a directory.
        attempt("warm-up", () -> Counter.open(Event.of(54321, 0)));
        List<Counter> counters = new ArrayList<>();
        try {
            for (int i = 0; i < 100_000; i++) {
                counters.add(Counter.open(Event.Software.DUMMY.event()));
            }
            System.out.println("emfile|ok|" + counters.size());
        } catch (PerfEventException e) {
            System.out.println("emfile|" + e.errno() + "|" + e.getMessage());
        } finally {
            counters.forEach(Counter::close);
        }
    }

    private interface Open {
        Counter open();
    }

    private static void attempt(String name, Open open) {
        try (Counter counter = open.open()) {
            counter.enable();
            System.out.println(name + "|ok|" + counter.read());
        } catch (PerfEventException e) {
            System.out.println(name + "|" + e.errno() + "|" + e.getMessage().replace('\n', ' '));
        }
    }
}
