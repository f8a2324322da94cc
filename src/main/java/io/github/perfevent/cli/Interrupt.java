/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C while counting: a SIGINT handler (the JDK's {@code sun.misc.Signal}, module {@code jdk.unsupported}, which
 * needs no flag) that runs an action instead of ending the JVM, so that {@code stat} prints what it counted before
 * it exits. {@link #close()} puts back the handler that was there before, so running the tool inside another
 * program (a test) leaves its SIGINT as it was. When the JVM refuses the handler ({@code -Xrs}), Ctrl-C ends the
 * JVM as usual.
 */
final class Interrupt implements AutoCloseable {

    private static final Signal SIGINT = new Signal("INT");

    private final SignalHandler previous;

    private Interrupt(SignalHandler previous) {
        this.previous = previous;
    }

    /** Runs {@code action} (on a thread of the JVM's) at each SIGINT until {@link #close()}. */
    static Interrupt onSigint(Runnable action) {
        try {
            return new Interrupt(Signal.handle(SIGINT, signal -> action.run()));
        } catch (IllegalArgumentException e) { // -Xrs, or the signal is in use by the JVM
            return new Interrupt(null);
        }
    }

    @Override
    public void close() {
        if (previous != null) {
            Signal.handle(SIGINT, previous);
        }
    }
}
