/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile.output;

import java.util.List;
import java.util.Objects;

/**
 * One sampled call stack of one thread, with its weight.
 *
 * @param threadName the thread's name ({@code comm}, or the Java thread name); never {@code null}
 * @param tid        the thread's id
 * @param frames     the frames <b>leaf first</b>, the order in which the kernel writes a callchain
 *                   ({@code PERF_SAMPLE_CALLCHAIN}, perf_event_open(2)) and {@code perf script} prints it: the sampled
 *                   instruction's function first, the thread's entry point last. Copied; may be empty (a sample
 *                   without a callchain)
 * @param weight     what the sample counts for: 1 for one sample, or a duration such as the sampling period in
 *                   nanoseconds; at least 1
 */
public record StackSample(String threadName, int tid, List<StackFrame> frames, long weight) {

    /**
     * Checks and copies the components.
     *
     * @throws NullPointerException     naming the component that is {@code null}, or if a frame is {@code null}
     * @throws IllegalArgumentException if {@code weight} is less than 1
     */
    public StackSample {
        Objects.requireNonNull(threadName, "threadName");
        frames = List.copyOf(Objects.requireNonNull(frames, "frames"));
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be at least 1: " + weight);
        }
    }
}
