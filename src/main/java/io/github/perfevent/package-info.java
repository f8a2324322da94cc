/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * The safe counting API over {@code perf_event_open(2)}: say what to count ({@link io.github.perfevent.Event}, by
 * constant or by the name {@code perf} takes), whom to count ({@link io.github.perfevent.Target}: a thread, a
 * process, CPUs, a cgroup, or a {@link io.github.perfevent.ChildProcess}), and how
 * ({@link io.github.perfevent.Options}); open a {@link io.github.perfevent.Counter} or a
 * {@link io.github.perfevent.Group}, enable it, read it.
 *
 * <pre>{@code
 * try (Counter faults = Counter.open(Event.parse("page-faults"))) {
 *     faults.enable();
 *     work();
 *     faults.disable();
 *     System.out.println(faults.read());
 * }
 * }</pre>
 *
 * <p>Everything here reaches the kernel through {@link io.github.perfevent.sys.Syscalls} only. Every failure of
 * the kernel is a {@link io.github.perfevent.PerfEventException} carrying the errno and a hint that fits it;
 * misuse of the API (a closed counter, a virtual thread) is an {@link java.lang.IllegalStateException} or
 * {@link java.lang.IllegalArgumentException}. Counters and groups are {@link java.lang.AutoCloseable}, closing is
 * idempotent, and a closed one never touches a descriptor again.
 */
package io.github.perfevent;
