/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import io.github.perfevent.PerfEventException;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * A failed file access as the exception contract reports it: a {@link PerfEventException} carrying the errno the JDK
 * reports. PerfEventException's factory for that ({@code ofFileAccess}) is package-private in the counting layer;
 * this reaches it inside the module (a module's own packages are open to it), until the counting layer shares it
 * through a non-exported internal package.
 */
final class FileFailures {

    private static final MethodHandle OF_FILE_ACCESS;

    static {
        try {
            OF_FILE_ACCESS = MethodHandles.privateLookupIn(PerfEventException.class, MethodHandles.lookup())
                    .findStatic(PerfEventException.class, "ofFileAccess", MethodType.methodType(
                            PerfEventException.class, String.class, IOException.class, String.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private FileFailures() {
    }

    /** The PerfEventException of {@code call} failing with {@code e}: the errno the JDK reports, and the hint. */
    static PerfEventException perfEventException(String call, IOException e, String hint) {
        try {
            return (PerfEventException) OF_FILE_ACCESS.invokeExact(call, e, hint);
        } catch (RuntimeException | Error x) {
            throw x;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
