package io.github.perfevent.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.ChildProcess;
import io.github.perfevent.Event;
import io.github.perfevent.sampling.PerfRecord;
import io.github.perfevent.sampling.RecordCursor;
import io.github.perfevent.sampling.RecordType;
import io.github.perfevent.sampling.SampleField;
import io.github.perfevent.sampling.Sampler;
import io.github.perfevent.sampling.Sampling;
import io.github.perfevent.sampling.SideBand;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A child command sampled with callchains and named by a {@link Symbolizer} fed with the stream's own MMAP2, COMM
 * and EXIT records: the program's dominant function is the top self frame and its callers are below it, and the
 * kernel frames of a program that lives in a system call are named from /proc/kallsyms where it is readable.
 */
class SymbolizedSamplingTest {

    private static final Sampling CALLCHAINS = Sampling.period(100_000)
            .sample(SampleField.IP, SampleField.TID, SampleField.TIME, SampleField.CALLCHAIN)
            .sideBand(SideBand.MMAP, SideBand.COMM_EXEC, SideBand.TASK);

    /** The stacks of every sample of {@code command}, named while the stream is read (records or cursor). */
    private static List<List<Frame>> stacks(boolean cursor, String... command) throws Exception {
        Symbolizer symbols = new Symbolizer();
        List<List<Frame>> stacks = new ArrayList<>();
        try (ChildProcess child = ChildProcess.prepare(command);
             Sampler sampler = Sampler.open(Event.parse("task-clock"), child.target(), CALLCHAINS)) {
            child.start();
            RecordCursor at = sampler.cursor();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!sampler.isEnded() && System.nanoTime() < deadline) {
                sampler.await(Duration.ofMillis(100));
                if (cursor) {
                    while (sampler.next(at)) {
                        symbols.accept(at);
                        if (at.recordType() == RecordType.SAMPLE) {
                            stacks.add(symbols.stack(at));
                        }
                    }
                } else {
                    for (PerfRecord r; (r = sampler.nextRecord()) != null;) {
                        symbols.accept(r);
                        if (r instanceof PerfRecord.Sample s) {
                            stacks.add(symbols.stack(s));
                        }
                    }
                }
            }
            assertTrue(sampler.isEnded(), "the child did not end in 60 s");
            assertEquals(0, child.waitFor());
        }
        return stacks;
    }

    @Test
    void theDominantFunctionIsTheTopSelfFrameWithItsCallersBelowIt() throws Exception {
        for (boolean cursor : new boolean[] {false, true}) {
            TargetPrograms.Build build = TargetPrograms.pie();
            List<List<Frame>> stacks = stacks(cursor, build.program().toString(), "spin", "400");
            assertTrue(stacks.size() >= 200, "about 4000 samples of 100 µs in 400 ms of CPU: " + stacks.size());
            Map<String, Integer> self = new HashMap<>();
            for (List<Frame> stack : stacks) {
                self.merge(stack.getFirst().name(), 1, Integer::sum);
            }
            String top = self.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            assertEquals("hot", top, "self counts: " + self);
            assertTrue(self.get("hot") >= 0.8 * stacks.size(), "hot is nearly all the CPU: " + self);
            List<List<Frame>> inHot = stacks.stream().filter(s -> s.getFirst().name().equals("hot")).toList();
            long withCallers = inHot.stream().filter(s -> s.size() >= 3 && s.get(1).name().equals("caller")
                    && s.get(2).name().equals("main")).count();
            assertTrue(withCallers >= 0.9 * inHot.size(), withCallers + " of " + inHot.size()
                    + " stacks in hot have caller then main below it; first: " + inHot.getFirst());
            Frame hot = inHot.getFirst().getFirst();
            assertEquals(new Frame("hot", build.program().toString(), Frame.Kind.NATIVE), hot);
            assertTrue(self.containsKey("lib_inner"), "the library's function shows too: " + self);
        }
    }

    @Test
    void kernelFramesOfASystemCallAreNamedFromKallsymsWhenItIsReadable() throws Exception {
        Set<String> kernelText = new HashSet<>();
        boolean visible;
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/kallsyms"))) {
            r.lines().map(l -> l.split("\\s+")).forEach(f -> kernelText.add(f[2]));
        }
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/kallsyms"))) {
            visible = !r.readLine().startsWith("0000000000000000");
        }
        List<List<Frame>> stacks = stacks(false, TargetPrograms.pie().program().toString(), "syscalls", "300");
        List<Frame> kernelFrames = stacks.stream().flatMap(List::stream)
                .filter(f -> f.kind() == Frame.Kind.KERNEL).toList();
        assertTrue(kernelFrames.size() >= stacks.size() / 2, "a program in getppid(2) is mostly in the kernel: "
                + kernelFrames.size() + " kernel frames in " + stacks.size() + " samples");
        if (visible) {
            assertTrue(kernelFrames.stream().allMatch(f -> kernelText.contains(f.name())),
                    "every kernel frame is a kallsyms name: " + kernelFrames.subList(0, 10));
            assertTrue(kernelFrames.stream().anyMatch(f -> f.name().contains("sys_getppid")),
                    "the system call's own function is in the stacks");
        } else {
            assertTrue(kernelFrames.stream().allMatch(f -> f.name().equals(Frame.KERNEL_NAME)), "hidden kallsyms");
        }
        // The user part starts at libc's getppid, the wrapper that made the system call. Its caller main is not
        // below it: glibc is built without frame pointers, so the walk from getppid's frame-less body follows
        // main's frame pointer and lands in main's caller (a local function of libc, unnamed in its .dynsym).
        long fromGetppid = stacks.stream().filter(s -> s.stream().dropWhile(f -> f.kind() == Frame.Kind.KERNEL)
                .findFirst().filter(f -> f.name().equals("getppid") && f.module().endsWith("/libc.so.6"))
                .isPresent()).count();
        assertTrue(fromGetppid >= 0.9 * stacks.size(), "user frames follow the kernel ones: " + fromGetppid + " of "
                + stacks.size() + ": " + stacks.get(stacks.size() / 2));
    }
}
