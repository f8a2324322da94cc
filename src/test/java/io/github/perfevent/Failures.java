package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Errno;
import java.util.function.Supplier;

/** Test support: asserting the errno, the call, the hint and the message format of a {@link PerfEventException}. */
final class Failures {

    private Failures() {
    }

    /**
     * Runs {@code open}, which must fail with {@code errno}; what it opens by mistake is closed before the assertion
     * fails. The exception's message must read {@code <call>: <ERRNAME> (<strerror>). <hint>}.
     */
    static PerfEventException assertFails(int errno, Supplier<? extends AutoCloseable> open) {
        PerfEventException thrown;
        try (AutoCloseable opened = open.get()) {
            throw new AssertionError("expected " + Errno.describe(errno) + ", but it opened: " + opened);
        } catch (PerfEventException e) {
            thrown = e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertEquals(Errno.name(errno), thrown.errnoName(), thrown::getMessage);
        assertEquals(errno, thrown.errno());
        assertWellFormed(thrown.errno(), thrown.errnoName(), thrown.call(), thrown.hint(), thrown.getMessage());
        return thrown;
    }

    /** {@code message} is {@code <call>: <ERRNAME> (<strerror>). <hint>}, with a non-empty call and hint. */
    static void assertWellFormed(int errno, String errnoName, String call, String hint, String message) {
        assertFalse(call.isBlank(), "the call is named: " + message);
        assertFalse(hint.isBlank(), "the hint is not empty: " + message);
        assertEquals(Errno.name(errno), errnoName);
        assertEquals(call + ": " + errnoName + " (" + Errno.message(errno) + "). " + hint, message);
    }

    /** {@code text} contains every one of {@code parts}. */
    static void assertMentions(String text, String... parts) {
        for (String part : parts) {
            assertTrue(text.contains(part), () -> "expected \"" + part + "\" in: " + text);
        }
    }
}
