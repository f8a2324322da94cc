/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * {@code perf.data} output: {@link io.github.perfevent.profile.perfdata.PerfDataWriter} turns the records a
 * {@link io.github.perfevent.sampling.Sampler} reads from the kernel into a file that the Linux {@code perf} tool
 * reads ({@code perf report}, {@code perf script}, and everything built on them), in the format of the kernel's
 * {@code tools/perf/Documentation/perf.data-file-format.txt}, with the records it needs for processes that started
 * before the recording and the {@code /tmp/perf-<pid>.map} through which it names JIT-compiled code.
 *
 * <p>Exceptions follow the library's contract (see {@link io.github.perfevent}): the caller's input is an
 * {@link java.lang.IllegalArgumentException}, {@code /proc} refusing is a {@link io.github.perfevent.PerfEventException}
 * with the real errno, and the output file failing is the JDK's {@link java.io.IOException}.
 */
package io.github.perfevent.profile.perfdata;
