/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile;

import io.github.perfevent.Event;
import io.github.perfevent.Options;
import io.github.perfevent.internal.CountingAccess;
import io.github.perfevent.profile.perfdata.PerfDataWriter;
import io.github.perfevent.sampling.Sampler;
import io.github.perfevent.sampling.Sampling;
import io.github.perfevent.sampling.SideBand;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code perf.data} file of a recording: describes the profiler's event to {@link PerfDataWriter} with the attr
 * its records were written under. A {@link Sampler} does not hand out its attrs, so the fields that decide how perf
 * reads the records are written here the way the sampler writes them: the counting layer's attr for the event, the
 * sampling rate, {@code sample_type}, {@code sample_id_all}, the side-band bits and {@code CLOCK_MONOTONIC}.
 */
final class PerfDataFiles {

    private static final int CLOCK_MONOTONIC = 1;

    private PerfDataFiles() {
    }

    /** Creates the writer for {@code samplers}' records, which all sample {@code event} with {@code sampling}. */
    static PerfDataWriter create(Path file, Event event, String name, Sampling sampling, List<Sampler> samplers,
            List<String> commandLine) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = perf_event_attr.allocate(arena);
            CountingAccess.counting().writeAttr(attr, arena, event, Options.defaults());
            if (sampling.frequency() > 0) {
                perf_event_attr_bits.freq(attr, 1);
                perf_event_attr.sample_freq(attr, sampling.frequency());
            } else {
                perf_event_attr.sample_period(attr, sampling.period());
            }
            perf_event_attr.sample_type(attr, samplers.getFirst().format().sampleType());
            perf_event_attr_bits.sample_id_all(attr, 1);
            for (SideBand record : sampling.sideBand()) {
                switch (record) {
                    case MMAP -> {
                        perf_event_attr_bits.mmap(attr, 1);
                        perf_event_attr_bits.mmap2(attr, 1);
                    }
                    case COMM -> perf_event_attr_bits.comm(attr, 1);
                    case COMM_EXEC -> {
                        perf_event_attr_bits.comm(attr, 1);
                        perf_event_attr_bits.comm_exec(attr, 1);
                    }
                    case TASK -> perf_event_attr_bits.task(attr, 1);
                    default -> throw new IllegalArgumentException("the profiler asks for no " + record + " records");
                }
            }
            perf_event_attr_bits.use_clockid(attr, 1);
            perf_event_attr.clockid(attr, CLOCK_MONOTONIC);
            perf_event_attr_bits.disabled(attr, 1);
            return PerfDataWriter.create(file, List.of(new PerfDataWriter.EventDescription(attr, name)),
                    PerfDataWriter.Metadata.ofThisMachine(commandLine));
        }
    }
}
