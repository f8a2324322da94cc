package io.github.perfevent.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * How {@link Errno} answers for any int, whatever its table holds: a negated errno (as the raw layer returns it) is
 * the positive one, every number gets a name and a message and never an exception, and the two agree on which numbers
 * Linux defines. {@link ConformanceTest} checks the table itself against gcc's {@code <errno.h>} and glibc.
 */
class ErrnoTest {

    private static final int[] EXTREMES = {Integer.MIN_VALUE, Integer.MIN_VALUE + 1, Integer.MAX_VALUE, 65536, 4096};

    @Test
    void aNegatedErrnoIsAnsweredLikeThePositiveOne() {
        for (int n = 0; n <= 5000; n++) {
            assertEquals(Errno.name(n), Errno.name(-n));
            assertEquals(Errno.message(n), Errno.message(-n));
            assertEquals(Errno.name(n) + " (" + Errno.message(n) + ")", Errno.describe(-n));
        }
        assertEquals("EBADF", Errno.name(-Errno.EBADF));
    }

    @Test
    void everyIntGetsANameAndAMessageThatAgreeOnWhetherLinuxDefinesIt() {
        int defined = 0;
        for (int n = -5000; n <= 5000; n++) {
            defined += check(n) ? 1 : 0;
        }
        for (int n : EXTREMES) {
            assertTrue(!check(n), n + " is no errno");
        }
        assertTrue(defined >= 2 * 100, "the table has the errnos of Linux, each counted with both signs: " + defined);
    }

    /** Checks the answers for {@code n}; returns whether {@code n} is an errno Linux defines. */
    private static boolean check(int n) {
        String name = Errno.name(n);
        String message = Errno.message(n);
        String magnitude = Long.toString(Math.abs((long) n));
        boolean known = !name.equals("errno " + magnitude);
        assertEquals(known, !message.equals("Unknown error " + magnitude), n + ": " + name + ", " + message);
        if (known) {
            assertTrue(name.matches("E[A-Z0-9]+"), n + ": " + name);
            assertTrue(!message.isEmpty() && !message.startsWith("Unknown error"), n + ": " + message);
        }
        return known;
    }

    @Test
    void zeroAndIntegerMinValueAreNoErrnos() {
        assertEquals("errno 0", Errno.name(0));
        assertEquals("Unknown error 0", Errno.message(0));
        assertEquals("errno 2147483648", Errno.name(Integer.MIN_VALUE));
        assertEquals("Unknown error 2147483648", Errno.message(Integer.MIN_VALUE));
    }
}
