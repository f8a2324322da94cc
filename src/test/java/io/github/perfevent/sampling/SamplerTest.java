package io.github.perfevent.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.ChildProcess;
import io.github.perfevent.Event;
import io.github.perfevent.Options;
import io.github.perfevent.PerfEventException;
import io.github.perfevent.ReadFormat;
import io.github.perfevent.Target;
import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Fixtures;
import io.github.perfevent.sys.Spin;
import io.github.perfevent.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The {@link Sampler} on the real kernel: targets, order, ids, pause, overwrite, lost records, waiting, errors. */
class SamplerTest {

    private static final Event TASK_CLOCK = Event.parse("task-clock");
    private static final Event CPU_CLOCK = Event.parse("cpu-clock");

    /** Every record the sampler has now, as objects. */
    private static List<PerfRecord> drain(Sampler sampler) {
        List<PerfRecord> records = new ArrayList<>();
        for (PerfRecord r = sampler.nextRecord(); r != null; r = sampler.nextRecord()) {
            records.add(r);
        }
        return records;
    }

    private static List<PerfRecord.Sample> samples(List<PerfRecord> records) {
        return records.stream().filter(r -> r instanceof PerfRecord.Sample).map(r -> (PerfRecord.Sample) r).toList();
    }

    @Test
    void taskClockOnTheCallingThreadGivesSamplesOfThisThreadWithTheRequestedPeriodInTimeOrder() {
        try (Sampler sampler = Sampler.open(TASK_CLOCK, Target.currentThread(), Sampling.period(100_000))) {
            assertEquals(1, sampler.buffers());
            sampler.enable();
            Spin.cpu(30);
            sampler.disable();
            List<PerfRecord.Sample> samples = samples(drain(sampler));
            // 30 ms of CPU time at one sample per 100 µs: about 300 (the timer fires a little late, never early)
            assertTrue(samples.size() >= 150 && samples.size() <= 310, "samples: " + samples.size());
            int tid = Syscalls.gettid();
            long previous = Long.MIN_VALUE;
            Set<Integer> cpus = new HashSet<>();
            for (PerfRecord.Sample s : samples) {
                assertEquals(tid, s.sampleId().tid(), "tid");
                assertEquals(100_000, s.period(), "PERIOD");
                assertTrue(s.sampleId().time() >= previous, "time went backwards: " + previous + " then " + s.sampleId().time());
                previous = s.sampleId().time();
                cpus.add(s.sampleId().cpu());
            }
            int online = Runtime.getRuntime().availableProcessors();
            assertTrue(cpus.stream().allMatch(c -> c >= 0 && c < Math.max(online, 64)), "cpus " + cpus);
            assertEquals(0, sampler.lost());
            assertEquals(samples.size(), sampler.delivered());
        }
    }

    @Test
    void timeStampsAreMonotonicClockComparableWithNanoTime() {
        try (Sampler sampler = Sampler.open(TASK_CLOCK, Target.currentThread(), Sampling.period(1_000_000))) {
            long before = System.nanoTime();
            sampler.enable();
            Spin.cpu(10);
            sampler.disable();
            long after = System.nanoTime();
            List<PerfRecord.Sample> samples = samples(drain(sampler));
            assertFalse(samples.isEmpty());
            for (PerfRecord.Sample s : samples) {
                assertTrue(s.sampleId().time() >= before && s.sampleId().time() <= after, s.sampleId().time() + " not in [" + before + ", " + after + "]");
            }
        }
    }

    @Test
    void theCursorReadsTheSameRecordsInPlace() {
        try (Sampler sampler = Sampler.open(TASK_CLOCK, Target.currentThread(),
                Sampling.period(200_000).ordered(false))) {
            sampler.enable();
            Spin.cpu(10);
            sampler.disable();
            RecordCursor cursor = sampler.cursor();
            int tid = Syscalls.gettid();
            int n = 0;
            while (sampler.next(cursor)) {
                if (cursor.type() == RecordType.SAMPLE.id()) {
                    assertEquals(tid, cursor.tid());
                    assertEquals(200_000, cursor.period());
                    n++;
                }
            }
            assertTrue(n >= 20, "samples: " + n);
        }
    }

    @Test
    void aChildIsSampledPerCpuFromItsExecWithSideBandAndTheStreamEndsAtItsExit() throws Exception {
        try (ChildProcess child = ChildProcess.prepare("/bin/sh", "-c",
                "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done");
             Sampler sampler = Sampler.open(TASK_CLOCK, child.target(), Sampling.period(200_000)
                     .sideBand(SideBand.COMM_EXEC, SideBand.TASK, SideBand.MMAP))) {
            assertEquals(Runtime.getRuntime().availableProcessors(), sampler.buffers());
            child.start();
            List<PerfRecord> records = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!sampler.isEnded() && System.nanoTime() < deadline) {
                sampler.await(Duration.ofMillis(100));
                records.addAll(drain(sampler));
            }
            assertTrue(sampler.isEnded(), "no POLLHUP after the child's exit");
            assertEquals(0, child.waitFor());
            long previous = Long.MIN_VALUE;
            for (PerfRecord r : records) {
                long time = r.sampleId().time();
                assertTrue(time >= previous, "time went backwards at " + r);
                previous = time;
            }
            List<PerfRecord.Sample> samples = samples(records);
            assertTrue(samples.size() >= 5, "samples: " + samples.size());
            assertTrue(samples.stream().allMatch(s -> s.sampleId().pid() == child.pid()), "samples of another process");
            assertTrue(records.stream().anyMatch(r -> r instanceof PerfRecord.Comm c && c.exec()), "no COMM exec");
            assertTrue(records.stream().anyMatch(r -> r instanceof PerfRecord.Exit), "no EXIT");
            assertTrue(records.stream().anyMatch(r -> r instanceof PerfRecord.Mmap2 m && m.filename().contains("sh")
                    || r instanceof PerfRecord.Mmap2 m2 && m2.filename().contains("libc")), "no MMAP2 of the shell");
            assertEquals(0, sampler.lateRecords());
        }
    }

    @Test
    void twoEventsShareOneBufferAndAreToldApartByTheirIds() {
        try (Sampler sampler = Sampler.open(List.of(TASK_CLOCK, CPU_CLOCK), Target.currentThread(),
                Sampling.period(300_000), Options.defaults())) {
            assertEquals(1, sampler.buffers());
            assertEquals(2, sampler.fds());
            sampler.enable();
            Spin.cpu(20);
            sampler.disable();
            int[] perEvent = new int[2];
            for (PerfRecord.Sample s : samples(drain(sampler))) {
                int index = sampler.eventIndex(s.sampleId().id());
                assertTrue(index >= 0, "unknown id " + s.sampleId().id());
                perEvent[index]++;
            }
            assertTrue(perEvent[0] > 10 && perEvent[1] > 10, "task-clock " + perEvent[0] + ", cpu-clock " + perEvent[1]);
            assertEquals(-1, sampler.eventIndex(12345678901L));
            for (int e = 0; e < 2; e++) {
                long[] ids = sampler.ids(e);
                assertEquals(1, ids.length, "one site: one id per event");
                assertEquals(e, sampler.eventIndex(ids[0]));
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment attr = sampler.attr(e, arena);
                    assertEquals(sampler.events().get(e).config(),
                            io.github.perfevent.sys.bindings.perf_event_attr.config(attr));
                    assertEquals(300_000, io.github.perfevent.sys.bindings.perf_event_attr.sample_period(attr));
                }
            }
            assertThrows(IndexOutOfBoundsException.class, () -> sampler.ids(2));
        }
    }

    @Test
    void groupSamplingReadsTheMembersIntoEachSampleOfTheLeader() {
        // Leader and member on one PMU (software): a group mixing PMUs can leave members stopped until the next
        // context switch after PERF_IOC_FLAG_GROUP enable.
        Sampling sampling = Sampling.period(4).sample(SampleField.IDENTIFIER, SampleField.TID, SampleField.TIME,
                SampleField.READ);
        try (Sampler sampler = Sampler.open(List.of(Event.parse("page-faults"), Event.parse("minor-faults")),
                Target.currentThread(), sampling, Options.defaults())) {
            assertEquals(2, sampler.fds());
            sampler.enable();
            // fresh anonymous pages, one fault each: an Arena's malloc may hand back heap memory touched before (once
            // a freed 1 MiB block has raised glibc's mmap threshold, as RecordBuffer's do when their tests run first)
            Fixtures.touchFreshPages(256);
            sampler.disable();
            List<PerfRecord.Sample> samples = samples(drain(sampler));
            assertTrue(samples.size() >= 32, "samples: " + samples.size());
            long previousMinor = -1;
            for (PerfRecord.Sample s : samples) {
                assertEquals(0, sampler.eventIndex(s.sampleId().id()), "only the leader samples");
                List<PerfRecord.ReadValue> values = s.read().values();
                assertEquals(2, values.size(), "leader and member in each sample");
                assertEquals(0, sampler.eventIndex(values.get(0).id()), "the leader's id first");
                assertEquals(1, sampler.eventIndex(values.get(1).id()), "then the member's");
                long minor = values.get(1).value();
                assertTrue(minor >= previousMinor, "the member's count never decreases");
                assertTrue(minor <= values.get(0).value(), "minor faults are page faults");
                previousMinor = minor;
            }
            assertTrue(previousMinor >= 128, "the member counted the faults: " + previousMinor);
        }
    }

    @Test
    void pausedOutputLosesSamplesAndSaysSoWithALostRecord() {
        try (Sampler sampler = Sampler.open(TASK_CLOCK, Target.currentThread(), Sampling.period(100_000))) {
            sampler.enable();
            sampler.pauseOutput(true);
            Spin.cpu(10);
            sampler.pauseOutput(false);
            Spin.cpu(5);
            sampler.disable();
            List<PerfRecord> records = drain(sampler);
            List<PerfRecord.Lost> lost = records.stream().filter(r -> r instanceof PerfRecord.Lost)
                    .map(r -> (PerfRecord.Lost) r).toList();
            assertEquals(1, lost.size(), "one LOST record for the pause: " + records.size() + " records");
            assertTrue(lost.getFirst().lost() >= 50, "lost " + lost.getFirst().lost());
            assertEquals(lost.getFirst().lost(), sampler.lost());
            assertFalse(samples(records).isEmpty(), "samples after the resume");
        }
    }

    @Test
    void anOverflowingBufferCountsExactlyWhatTheKernelLost() {
        // A write breakpoint sampled with period 1 gives exactly one sample per write: 1,000 writes into one data
        // page (4 KiB, room for 73 samples of 56 bytes) left unread lose exactly the rest.
        Options options = Options.defaults().readFormat(EnumSet.of(ReadFormat.LOST));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment variable = arena.allocate(8, 8);
            try (Sampler sampler = Sampler.open(Event.breakpoint(variable.address(), 8, Event.Access.W),
                    Target.currentThread(), Sampling.period(1).bufferPages(1).ordered(false), options)) {
                sampler.enable();
                for (int i = 0; i < 1000; i++) {
                    variable.set(ValueLayout.JAVA_LONG, 0, i);
                }
                int kept = samples(drain(sampler)).size();
                assertTrue(kept < 1000, "nothing lost: the test did not overflow the buffer");
                for (int i = 0; i < 10; i++) { // fewer than fit: the kernel first writes its LOST record
                    variable.set(ValueLayout.JAVA_LONG, 0, i);
                }
                sampler.disable();
                List<PerfRecord> after = drain(sampler);
                assertEquals(10, samples(after).size());
                long kernel = sampler.lostByKernel();
                assertEquals(1000 - kept, kernel, "PERF_FORMAT_LOST: every sample that found no room");
                assertEquals(kernel, sampler.lost(), "the LOST records' total vs PERF_FORMAT_LOST");
            }
        }
    }

    @Test
    void recordsThatWrapTheEndOfTheBufferArriveWholeAndInSequence() {
        // A 24-byte record (header, IP, READ value) does not divide the 8 KiB data area, so some straddle its end.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment variable = arena.allocate(8, 8);
            Event write = Event.breakpoint(variable.address(), 8, Event.Access.W);
            try (Sampler sampler = Sampler.open(write, Target.currentThread(),
                    Sampling.period(1).sample(SampleField.IP, SampleField.READ).bufferPages(2).sampleIdAll(false))) {
                RecordCursor cursor = sampler.cursor();
                sampler.enable();
                long expected = 1;
                int chunks = 200;
                for (int c = 0; c < chunks; c++) {
                    for (int i = 0; i < 100; i++) {
                        variable.set(ValueLayout.JAVA_LONG, 0, i);
                    }
                    while (sampler.next(cursor)) {
                        assertEquals(RecordType.SAMPLE.id(), cursor.type());
                        assertEquals(expected, cursor.readValue(0), "hit count in sample " + expected);
                        expected++;
                    }
                }
                sampler.disable();
                assertEquals(chunks * 100L + 1, expected, "every hit sampled once, in order");
                assertTrue(sampler.wrappedRecords() > 0, "no record crossed the end: the test proves nothing");
            }
        }
    }

    @Test
    void overwriteModeSnapshotsTheNewestRecordsInTimeOrder() {
        try (Sampler sampler = Sampler.open(TASK_CLOCK, Target.currentThread(),
                Sampling.period(20_000).overwrite(true).bufferPages(1))) {
            sampler.enable();
            Spin.cpu(30); // about 1500 samples of 40 bytes: the 4 KiB buffer is overwritten many times
            long now = System.nanoTime();
            int read = sampler.snapshot();
            sampler.disable();
            List<PerfRecord.Sample> samples = samples(drain(sampler));
            assertEquals(read, samples.size());
            assertTrue(read > 50 && read <= 4096 / 40, "records in a snapshot of one page: " + read);
            for (int i = 1; i < samples.size(); i++) {
                assertTrue(samples.get(i).sampleId().time() >= samples.get(i - 1).sampleId().time(), "not in time order");
            }
            assertTrue(now - samples.getLast().sampleId().time() < TimeUnit.MILLISECONDS.toNanos(5), "not the newest records");
            assertEquals(0, sampler.lost(), "overwrite mode loses nothing for want of room");
        }
    }

    @Test
    void aBlockedWaitReturnsPromptlyWhenWokenFromAnotherThread() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment never = arena.allocate(8, 8);
            try (Sampler sampler = Sampler.open(Event.breakpoint(never.address(), 8, Event.Access.W),
                    Target.currentThread(), Sampling.period(1))) {
                sampler.enable();
                CompletableFuture<Long> woken = new CompletableFuture<>();
                Thread waker = Thread.ofPlatform().start(() -> {
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    woken.complete(System.nanoTime());
                    sampler.wakeup();
                });
                boolean result = sampler.await(Duration.ofSeconds(20));
                long returned = System.nanoTime();
                waker.join();
                assertFalse(result, "a wake-up is not records");
                long latency = returned - woken.get();
                assertTrue(latency < TimeUnit.MILLISECONDS.toNanos(100), "returned " + latency / 1000 + " µs after");
            }
        }
    }

    @Test
    void closingFromAnotherThreadEndsABlockedWait() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment never = arena.allocate(8, 8);
            Sampler sampler = Sampler.open(Event.breakpoint(never.address(), 8, Event.Access.W),
                    Target.currentThread(), Sampling.period(1));
            Thread closer = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                sampler.close();
            });
            assertFalse(sampler.await(Duration.ofSeconds(20)));
            closer.join(10_000);
            assertTrue(sampler.isClosed());
            assertThrows(IllegalStateException.class, () -> sampler.next(sampler.cursor()));
            assertThrows(IllegalStateException.class, () -> sampler.await(Duration.ZERO));
            sampler.close(); // harmless
        }
    }

    @Test
    void aTimerPeriodBelowTenMicrosecondsIsRefusedBecauseTheKernelWouldNotKeepIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sampler.open(CPU_CLOCK, Target.currentThread(), Sampling.period(1000)));
        assertTrue(e.getMessage().contains("10 µs"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Sampler.open(TASK_CLOCK, Target.currentThread(), Sampling.frequency(200_000)));
    }

    @Test
    void aFrequencyAboveTheSysctlIsRefusedWithTheSysctlNamed() {
        long max = Long.parseLong(RingBuffer.sysctl("perf_event_max_sample_rate"));
        PerfEventException e = assertThrows(PerfEventException.class, () -> Sampler.open(Event.parse("page-faults"),
                Target.currentThread(), Sampling.frequency(max + 1)));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("perf_event_max_sample_rate (" + max + ")"), e.getMessage());
    }

    @Test
    void aMaxStackAboveTheSysctlIsEoverflowWithTheSysctlNamed() {
        PerfEventException e = assertThrows(PerfEventException.class, () -> Sampler.open(TASK_CLOCK,
                Target.currentThread(), Sampling.period(1_000_000).sample(SampleField.IP, SampleField.CALLCHAIN)
                        .maxStack(65535)));
        assertEquals(Errno.EOVERFLOW, e.errno());
        assertTrue(e.getMessage().contains("perf_event_max_stack"), e.getMessage());
    }

    @Test
    void anAuxAreaOnAPmuWithoutOneIsEopnotsupp() {
        PerfEventException e = assertThrows(PerfEventException.class, () -> Sampler.open(TASK_CLOCK,
                Target.currentThread(), Sampling.period(1_000_000).auxPages(1)));
        assertEquals(Errno.EOPNOTSUPP, e.errno(), e.getMessage());
        assertTrue(e.getMessage().contains("AUX"), e.getMessage());
    }

    @Test
    void bufferSizesThatAreNotPowersOfTwoAreRefused() {
        for (int pages : new int[] {0, -1, 3, 6, RingBuffer.MAX_DATA_PAGES * 2}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Sampling.period(1).bufferPages(pages));
            assertTrue(e.getMessage().contains("2^n"), e.getMessage());
        }
    }

    @Test
    void orderingWithoutTimeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Sampler.open(TASK_CLOCK, Target.currentThread(),
                Sampling.period(1_000_000).sample(SampleField.IP).ordered(true)));
    }

    @Test
    void thePageSizeIsTheSystemsOwn() throws Exception {
        Process getconf = new ProcessBuilder("getconf", "PAGESIZE").start();
        String out = new String(getconf.getInputStream().readAllBytes()).trim();
        assertEquals(0, getconf.waitFor());
        assertEquals(Long.parseLong(out), Syscalls.pageSize());
    }

    @Test
    void aFrequencyExactlyAtTheSysctlOpens() {
        long max = Long.parseLong(RingBuffer.sysctl("perf_event_max_sample_rate"));
        try (Sampler sampler = Sampler.open(Event.parse("page-faults"), Target.currentThread(),
                Sampling.frequency(max))) {
            assertEquals(max, sampler.sampling().frequency());
        }
    }

    @Test
    void oneEventWithReadIsReadAloneNotAsAGroup() {
        try (Sampler sampler = Sampler.open(TASK_CLOCK, Target.currentThread(), Sampling.period(200_000)
                .sample(SampleField.TID, SampleField.TIME, SampleField.READ))) {
            assertFalse(sampler.format().readGroup(), "PERF_FORMAT_GROUP only for a group");
            sampler.enable();
            Spin.cpu(5);
            sampler.disable();
            List<PerfRecord.Sample> samples = samples(drain(sampler));
            assertFalse(samples.isEmpty());
            for (PerfRecord.Sample s : samples) {
                assertEquals(1, s.read().values().size());
                assertTrue(s.read().values().getFirst().value() > 0, "the event's own count");
            }
        }
    }
}
