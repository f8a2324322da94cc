/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import io.github.perfevent.sys.Errno;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * A call to the kernel, or an access to one of its files (sysfs, tracefs, {@code /proc}), failed: the environment
 * refused, not the caller's input (which gets an {@link IllegalArgumentException}, for names an
 * {@link EventNameException}; see the package documentation for the whole contract).
 *
 * <p>Carries the errno the kernel gave ({@link #errno()}, with its name, such as {@code EACCES}; never one made up:
 * for a file access, the one the JDK's exception reports), the call that failed ({@link #call()}, for example
 * {@code perf_event_open(task-clock, pid=0, cpu=-1)}) and a hint fitted to the case ({@link #hint()}): for
 * EACCES/EPERM the current {@code perf_event_paranoid} level, what it forbids, which of its rules the call broke, the
 * caller's uid and capabilities and whether a seccomp filter applies to the thread; for ENOENT whether the machine has a hardware PMU and which PMUs sysfs lists; for E2BIG the kernel's own
 * {@code perf_event_attr} size and the fields that were set beyond it; for EINVAL the fields likely at fault; for
 * EMFILE the soft and hard fd limit; and so on. See perf_event_open(2), ERRORS.
 *
 * <p>The message reads {@code <call>: <ERRNAME> (<strerror>). <hint>}.
 */
public final class PerfEventException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    /** The highest errno Linux defines (EHWPOISON). */
    private static final int MAX_ERRNO = 133;

    /** The positive errno. */
    private final int errno;
    /** The call that failed, with its arguments. */
    private final String call;
    /** What the errno means here and what to do. */
    private final String hint;

    /**
     * @param errno the positive errno
     * @param call what was called, with its arguments
     * @param hint what the errno most likely means here and what to do
     */
    PerfEventException(int errno, String call, String hint) {
        super(call + ": " + Errno.describe(errno) + (hint.isEmpty() ? "" : ". " + hint));
        this.errno = errno;
        this.call = call;
        this.hint = hint;
    }

    /**
     * A file access (of sysfs, tracefs, /proc) failed with {@code e}: the exception carries the errno the system call
     * returned, which the JDK reports by the exception's type ({@code NoSuchFileException} for ENOENT,
     * {@code AccessDeniedException} for EACCES, {@code NotDirectoryException} for ENOTDIR,
     * {@code FileAlreadyExistsException} for EEXIST) or by the {@code strerror} text of its reason (such as
     * "File name too long"); EIO only when the JDK's report names no errno at all.
     */
    static PerfEventException ofFileAccess(String call, IOException e, String hint) {
        return new PerfEventException(errnoOf(e), call, hint.isEmpty() ? e.toString() : hint + " (" + e + ")");
    }

    /** The errno a JDK file exception reports (see {@link #ofFileAccess}). */
    static int errnoOf(IOException e) {
        return switch (e) {
            case NoSuchFileException x -> Errno.ENOENT;
            case AccessDeniedException x -> Errno.EACCES;
            case NotDirectoryException x -> Errno.ENOTDIR;
            case FileAlreadyExistsException x -> Errno.EEXIST;
            case FileSystemException x -> errnoOfStrerror(x.getReason());
            default -> errnoOfStrerror(e.getMessage());
        };
    }

    /** The errno whose strerror text {@code text} starts with (the longest such text), or EIO. */
    private static int errnoOfStrerror(String text) {
        int found = Errno.EIO;
        int longest = 0;
        for (int errno = 1; text != null && errno <= MAX_ERRNO; errno++) {
            String message = Errno.message(errno);
            if (message.length() > longest && !message.startsWith("Unknown error") && text.startsWith(message)) {
                found = errno;
                longest = message.length();
            }
        }
        return found;
    }

    /** {@return the errno, a positive number such as {@link Errno#EACCES}} */
    public int errno() {
        return errno;
    }

    /** {@return the errno's symbolic name, such as {@code "EACCES"}} */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** {@return the call that failed, with its arguments} */
    public String call() {
        return call;
    }

    /** {@return what the errno most likely means for this call and what to do about it; may be empty} */
    public String hint() {
        return hint;
    }
}
