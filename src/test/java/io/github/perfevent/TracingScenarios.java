package io.github.perfevent;

import io.github.perfevent.sys.Libc;

/**
 * The main class of {@link TracingTest}'s child JVM: drops to uid/gid 65534, then resolves a tracepoint, lists the
 * catalog and prints one line per scenario: {@code name|ok|value} or {@code name|<errno>|<message>}.
 */
public final class TracingScenarios {

    private TracingScenarios() {
    }

    /** Runs the scenarios as an unprivileged user. */
    public static void main(String[] args) {
        Libc.dropPrivileges(65534, 65534);
        try {
            System.out.println("parse|ok|" + Event.parse("sched:sched_switch").config());
        } catch (PerfEventException e) {
            System.out.println("parse|" + e.errno() + "|" + e.getMessage().replace('\n', ' '));
        }
        long tracepoints = EventCatalog.list().stream().filter(e -> e.kind() == EventCatalog.Kind.TRACEPOINT).count();
        System.out.println("list|ok|" + tracepoints);
        System.out.println("notes|ok|" + String.join(" / ", EventCatalog.notes()));
    }
}
