/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_CONTEXT_GUEST;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_CONTEXT_GUEST_KERNEL;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_CONTEXT_GUEST_USER;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_CONTEXT_HV;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_CONTEXT_KERNEL;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_CONTEXT_USER;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_CONTEXT_USER_DEFERRED;

/**
 * The {@code PERF_CONTEXT_*} markers of a callchain ({@code enum perf_callchain_context} of
 * {@code linux/perf_event.h}): a marker entry says in which context the addresses after it were taken, up to the
 * next marker. A kernel-mode sample's chain reads {@code KERNEL, k1, k2, ..., USER, u1, u2, ...}.
 */
public enum CallchainContext {
    /** {@code PERF_CONTEXT_HV}: hypervisor frames follow. */
    HV(PERF_CONTEXT_HV()),
    /** {@code PERF_CONTEXT_KERNEL}: kernel frames follow. */
    KERNEL(PERF_CONTEXT_KERNEL()),
    /** {@code PERF_CONTEXT_USER}: user frames follow. */
    USER(PERF_CONTEXT_USER()),
    /**
     * {@code PERF_CONTEXT_USER_DEFERRED}: the user frames come later, in a {@code PERF_RECORD_CALLCHAIN_DEFERRED};
     * the entry after the marker is the cookie that matches them.
     */
    USER_DEFERRED(PERF_CONTEXT_USER_DEFERRED()),
    /** {@code PERF_CONTEXT_GUEST}: guest frames follow. */
    GUEST(PERF_CONTEXT_GUEST()),
    /** {@code PERF_CONTEXT_GUEST_KERNEL}: guest kernel frames follow. */
    GUEST_KERNEL(PERF_CONTEXT_GUEST_KERNEL()),
    /** {@code PERF_CONTEXT_GUEST_USER}: guest user frames follow. */
    GUEST_USER(PERF_CONTEXT_GUEST_USER());

    private static final CallchainContext[] VALUES = values();

    private final long marker;

    CallchainContext(long marker) {
        this.marker = marker;
    }

    /** {@return the marker's value in a callchain (a u64 near -1: {@code (__u64)-128} for KERNEL...)} */
    public long marker() {
        return marker;
    }

    /**
     * {@return the context {@code entry} marks, or null when it is an address or a marker this header does not
     * define}
     *
     * @param entry a callchain entry
     */
    public static CallchainContext of(long entry) {
        for (CallchainContext c : VALUES) {
            if (c.marker == entry) {
                return c;
            }
        }
        return null;
    }
}
