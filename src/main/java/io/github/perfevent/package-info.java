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
 * <p>Everything here reaches the kernel through {@link io.github.perfevent.sys.Syscalls} only. Counters and groups
 * are {@link java.lang.AutoCloseable}, closing is idempotent, and a closed one never touches a descriptor again.
 *
 * <h2>Exceptions</h2>
 * One contract, for every public method of this package:
 * <ul>
 * <li><b>The caller's input</b> is an {@link java.lang.IllegalArgumentException}: bad syntax, a value out of range, a
 * name that a readable sysfs or a mounted tracefs does not have, a symbol that a valid ELF file does not define.
 * Names of events, PMUs, PMU terms, tracepoints and modifiers get its subclass
 * {@link io.github.perfevent.EventNameException}, which carries the input, the index of the fault when there is one,
 * and the nearest known names. No system call failed, and none is pretended: such an exception has no errno.</li>
 * <li><b>The environment</b> is a {@link io.github.perfevent.PerfEventException} carrying the errno that a system call
 * or a file access <em>really</em> returned, with a hint fitted to it: the kernel refusing {@code perf_event_open}
 * or an ioctl (EACCES and the paranoid level, ENOENT and the PMUs of this machine, E2BIG and the attr size...);
 * tracefs not mounted (ENOENT, with how to mount it) or not readable (EACCES); a file of sysfs, tracefs or
 * {@code /proc}, or the binary of a uprobe, that cannot be read (the errno of the failed access). Two verdicts of the
 * ELF reader have no system call behind them and are documented as such: ENOEXEC for a file that is corrupt, not
 * ELF64 little-endian, changed while it was read, or has a table over 1 GiB or a function in no loadable segment (an
 * object file), and EINVAL for a GNU indirect function (its symbol is the resolver, not the function).</li>
 * <li><b>{@code null}</b> where an object is required is a {@link java.lang.NullPointerException} whose message names
 * the parameter.</li>
 * <li><b>Misuse of an object's state</b> (a closed counter, a virtual thread) is an
 * {@link java.lang.IllegalStateException}.</li>
 * <li>A file of sysfs or tracefs whose content contradicts the kernel's ABI documentation (a PMU {@code type} that is
 * not a number, a {@code format} other than {@code config<N>:<bits>}, a tracepoint {@code id} that is not a number)
 * is an {@link java.lang.UnsupportedOperationException} naming the file: no kernel this library knows writes one.</li>
 * </ul>
 * Resolving one event name reads sysfs and tracefs as it needs them and lists each at most once (only for the
 * suggestions of an unknown name of at most 256 characters), so the cost of a name a service's users send is
 * bounded.
 */
package io.github.perfevent;
