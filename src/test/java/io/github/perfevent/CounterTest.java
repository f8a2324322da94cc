package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Fixtures;
import io.github.perfevent.sys.Syscalls;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link Counter} on the calling thread, another Java thread, a whole process and every CPU, against the real
 * kernel: counts that must move (and must not), enable/disable/reset, close and fd reuse, virtual threads refused.
 */
class CounterTest {

    private static final Event PAGE_FAULTS = Event.Software.PAGE_FAULTS.event();
    private static final Event TASK_CLOCK = Event.Software.TASK_CLOCK.event();
    private static final int PAGES = 1000;

    @Test
    void pageFaultsOfTheCallingThreadCountEveryFreshPage() {
        try (Counter faults = Counter.open(PAGE_FAULTS)) {
            faults.enable();
            Fixtures.touchFreshPages(PAGES);
            faults.disable();
            long count = faults.read();
            assertTrue(count >= PAGES, "touching " + PAGES + " fresh pages faults at least that often, counted " + count);
            assertTrue(count < PAGES + 200, "only this thread is counted, not the JVM: " + count);
            Reading reading = faults.read(new Reading());
            assertEquals(count, reading.value(), "disabled: the count does not move between reads");
            assertEquals(1, reading.sources());
            assertTrue(reading.timeEnabled() > 0 && reading.timeRunning() == reading.timeEnabled(),
                    "a software event is never multiplexed: " + reading);
            assertFalse(reading.isScaled());
            assertEquals(count, reading.scaledValue());
            assertEquals("tid " + Syscalls.gettid(), faults.label(0));
        }
    }

    @Test
    void aCounterCountsOnlyWhileEnabledAndResetZeroesIt() {
        try (Counter faults = Counter.open(PAGE_FAULTS)) {
            Fixtures.touchFreshPages(PAGES);
            assertEquals(0, faults.read(), "opened disabled: nothing counted before enable()");
            faults.enable();
            Fixtures.touchFreshPages(PAGES);
            faults.disable();
            long counted = faults.read();
            assertTrue(counted >= PAGES, "counted " + counted);
            Fixtures.touchFreshPages(PAGES);
            assertEquals(counted, faults.read(), "disable() stops counting");
            faults.reset();
            assertEquals(0, faults.read(), "reset() zeroes the count");
        }
    }

    @Test
    void readFillsTheSameReadingWithoutAllocatingANewOne() {
        try (Counter clock = Counter.open(TASK_CLOCK)) {
            Reading reading = new Reading();
            clock.enable();
            long previous = -1;
            for (int i = 0; i < 5; i++) {
                Fixtures.spin(1_000_000);
                assertTrue(clock.read(reading) == reading);
                assertTrue(reading.value() > previous, "task-clock grows while this thread runs: " + reading);
                previous = reading.value();
            }
        }
    }

    @Test
    void anotherJavaThreadIsCountedByItsOsThreadId() throws Exception {
        AtomicInteger tid = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch counted = new CountDownLatch(1);
        Thread worker = Thread.ofPlatform().name("counted worker").start(() -> {
            tid.set(Syscalls.gettid());
            started.countDown();
            while (counted.getCount() > 0) {
                Fixtures.spin(1_000_000);
            }
        });
        try {
            started.await();
            try (Counter clock = Counter.open(TASK_CLOCK, Target.thread(worker))) {
                assertEquals("tid " + tid.get(), clock.label(0), "the tid found from the JVM's thread dump");
                long callerCpuBefore = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                clock.enable();
                // Wait for 20 ms of the worker's CPU time (however loaded the machine), while this thread sleeps.
                long deadline = System.nanoTime() + 30_000_000_000L;
                long workerTime;
                while ((workerTime = clock.read()) < 20_000_000 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                long callerCpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - callerCpuBefore;
                assertTrue(workerTime >= 20_000_000, "the spinning worker ran 20 ms within 30 s: " + workerTime + " ns");
                assertTrue(callerCpu < workerTime / 2, "the count is the worker's, not the sleeping caller's ("
                        + callerCpu + " ns of CPU): " + workerTime + " ns");
            }
        } finally {
            counted.countDown();
            worker.join();
        }
        assertThrows(IllegalStateException.class, () -> Counter.open(TASK_CLOCK, Target.thread(worker)),
                "a terminated thread has no OS thread");
    }

    @Test
    void virtualThreadsAreRefusedBecauseTheKernelWouldCountTheirCarrier() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread virtual = Thread.ofVirtual().start(() -> {
            try (Counter c = Counter.open(TASK_CLOCK)) {
                thrown.set(new AssertionError("opened " + c));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        virtual.join();
        assertTrue(thrown.get() instanceof IllegalStateException, String.valueOf(thrown.get()));
        assertTrue(thrown.get().getMessage().contains("carrier"), thrown.get().getMessage());
        IllegalStateException other = assertThrows(IllegalStateException.class,
                () -> Counter.open(TASK_CLOCK, Target.thread(virtual)));
        assertTrue(other.getMessage().contains("virtual"), other.getMessage());
    }

    @Test
    void aProcessTargetOpensOneFdPerThreadAndSumsThem() {
        long self = ProcessHandle.current().pid();
        try (Counter clock = Counter.open(TASK_CLOCK, Target.process(self));
                Counter mine = Counter.open(TASK_CLOCK)) {
            assertTrue(clock.sites() > 1, "a JVM has many threads: " + clock.sites());
            for (int i = 0; i < clock.sites(); i++) {
                String tid = clock.label(i).substring("tid ".length());
                assertTrue(Files.isDirectory(Path.of("/proc/self/task", tid)) || !clock.label(i).isEmpty());
            }
            clock.enable();
            mine.enable();
            Fixtures.spin(20_000_000);
            mine.disable();
            clock.disable();
            Reading all = clock.read(new Reading());
            assertEquals(clock.sites(), all.sources());
            long sumOfEach = 0;
            Reading one = new Reading();
            for (int i = 0; i < clock.sites(); i++) {
                sumOfEach += clock.read(i, one).value();
            }
            assertEquals(all.value(), sumOfEach, "the sum is the sum of each thread's count");
            assertTrue(all.value() >= mine.read(), "the process's time includes this thread's: " + all);
        }
    }

    @Test
    void everyOnlineCpuGetsItsOwnFd() throws Exception {
        List<Integer> cpus = Target.parseCpuList(Files.readAllLines(Path.of("/sys/devices/system/cpu/online")).get(0));
        try (Counter clock = Counter.open(Event.Software.CPU_CLOCK.event(), Target.allCpus())) {
            assertEquals(cpus.size(), clock.sites());
            clock.enable();
            Thread.sleep(20);
            clock.disable();
            Reading each = new Reading();
            List<String> labels = new ArrayList<>();
            for (int i = 0; i < clock.sites(); i++) {
                labels.add(clock.label(i));
                assertTrue(clock.read(i, each).value() > 0, "cpu-clock ticks on " + clock.label(i));
            }
            assertEquals(cpus.stream().map(c -> "cpu " + c).toList(), labels);
        }
    }

    @Test
    void aClosedCounterNeverTouchesTheFdNumberAnotherCounterGotSince() {
        Counter closed = Counter.open(PAGE_FAULTS);
        int number = closed.fd(0);
        closed.close();
        closed.close(); // idempotent
        List<Counter> opened = new ArrayList<>();
        try {
            Counter reuser = null;
            for (int i = 0; i < 64 && reuser == null; i++) {
                Counter c = Counter.open(PAGE_FAULTS);
                opened.add(c);
                if (c.fd(0) == number) {
                    reuser = c;
                }
            }
            assertTrue(reuser != null, "fd " + number + " was handed out again within 64 opens");
            reuser.enable();
            assertThrows(IllegalStateException.class, closed::read);
            assertThrows(IllegalStateException.class, () -> closed.read(new Reading()));
            assertThrows(IllegalStateException.class, closed::enable);
            assertThrows(IllegalStateException.class, closed::disable);
            assertThrows(IllegalStateException.class, closed::reset);
            assertThrows(IllegalStateException.class, () -> closed.fd(0));
            closed.close();
            Fixtures.touchFreshPages(PAGES);
            assertTrue(reuser.read() >= PAGES, "the new counter on fd " + number + " was neither reset, disabled nor closed");
            assertTrue(closed.isClosed());
        } finally {
            opened.forEach(Counter::close);
        }
    }

    @Test
    void everyFdIsCloseOnExec() throws Exception {
        try (Counter counter = Counter.open(TASK_CLOCK);
                Group group = Group.open(List.of(PAGE_FAULTS, TASK_CLOCK))) {
            for (int fd : new int[] {counter.fd(0), group.fd(0, 0), group.fd(0, 1)}) {
                String flags = Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd)).stream()
                        .filter(l -> l.startsWith("flags:")).findFirst().orElseThrow();
                long octal = Long.parseLong(flags.substring("flags:".length()).strip(), 8);
                assertEquals(Syscalls.O_CLOEXEC, octal & Syscalls.O_CLOEXEC, "fd " + fd + ": " + flags);
            }
        }
    }

    @Test
    void idsAreThoseOfPerfEventIocIdAndDifferPerFd() {
        try (Counter a = Counter.open(PAGE_FAULTS, Target.currentThread(),
                Options.defaults().readFormat(java.util.EnumSet.of(ReadFormat.ID)));
                Counter b = Counter.open(PAGE_FAULTS, Target.currentThread(),
                        Options.defaults().readFormat(java.util.EnumSet.of(ReadFormat.ID)))) {
            long idA = a.read(new Reading()).id();
            assertEquals(a.id(0), idA);
            assertNotEquals(idA, b.id(0));
        }
    }
}
