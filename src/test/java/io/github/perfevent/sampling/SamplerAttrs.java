package io.github.perfevent.sampling;

import io.github.perfevent.Event;
import io.github.perfevent.Options;
import io.github.perfevent.internal.CountingAccess;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Test support: the {@code perf_event_attr} a {@link Sampler} opens an event with (the counting layer's attr for
 * the event and options, the sampling fields, the side-band bits on the first event, CLOCK_MONOTONIC), for tests
 * that describe a recording to another program, such as a perf.data writer. The Sampler does not hand out its attrs.
 */
public final class SamplerAttrs {

    private static final int CLOCK_MONOTONIC = 1;

    private SamplerAttrs() {
    }

    /** The attr of event {@code index} of {@code events} as {@link Sampler#open(java.util.List,
     * io.github.perfevent.Target, Sampling, Options)} writes it (without the group-read settings). */
    public static MemorySegment attr(Arena arena, Event event, boolean first, Sampling sampling, Options options) {
        MemorySegment attr = perf_event_attr.allocate(arena);
        CountingAccess.counting().writeAttr(attr, arena, event, options);
        sampling.writeTo(attr, first);
        if (perf_event_attr_bits.use_clockid(attr) == 0) {
            perf_event_attr_bits.use_clockid(attr, 1);
            perf_event_attr.clockid(attr, CLOCK_MONOTONIC);
        }
        perf_event_attr_bits.disabled(attr, 1);
        return attr;
    }
}
