/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FLAG_FD_CLOEXEC;

import io.github.perfevent.internal.CloseGuard;
import io.github.perfevent.sys.Syscalls;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Builds the {@code perf_event_attr} for an event with its options and opens it on one site, the one place where
 * the safe layer calls {@link Syscalls#perfEventOpen}. Every fd is opened close-on-exec; a failure becomes a
 * {@link PerfEventException} with a hint from {@link ErrorHints}.
 */
final class EventOpener {

    private EventOpener() {
    }

    /**
     * The attr: the library's full {@code size}, then the options, the event's fields and modifiers, and the
     * fields the opener owns ({@code disabled}, {@code enable_on_exec} of a child's leader, {@code read_format}).
     *
     * @param leader whether the event leads its group (members are opened enabled, following their leader, and
     *     cannot be pinned or exclusive)
     */
    static MemorySegment attr(Arena arena, Event event, Options options, long readFormat, boolean leader,
            boolean enableOnExec) {
        MemorySegment attr = perf_event_attr.allocate(arena);
        perf_event_attr.size(attr, (int) perf_event_attr.sizeof());
        options.writeTo(attr);
        if (!leader) {
            perf_event_attr_bits.pinned(attr, 0);
            perf_event_attr_bits.exclusive(attr, 0);
        }
        event.writeTo(attr, arena);
        event.writeModifiersTo(attr);
        perf_event_attr_bits.disabled(attr, leader ? 1 : 0);
        if (enableOnExec && leader) { // members follow their leader, as perf stat does it
            perf_event_attr_bits.enable_on_exec(attr, 1);
        }
        perf_event_attr.read_format(attr, readFormat);
        return attr;
    }

    /**
     * Opens {@code event} on {@code site}.
     *
     * @return the fd
     * @throws PerfEventException when the kernel refuses
     */
    static int open(Event event, Options options, Target.Site site, long targetFlags, int groupFd, long readFormat,
            boolean enableOnExec) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = attr(arena, event, options, readFormat, groupFd < 0, enableOnExec);
            long flags = PERF_FLAG_FD_CLOEXEC() | targetFlags;
            int fd = Syscalls.perfEventOpen(attr, site.pid(), site.cpu(), groupFd, flags);
            if (fd < 0) {
                throw ErrorHints.openFailed(-fd, attr, event, site, groupFd, flags);
            }
            return fd;
        }
    }

    /**
     * Closes every fd, last first, even after a failure; returns the exception for the first failure, or null.
     *
     * @param owner what the fds belong to, for the message
     */
    static PerfEventException closeAll(int[] fds, String owner) {
        PerfEventException failure = null;
        for (int i = fds.length - 1; i >= 0; i--) {
            int result = Syscalls.close(fds[i]);
            if (result < 0 && failure == null) {
                failure = new PerfEventException(-result, "close(" + fds[i] + ") of " + owner,
                        "the fd was closed behind its owner's back: never close the fd of a Counter or Group");
            }
        }
        return failure;
    }

    /**
     * A view of {@code owned} outside any arena, for a read buffer that a {@link CloseGuard} protects: a downcall
     * given a segment of a shared arena acquires and releases the arena around the call (two compare-and-sets per
     * {@code read(2)}); the view costs nothing. Safe only while the owner's guard is entered, since the owner frees
     * the memory (closes its arena) after closing the guard.
     */
    static MemorySegment unscoped(MemorySegment owned) {
        return MemorySegment.ofAddress(owned.address()).reinterpret(owned.byteSize());
    }

    /** Closes fds that were opened before a failure; the first failure stays the one reported. */
    static void closeQuietly(int[] fds, int count) {
        for (int i = count - 1; i >= 0; i--) {
            Syscalls.close(fds[i]);
        }
    }
}
