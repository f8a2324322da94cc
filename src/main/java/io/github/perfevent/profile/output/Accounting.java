/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile.output;

/**
 * What a recording knows about its own completeness, printed with every output so that a profile never looks more
 * complete than it is. The numbers come from the recorder; the outputs only show them.
 *
 * @param samplesRecorded    samples the kernel delivered and the profile holds
 * @param samplesLost        samples the kernel dropped ({@code PERF_RECORD_LOST}, {@code PERF_RECORD_LOST_SAMPLES})
 * @param unsymbolizedFrames frames that could not be named
 * @param truncatedStacks    stacks cut short (at {@code sample_max_stack}, or where a frame-pointer walk stopped)
 */
public record Accounting(long samplesRecorded, long samplesLost, long unsymbolizedFrames, long truncatedStacks) {

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if a number is negative
     */
    public Accounting {
        if (samplesRecorded < 0 || samplesLost < 0 || unsymbolizedFrames < 0 || truncatedStacks < 0) {
            throw new IllegalArgumentException("negative count: recorded " + samplesRecorded + ", lost " + samplesLost
                    + ", unsymbolized " + unsymbolizedFrames + ", truncated " + truncatedStacks);
        }
    }

    /**
     * Accounting that knows only how many samples there are, for stacks read back from a folded file.
     *
     * @param samplesRecorded the number of samples
     * @return accounting with nothing lost, unsymbolized or truncated
     * @throws IllegalArgumentException if {@code samplesRecorded} is negative
     */
    public static Accounting of(long samplesRecorded) {
        return new Accounting(samplesRecorded, 0, 0, 0);
    }
}
