package io.github.perfevent.sampling;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_TRACEPOINT;

import io.github.perfevent.Event;
import io.github.perfevent.Options;
import io.github.perfevent.PerfEventException;
import io.github.perfevent.Target;
import io.github.perfevent.sys.Libc;

/**
 * The main class of the child JVM of {@link UnprivilegedSamplingTest}: drops to uid/gid 65534 and opens samplers
 * the kernel refuses an unprivileged user, each beside a control that differs only in what is refused. Arguments:
 * the id of a tracepoint that is not open to every user and of one that is (tracefs is root-only, so the parent
 * reads them). Prints one
 * line per scenario: {@code name|ok|buffers} or {@code name|<errno>|<message>}.
 */
public final class SamplingErrorScenarios {

    private SamplingErrorScenarios() {
    }

    /** Runs the scenarios; {@code args[0]} is the restricted tracepoint's id, {@code args[1]} a syscalls one's. */
    public static void main(String[] args) {
        Libc.dropPrivileges(65534, 65534);
        Event tracepoint = Event.of(PERF_TYPE_TRACEPOINT(), Long.parseLong(args[0]));
        Event clock = Event.parse("task-clock");
        // exclude_kernel: at perf_event_paranoid 2 an unprivileged user samples user space only
        Options userOnly = Options.defaults().excludeKernel(true).excludeHv(true);
        Sampling withoutRaw = Sampling.period(1).sample(SampleField.TID, SampleField.TIME);
        attempt("tracepoint", tracepoint, withoutRaw, userOnly);
        attempt("tracepoint-raw", tracepoint, withoutRaw.sample(SampleField.TID, SampleField.TIME, SampleField.RAW),
                userOnly);
        attempt("software-raw", clock, Sampling.period(1_000_000).sample(SampleField.TID, SampleField.RAW), userOnly);
        attempt("syscall-tracepoint-raw", Event.of(PERF_TYPE_TRACEPOINT(), Long.parseLong(args[1])),
                withoutRaw.sample(SampleField.TID, SampleField.TIME, SampleField.RAW), userOnly);
        attempt("small-buffer", clock, Sampling.period(1_000_000).bufferPages(1), userOnly);
        attempt("big-buffer", clock, Sampling.period(1_000_000).bufferPages(2048), userOnly);
    }

    private static void attempt(String name, Event event, Sampling sampling, Options options) {
        try (Sampler sampler = Sampler.open(event, Target.currentThread(), sampling, options)) {
            sampler.enable();
            System.out.println(name + "|ok|" + sampler.buffers());
        } catch (PerfEventException e) {
            System.out.println(name + "|" + e.errno() + "|" + e.getMessage().replace('\n', ' '));
        }
    }
}
