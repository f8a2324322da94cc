/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.Counter;
import io.github.perfevent.Event;
import io.github.perfevent.Options;
import io.github.perfevent.ReadFormat;
import io.github.perfevent.Reading;
import io.github.perfevent.Target;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link CloseGuard}: what keeps a counter or group from closing fds that another thread is using, and
 * readers of one shared buffer from each other.
 */
class CloseGuardTest {

    @Test
    void closeWaitsUntilTheThreadInsideLeavesAndThenNothingEnters() throws Exception {
        CloseGuard guard = new CloseGuard();
        assertTrue(guard.enter());
        AtomicBoolean closedIt = new AtomicBoolean();
        Thread closer = Thread.ofPlatform().start(() -> closedIt.set(guard.close()));
        closer.join(200);
        assertTrue(closer.isAlive(), "close() returned while a thread was inside");
        assertTrue(guard.isClosed(), "close() has been called, though it still waits");
        guard.exit();
        closer.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(closer.isAlive(), "close() returned once the thread left");
        assertTrue(closedIt.get(), "the first close closes");
        assertTrue(guard.isClosed());
        assertFalse(guard.enter(), "nothing enters a closed guard (the CAS fails, the slow path sees it closed)");
        assertFalse(guard.close(), "closing again does nothing");
    }

    @Test
    void onceACloseHasBegunNoThreadEntersSoAReaderInALoopCannotStarveIt() throws Exception {
        CloseGuard guard = new CloseGuard();
        assertTrue(guard.enter());
        Thread closer = Thread.ofPlatform().start(guard::close);
        while (!guard.isClosed()) {
            Thread.onSpinWait(); // the closer has announced itself and now waits for the thread inside
        }
        assertTrue(closer.isAlive());
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertFalse(guard.enter(),
                "a thread arriving while the close waits is turned away at once, rather than queued before it"));
        guard.exit();
        closer.join();
        AtomicLong entries = new AtomicLong();
        CloseGuard busy = new CloseGuard();
        Thread looper = Thread.ofPlatform().start(() -> {
            while (busy.enter()) {
                entries.incrementAndGet();
                busy.exit();
            }
        });
        while (entries.get() == 0) {
            Thread.onSpinWait();
        }
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertTrue(busy.close()));
        looper.join();
    }

    @Test
    void aThreadWaitingToEnterGivesUpWhenACloseBegins() throws Exception {
        CloseGuard guard = new CloseGuard();
        assertFalse(guard.isClosed(), "a new guard is open");
        assertTrue(guard.enter());
        AtomicReference<Boolean> waiterEntered = new AtomicReference<>();
        Thread waiter = Thread.ofPlatform().start(() -> waiterEntered.set(guard.enter()));
        waiter.join(200);
        assertTrue(waiter.isAlive(), "the waiter waits while this thread is inside");
        Thread closer = Thread.ofPlatform().start(guard::close);
        waiter.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(waiter.isAlive(), "the waiter gave up while this thread was still inside");
        assertEquals(Boolean.FALSE, waiterEntered.get(), "a waiter that sees the close begin does not enter");
        assertTrue(closer.isAlive(), "the close still waits for this thread");
        guard.exit();
        closer.join();
    }

    @Test
    void aSecondThreadEntersOnlyAfterTheFirstLeaves() throws Exception {
        CloseGuard guard = new CloseGuard();
        assertTrue(guard.enter());
        CountDownLatch entered = new CountDownLatch(1);
        Thread second = Thread.ofPlatform().start(() -> {
            if (guard.enter()) {
                entered.countDown();
                guard.exit();
            }
        });
        assertFalse(entered.await(200, TimeUnit.MILLISECONDS), "a second thread entered while the first was inside");
        assertFalse(guard.isClosed(), "entering and waiting close nothing");
        guard.exit();
        assertTrue(entered.await(30, TimeUnit.SECONDS), "the second thread entered after the first left");
        second.join();
        assertTrue(guard.close());
    }

    /**
     * Two threads reading different fds of one counter at once: each reading carries the id of the fd it read, so a
     * reading decoded from a buffer the other thread had just filled would show the other fd's id.
     */
    @Test
    void concurrentReadersOfOneCounterEachGetTheirOwnFdsReading() throws Exception {
        try (Counter counter = Counter.open(Event.Software.TASK_CLOCK.event(), Target.allCpus(),
                Options.defaults().readFormat(EnumSet.of(ReadFormat.ID)))) {
            Assumptions.assumeTrue(counter.sites() >= 2, "needs two online CPUs; this machine has one");
            counter.enable();
            long[] ids = {counter.id(0), counter.id(1)};
            AtomicReference<String> failure = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            Thread[] readers = new Thread[2];
            for (int t = 0; t < 2; t++) {
                int index = t;
                readers[t] = Thread.ofPlatform().start(() -> {
                    Reading reading = new Reading();
                    try {
                        start.await();
                        for (int i = 0; i < 50_000 && failure.get() == null; i++) {
                            long id = counter.read(index, reading).id();
                            if (id != ids[index]) {
                                failure.set("read " + i + " of fd " + index + " gave id " + id + ", expected "
                                        + ids[index]);
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            start.countDown();
            for (Thread reader : readers) {
                reader.join();
            }
            assertNull(failure.get());
        }
    }
}
