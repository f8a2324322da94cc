/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * Profiling: what samples mean to people. {@link io.github.perfevent.profile.Symbolizer} follows the processes of a
 * record stream (MMAP2, COMM, FORK, EXIT) and names the addresses of samples and their callchains as
 * {@link io.github.perfevent.profile.Frame}s: native code through the ELF symbol tables of the mapped files, kernel
 * code through {@code /proc/kallsyms}, JIT code through a perf map; what it cannot name is labelled
 * {@code [unknown]} in its module, never guessed.
 *
 * {@snippet :
 * Symbolizer symbols = new Symbolizer();
 * PerfRecord r;
 * while ((r = sampler.nextRecord()) != null) {
 *     symbols.accept(r);                                   // mappings, exec, fork, exit
 *     if (r instanceof PerfRecord.Sample s) {
 *         top.merge(symbols.stack(s).getFirst().name(), 1, Integer::sum);
 *     }
 * }
 * }
 *
 * <p>This package uses the sampling layer and nothing above it: sys ← counting ← sampling ← profile.
 */
package io.github.perfevent.profile;
