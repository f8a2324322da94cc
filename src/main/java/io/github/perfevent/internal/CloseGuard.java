/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Keeps {@code close()} of a counter, group or sampler from closing its fds while another thread is using
 * them, so that no thread ever passes a closed descriptor number to the kernel, which may have reused it for a file of
 * its own. It is cheaper than the object's monitor on the path that matters, an uncontended read: a volatile read
 * and one compare-and-set to enter, a release store to leave (the monitor costs two compare-and-sets, and reads whose
 * buffer lives in a shared arena pay two more for the arena's acquire and release around the downcall).
 *
 * <p>One thread at a time is inside (the read buffer is shared, so readers exclude each other too); a thread that
 * finds another inside yields the processor until it leaves. Whoever is inside only makes non-blocking system
 * calls (perf fds never block a {@code read(2)} or an ioctl), so every wait is short. {@link #close()} waits the same
 * way, but first marks the guard as closing, so that every later attempt to enter fails (a thread reading in a loop
 * cannot keep it waiting), then marks it closed for good.
 */
public final class CloseGuard {

    private static final int FREE = 0;
    private static final int IN_USE = 1;
    private static final int CLOSED = -1;
    private static final VarHandle STATE;
    private static final VarHandle CLOSING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(CloseGuard.class, "state", int.class);
            CLOSING = lookup.findVarHandle(CloseGuard.class, "closing", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    /** Set once by the thread that closes, before it waits: no attempt to enter that sees it succeeds. */
    private volatile boolean closing;

    /**
     * Enters, waiting while another thread is inside; pair every successful call with {@link #exit()}.
     *
     * @return {@code true} when entered, {@code false} when closed or being closed (nothing to exit)
     */
    public boolean enter() {
        return !closing && (STATE.compareAndSet(this, FREE, IN_USE) || enterContended());
    }

    /**
     * Waits for the thread inside to leave. A thread that saw no close begin may still enter after one has begun:
     * the closer waits for it as for any thread inside; every later attempt sees {@code closing} and gives up, so
     * no stream of entries can keep a close waiting.
     */
    private boolean enterContended() {
        while (true) {
            if (closing) {
                return false;
            }
            if ((int) STATE.getVolatile(this) == FREE && STATE.compareAndSet(this, FREE, IN_USE)) {
                return true;
            }
            Thread.yield(); // the thread inside is in a non-blocking system call: it leaves within microseconds
        }
    }

    /** Leaves, after a successful {@link #enter()}. */
    public void exit() {
        STATE.setRelease(this, FREE);
    }

    /**
     * Closes the guard: from now on {@link #enter()} fails; waits for a thread inside to leave. A concurrent second
     * call waits until the first has closed it.
     *
     * @return {@code true} for the call that closed it, {@code false} if another call did
     */
    public boolean close() {
        boolean first = CLOSING.compareAndSet(this, false, true);
        while (true) {
            int current = (int) STATE.getVolatile(this);
            if (current == CLOSED) {
                return false;
            }
            if (first && current == FREE && STATE.compareAndSet(this, FREE, CLOSED)) {
                return true;
            }
            Thread.yield(); // the thread inside is in a non-blocking system call: it leaves within microseconds
        }
    }

    /** {@return whether {@link #close()} has been called} */
    public boolean isClosed() {
        return closing;
    }
}
