package io.github.perfevent.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.Event;
import io.github.perfevent.PrintSkipReason;
import io.github.perfevent.Target;
import io.github.perfevent.sys.Spin;
import io.github.perfevent.sys.Syscalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The end of a monitored task ends the stream: the kernel reports POLLHUP on a mapped event whose task has exited,
 * a blocked {@link Sampler#await} returns at once (long before its timeout), what is left is drained, and
 * {@link Sampler#isEnded()} turns true — for a Java thread of this JVM and for the thread of a child process.
 */
@ExtendWith(PrintSkipReason.class)
class SamplerEndTest {

    /** Far longer than any wait should take: an await that returns near it did not see the POLLHUP. */
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** The promptness asserted: generous for a loaded 2-vCPU machine, still 10 times shorter than the timeout. */
    private static final long PROMPT_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** Awaits and drains until the sampler ends or the deadline passes; returns the records. */
    private static List<PerfRecord> readToTheEnd(Sampler sampler, long deadline) {
        List<PerfRecord> records = new ArrayList<>();
        while (!sampler.isEnded() && System.nanoTime() < deadline) {
            sampler.await(TIMEOUT);
            for (PerfRecord r = sampler.nextRecord(); r != null; r = sampler.nextRecord()) {
                records.add(r);
            }
        }
        return records;
    }

    @Test
    void aSampledJavaThreadThatEndsEndsTheStreamAndWakesTheWaitingReaderPromptly() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger tid = new AtomicInteger();
        AtomicLong finished = new AtomicLong();
        Thread worker = Thread.ofPlatform().name("sampled-worker").start(() -> {
            tid.set(Syscalls.gettid());
            try {
                go.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            Spin.cpu(20);
            finished.set(System.nanoTime());
        });
        while (tid.get() == 0) {
            Thread.onSpinWait();
        }
        try (Sampler sampler = Sampler.open(Event.parse("task-clock"), Target.thread(worker),
                Sampling.period(100_000))) {
            sampler.enable();
            go.countDown();
            assertFalse(sampler.isEnded(), "ended before the thread did");
            List<PerfRecord> records = readToTheEnd(sampler, System.nanoTime() + TIMEOUT.toNanos());
            long ended = System.nanoTime();
            worker.join();
            assertTrue(sampler.isEnded(), "no POLLHUP after the thread ended");
            long latency = ended - finished.get();
            System.out.println("SamplerEndTest: the reader saw the end of a Java thread " + latency / 1000
                    + " µs after its last instruction");
            assertTrue(latency < PROMPT_NANOS, "the reader saw the end " + latency / 1_000_000 + " ms after");
            long samples = records.stream().filter(r -> r instanceof PerfRecord.Sample).count();
            assertTrue(samples >= 50, "20 ms of CPU at 100 µs: " + samples + " samples");
            assertTrue(records.stream().filter(r -> r instanceof PerfRecord.Sample)
                    .allMatch(r -> r.sampleId().tid() == tid.get()), "samples of another thread");
            assertEquals(0, sampler.lost());
            assertNull(sampler.nextRecord(), "records after the end");
        }
    }

    @Test
    void anAwaitOnAnEndedStreamReturnsAtOnce() throws Exception {
        Process child = new ProcessBuilder("cat").start(); // ends when its standard input is closed
        int pid = (int) child.pid();
        try (Sampler sampler = Sampler.open(Event.parse("task-clock"), Target.tid(pid), Sampling.period(100_000))) {
            sampler.enable();
            child.getOutputStream().close();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            readToTheEnd(sampler, System.nanoTime() + TIMEOUT.toNanos());
            assertTrue(sampler.isEnded(), "no POLLHUP after the child's exit");
            long before = System.nanoTime();
            assertTrue(sampler.await(Duration.ofSeconds(5)), "an ended stream is ready");
            long waited = System.nanoTime() - before;
            assertTrue(waited < PROMPT_NANOS, "an await on an ended stream waited " + waited / 1_000_000 + " ms");
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void theThreadOfAChildProcessThatExitsEndsTheStreamWithItsExitRecord() throws Exception {
        Process child = new ProcessBuilder("cat").start(); // ends when its standard input is closed
        int pid = (int) child.pid();
        try (Sampler sampler = Sampler.open(Event.parse("task-clock"), Target.tid(pid),
                Sampling.period(100_000).sideBand(SideBand.TASK))) {
            sampler.enable();
            child.getOutputStream().close();
            long closed = System.nanoTime();
            List<PerfRecord> records = readToTheEnd(sampler, closed + TIMEOUT.toNanos());
            long took = System.nanoTime() - closed;
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertTrue(sampler.isEnded(), "no POLLHUP after the child's exit");
            assertTrue(took < PROMPT_NANOS, "the reader saw the end of cat " + took / 1_000_000 + " ms after its "
                    + "input was closed");
            assertTrue(records.stream().anyMatch(r -> r instanceof PerfRecord.Exit e && e.pid() == pid && e.tid() == pid),
                    "no EXIT record of the child among " + records);
        } finally {
            child.destroyForcibly();
        }
    }
}
