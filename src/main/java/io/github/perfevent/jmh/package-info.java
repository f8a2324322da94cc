/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * A JMH profiler, {@link io.github.perfevent.jmh.PerfEventProfiler}, that counts perf events of a benchmark's own
 * worker threads in measurement iterations, in-process, and reports them per operation:
 * {@code -prof io.github.perfevent.jmh.PerfEventProfiler:events=task-clock,page-faults}. It needs JMH (1.37 or
 * newer) on the class path, which the benchmark project brings; the rest of the library never loads JMH. The
 * library's jar registers the profiler for JMH's discovery ({@code META-INF/services}), so {@code -lprof} lists it.
 */
package io.github.perfevent.jmh;
