/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.internal;

import io.github.perfevent.ChildProcess;
import io.github.perfevent.Event;
import io.github.perfevent.Options;
import io.github.perfevent.PerfEventException;
import io.github.perfevent.Target;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * How the layers above counting (sampling, profiling) reach what the counting package keeps package-private: how
 * a {@link Target} resolves into {@code perf_event_open} sites, how an {@link Event} and its {@link Options} are
 * written into a {@code perf_event_attr}, and the {@link PerfEventException}s with their hints. The JDK shares its
 * internals the same way ({@code jdk.internal.access.SharedSecrets}); this package is not exported, so the
 * bridge is no part of the API.
 */
public final class CountingAccess {

    private static volatile Bridge bridge;

    private CountingAccess() {
    }

    /** What the counting package offers the layers above it. */
    public interface Bridge {

        /** The sites {@code target} opens on now; closing the result releases what resolving held (a cgroup fd). */
        Sites resolve(Target target);

        /** Writes {@code event} (with its modifiers) and {@code options} into {@code attr}, sized by the library. */
        void writeAttr(MemorySegment attr, Arena arena, Event event, Options options);

        /** The exception, with its hint, for {@code perf_event_open(attr, site, groupFd, flags)} failing. */
        PerfEventException openFailed(int errno, MemorySegment attr, Event event, Site site, int groupFd, long flags);

        /** The exception for a system call failing with {@code errno}; {@code hint} says what it means here. */
        PerfEventException failure(int errno, String call, String hint);

        /**
         * The exception for a file access failing with {@code e}, carrying the errno the JDK reports (see the root
         * package's exception contract).
         */
        PerfEventException fileFailure(String call, IOException e, String hint);

        /** " Did you mean a, b or c?" with the names of {@code known} nearest to {@code unknown}, or "". */
        String didYouMean(String unknown, Collection<String> known);

        /** Whether opening at {@code site} failed only because its thread ended after it was listed. */
        boolean vanished(Sites sites, PerfEventException failure, Site site);

        /** Refuses (IllegalStateException) a child that has started or is closed: it is opened before its exec. */
        void requireNotStarted(ChildProcess child);
    }

    /** One {@code perf_event_open} place: {@code pid} (or a cgroup fd), {@code cpu}, and a label for people. */
    public record Site(int pid, int cpu, String label) {
    }

    /**
     * A resolved target.
     *
     * @param sites where to open
     * @param flags the {@code perf_event_open} flags the target needs ({@code PERF_FLAG_PID_CGROUP})
     * @param kind what the target is
     * @param child the child process of a {@link Kind#CHILD} target, else null
     * @param release closes what resolving opened
     */
    public record Sites(List<Site> sites, long flags, Kind kind, ChildProcess child, Runnable release)
            implements AutoCloseable {

        /** Copies the site list. */
        public Sites {
            sites = List.copyOf(sites);
        }

        @Override
        public void close() {
            release.run();
        }
    }

    /** The kinds of target, as far as opening differs between them. */
    public enum Kind {
        /** One thread: the calling one, a Java thread or a tid; one site on every CPU ({@code cpu} -1). */
        THREAD,
        /** Every thread of a process, each a site on every CPU; threads may end before they are opened. */
        PROCESS,
        /** A child command, not started yet; one site, its pid on every CPU. */
        CHILD,
        /** One CPU or every CPU, whatever runs there. */
        CPUS,
        /** A cgroup on every CPU. */
        CGROUP
    }

    /** Called once, by the counting package when it is initialized. */
    public static void register(Bridge counting) {
        Objects.requireNonNull(counting, "counting");
        if (bridge != null) {
            throw new IllegalStateException("the counting bridge is registered already");
        }
        bridge = counting;
    }

    /** {@return the counting package's bridge} */
    public static Bridge counting() {
        Bridge b = bridge;
        if (b == null) {
            try {
                // Target registers the bridge in its static initializer.
                Class.forName(Target.class.getName(), true, Target.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
            b = bridge;
        }
        return b;
    }
}
