/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile;

import io.github.perfevent.profile.perfdata.PerfDataWriter;
import io.github.perfevent.sampling.Sampler;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code perf.data} file of a recording: describes the profiler's event to {@link PerfDataWriter} with the attr
 * the sampler opened it with ({@link Sampler#attr}), so perf reads the records exactly as the kernel wrote them.
 */
final class PerfDataFiles {

    private PerfDataFiles() {
    }

    /** Creates the writer for {@code samplers}' records, which all sample one event, named {@code name}. */
    static PerfDataWriter create(Path file, String name, List<Sampler> samplers, List<String> commandLine)
            throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = samplers.getFirst().attr(0, arena);
            return PerfDataWriter.create(file, List.of(new PerfDataWriter.EventDescription(attr, name)),
                    PerfDataWriter.Metadata.ofThisMachine(commandLine));
        }
    }
}
