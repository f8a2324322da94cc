/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Keeps {@code close()} of a {@link Counter} or {@link Group} from closing its fds while another thread is using
 * them, so that no thread ever passes a closed descriptor number to the kernel, which may have reused it for a file of
 * its own. It is cheaper than the object's monitor on the path that matters, an uncontended read: one
 * compare-and-set to enter and a release store to leave (the monitor costs two compare-and-sets, and reads whose
 * buffer lives in a shared arena pay two more for the arena's acquire and release around the downcall).
 *
 * <p>One thread at a time is inside (the read buffer is shared, so readers exclude each other too); a thread that
 * finds another inside spins briefly, then yields until it leaves. Whoever is inside only makes non-blocking system
 * calls (perf fds never block a {@code read(2)} or an ioctl), so every wait is short. {@link #close()} waits the same
 * way, then marks the guard closed for good: every later {@link #enter()} fails.
 */
final class CloseGuard {

    private static final int FREE = 0;
    private static final int IN_USE = 1;
    private static final int CLOSED = -1;
    private static final int SPINS_BEFORE_YIELD = 100;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(CloseGuard.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    /**
     * Enters, waiting while another thread is inside; pair every successful call with {@link #exit()}.
     *
     * @return {@code true} when entered, {@code false} when closed (nothing to exit)
     */
    boolean enter() {
        return STATE.compareAndSet(this, FREE, IN_USE) || enterContended();
    }

    private boolean enterContended() {
        for (int spins = 0; ; spins++) {
            int current = (int) STATE.getVolatile(this);
            if (current == CLOSED) {
                return false;
            }
            if (current == FREE && STATE.compareAndSet(this, FREE, IN_USE)) {
                return true;
            }
            pause(spins);
        }
    }

    /** Leaves, after a successful {@link #enter()}. */
    void exit() {
        STATE.setRelease(this, FREE);
    }

    /**
     * Closes the guard once no thread is inside: from then on {@link #enter()} fails.
     *
     * @return {@code true} for the call that closed it, {@code false} if it was closed already
     */
    boolean close() {
        for (int spins = 0; ; spins++) {
            int current = (int) STATE.getVolatile(this);
            if (current == CLOSED) {
                return false;
            }
            if (current == FREE && STATE.compareAndSet(this, FREE, CLOSED)) {
                return true;
            }
            pause(spins);
        }
    }

    /** {@return whether {@link #close()} has closed it} */
    boolean isClosed() {
        return (int) STATE.getVolatile(this) == CLOSED;
    }

    private static void pause(int spins) {
        if (spins < SPINS_BEFORE_YIELD) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }
}
