package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Errno;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hardware events through the counting API, where the machine has a hardware PMU: the cycles of a busy loop, the
 * instructions that grow with the work, a cache event that sees an array being read. Counting is user-only
 * ({@code exclude_kernel}), as an unprivileged user at {@code perf_event_paranoid} 2 may count.
 *
 * <p>Where the kernel has no hardware PMU (a virtual machine without PMU virtualisation, such as this project's CI)
 * {@code perf_event_open} answers ENOENT and each test here skips, with the kernel's answer and the library's hint as
 * the reason. That answer itself (the errno, the call, the "no hardware PMU" hint) is asserted where it happens, by
 * {@link OpenErrorsTest#aHardwareEventWithoutAHardwarePmuIsEnoentAndTheHintSaysSoFromSysfs}.
 *
 * <p>The library has no rdpmc (user-space counter reads) code, so there is nothing of it to test.
 */
@ExtendWith(PrintSkipReason.class)
class HardwareEventsTest {

    private static final Options USER_ONLY = Options.defaults().excludeKernel(true);
    private static final int WARM_UP = 20;

    /** Opens {@code name} on this thread, or skips the test when the kernel has no PMU that counts it (ENOENT). */
    private static Counter openOrSkip(String name) {
        try {
            return Counter.open(Event.parse(name), Target.currentThread(), USER_ONLY);
        } catch (PerfEventException e) {
            Assumptions.assumeFalse(e.errno() == Errno.ENOENT,
                    () -> name + " cannot be counted here, so this test does not run: " + e.getMessage());
            throw e;
        }
    }

    /**
     * A loop the JIT can neither remove nor shorten: xorshift steps whose result is returned. (C2 folds an LCG's
     * steps together: 10^7 of them took 0.17 ms on JDK 25, far less than one instruction each.)
     */
    private static long work(long iterations) {
        long x = iterations | 1;
        for (long i = 0; i < iterations; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    /** Reads every element of {@code array}: the loads a data cache serves. */
    private static long sum(long[] array) {
        long sum = 0;
        for (long element : array) {
            sum += element;
        }
        return sum;
    }

    /** Counts one run of {@code workload} with {@code counter}, after warming it up so that the JIT has settled. */
    private static long count(Counter counter, LongSupplier workload) {
        long sink = 0;
        for (int i = 0; i < WARM_UP; i++) {
            sink += workload.getAsLong();
        }
        counter.reset();
        counter.enable();
        sink += workload.getAsLong();
        counter.disable();
        Blackhole.consume(sink);
        return counter.read();
    }

    @Test
    void cyclesOfABusyLoopArePositive() {
        try (Counter cycles = openOrSkip("cycles")) {
            long counted = count(cycles, () -> work(10_000_000));
            assertTrue(counted > 0, "cycles of 10^7 loop iterations: " + counted);
        }
    }

    @Test
    void instructionsGrowWithTheWork() {
        try (Counter instructions = openOrSkip("instructions")) {
            long small = count(instructions, () -> work(1_000_000));
            long large = count(instructions, () -> work(10_000_000));
            assertTrue(small >= 1_000_000, "at least one instruction per iteration: " + small);
            assertTrue(large > 5 * small, "ten times the iterations, several times the instructions: " + small
                    + " for 10^6 iterations, " + large + " for 10^7");
        }
    }

    @Test
    void l1DataCacheLoadsSeeAnArrayBeingRead() {
        long[] array = new long[1 << 20];
        try (Counter loads = openOrSkip("L1-dcache-loads")) {
            long counted = count(loads, () -> sum(array));
            assertTrue(counted > 0, "L1-dcache-loads while reading " + array.length + " longs: " + counted);
        }
    }

    /** Keeps a value alive, so that the loop computing it is not dead code. */
    private static final class Blackhole {
        static volatile long sink;

        static void consume(long value) {
            sink = value;
        }
    }
}
