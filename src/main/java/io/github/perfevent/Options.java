/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.StringJoiner;

/**
 * How to count: the flag bits and fields of {@code struct perf_event_attr} a counting user sets (perf_event_open(2),
 * "Arguments"). Immutable: each method returns a changed copy, so one {@code Options} can be shared.
 *
 * <pre>{@code
 * Options userOnly = Options.defaults().excludeKernel(true).excludeHv(true);
 * }</pre>
 *
 * <p>Defaults: everything off, {@code read_format} = {@link ReadFormat#TOTAL_TIME_ENABLED} +
 * {@link ReadFormat#TOTAL_TIME_RUNNING}. Events are always opened disabled and close-on-exec
 * ({@code PERF_FLAG_FD_CLOEXEC}); {@link Counter#enable} starts them. Modifiers carried by an {@link Event}
 * ({@code cycles:u}) win over these options for the fields they name.
 *
 * <p>Immutable and thread-safe.
 */
public final class Options {

    private static final Options DEFAULTS = new Options();

    private boolean excludeUser;
    private boolean excludeKernel;
    private boolean excludeHv;
    private boolean excludeIdle;
    private boolean excludeHost;
    private boolean excludeGuest;
    private boolean inherit;
    private boolean inheritStat;
    private boolean inheritThread;
    private boolean pinned;
    private boolean exclusive;
    private boolean enableOnExec;
    private boolean removeOnExec;
    private boolean useClockId;
    private int clockId;
    private int preciseIp;
    private Set<ReadFormat> readFormat = Collections.unmodifiableSet(
            EnumSet.of(ReadFormat.TOTAL_TIME_ENABLED, ReadFormat.TOTAL_TIME_RUNNING));

    private Options() {
    }

    private Options copy() {
        Options o = new Options();
        o.excludeUser = excludeUser;
        o.excludeKernel = excludeKernel;
        o.excludeHv = excludeHv;
        o.excludeIdle = excludeIdle;
        o.excludeHost = excludeHost;
        o.excludeGuest = excludeGuest;
        o.inherit = inherit;
        o.inheritStat = inheritStat;
        o.inheritThread = inheritThread;
        o.pinned = pinned;
        o.exclusive = exclusive;
        o.enableOnExec = enableOnExec;
        o.removeOnExec = removeOnExec;
        o.useClockId = useClockId;
        o.clockId = clockId;
        o.preciseIp = preciseIp;
        o.readFormat = readFormat;
        return o;
    }

    /** {@return the defaults: count everything the event sees, read value with time enabled and running} */
    public static Options defaults() {
        return DEFAULTS;
    }

    /**
     * {@code exclude_user}: do not count in user space. Software events show what it means: page faults taken in
     * user mode are left out, and {@code task-clock} and {@code cpu-clock} ignore it (they count time, user and
     * kernel alike).
     *
     * @param on whether to set it
     * @return the changed copy
     */
    public Options excludeUser(boolean on) {
        Options o = copy();
        o.excludeUser = on;
        return o;
    }

    /**
     * {@code exclude_kernel}: do not count in the kernel. An unprivileged user needs it at
     * {@code perf_event_paranoid} 2 (the default). Page faults taken inside system calls are left out, and every
     * {@code context-switches} event (the scheduler counts them in the kernel, so the count is 0);
     * {@code task-clock} and {@code cpu-clock} ignore it.
     *
     * @param on whether to set it
     * @return the changed copy
     */
    public Options excludeKernel(boolean on) {
        Options o = copy();
        o.excludeKernel = on;
        return o;
    }

    /**
     * {@code exclude_hv}: do not count in the hypervisor
     *
     * @param on whether to set it
     * @return the changed copy
     */
    public Options excludeHv(boolean on) {
        Options o = copy();
        o.excludeHv = on;
        return o;
    }

    /**
     * {@code exclude_idle}: do not count while the CPU is idle
     *
     * @param on whether to set it
     * @return the changed copy
     */
    public Options excludeIdle(boolean on) {
        Options o = copy();
        o.excludeIdle = on;
        return o;
    }

    /**
     * {@code exclude_host}: count only in guests (KVM hosts)
     *
     * @param on whether to set it
     * @return the changed copy
     */
    public Options excludeHost(boolean on) {
        Options o = copy();
        o.excludeHost = on;
        return o;
    }

    /**
     * {@code exclude_guest}: do not count in guests (KVM hosts)
     *
     * @param on whether to set it
     * @return the changed copy
     */
    public Options excludeGuest(boolean on) {
        Options o = copy();
        o.excludeGuest = on;
        return o;
    }

    /**
     * {@code inherit}: also count the threads and processes the target creates <em>after</em> the counter
     *     is opened; a read includes their counts, live ones and those of children that have exited.
     *
     * @param on whether to set it
     * @return the changed copy
     */
    public Options inherit(boolean on) {
        Options o = copy();
        o.inherit = on;
        return o;
    }

    /**
     * {@code inherit_stat}: keep per-task counts of inherited tasks (sampling side)
     *
     * @param on whether to set it
     * @return the changed copy
     */
    public Options inheritStat(boolean on) {
        Options o = copy();
        o.inheritStat = on;
        return o;
    }

    /**
     * {@code inherit_thread} (Linux 5.13+): inherit only to threads ({@code CLONE_THREAD}), not to child
     *     processes; requires {@link #inherit}
     *
     * @param on whether to set it
     * @return the changed copy
     */
    public Options inheritThread(boolean on) {
        Options o = copy();
        o.inheritThread = on;
        return o;
    }

    /**
     * {@code pinned}: always on a counter, never multiplexed (a group leader only)
     *
     * @param on whether to set it
     * @return the changed copy
     */
    public Options pinned(boolean on) {
        Options o = copy();
        o.pinned = on;
        return o;
    }

    /**
     * {@code exclusive}: no other group shares the PMU while this one runs
     *
     * @param on whether to set it
     * @return the changed copy
     */
    public Options exclusive(boolean on) {
        Options o = copy();
        o.exclusive = on;
        return o;
    }

    /**
     * {@code enable_on_exec}: start counting when the target next calls {@code exec}. Counting a
     *     {@link ChildProcess} sets it for you.
     *
     * @param on whether to set it
     * @return the changed copy
     */
    public Options enableOnExec(boolean on) {
        Options o = copy();
        o.enableOnExec = on;
        return o;
    }

    /**
     * {@code remove_on_exec} (Linux 5.13+): the event goes away when a task it counts calls {@code exec}; with
     * {@link #inherit}, a child process stops being counted at its {@code exec}. The kernel refuses it together with
     * {@code enable_on_exec} (EINVAL), so not on a {@link ChildProcess}.
     *
     * @param on whether to set it
     * @return the changed copy
     */
    public Options removeOnExec(boolean on) {
        Options o = copy();
        o.removeOnExec = on;
        return o;
    }

    /**
     * {@code use_clockid} with this {@code clockid}: the POSIX clock of the time stamps of records (such as
     * {@code CLOCK_MONOTONIC_RAW} = 4); the kernel refuses a clock it does not support with EINVAL.
     *
     * @param clockId the clock id
     * @return the changed copy
     */
    public Options clockId(int clockId) {
        Options o = copy();
        o.useClockId = true;
        o.clockId = clockId;
        return o;
    }

    /**
     * {@code precise_ip}: how little skid the sampled instruction pointer may have, 0 (arbitrary) to 3 (none);
     * needs a PMU that supports it.
     *
     * @param level 0 to 3
     * @return the changed copy
     * @throws IllegalArgumentException outside 0..3
     */
    public Options preciseIp(int level) {
        if (level < 0 || level > 3) {
            throw new IllegalArgumentException("precise_ip is 0 to 3, not " + level);
        }
        Options o = copy();
        o.preciseIp = level;
        return o;
    }

    /**
     * {@code read_format}: what a read returns besides the value.
     *
     * @param formats the fields; may be empty
     * @return the changed copy
     */
    public Options readFormat(Set<ReadFormat> formats) {
        Options o = copy();
        o.readFormat = formats.isEmpty() ? Collections.emptySet()
                : Collections.unmodifiableSet(EnumSet.copyOf(formats));
        return o;
    }

    /** {@return the {@code read_format} selection} */
    public Set<ReadFormat> readFormat() {
        return readFormat;
    }

    /** Writes these options into {@code attr} (flags and fields; {@code read_format} is written by the opener). */
    void writeTo(MemorySegment attr) {
        perf_event_attr_bits.exclude_user(attr, bit(excludeUser));
        perf_event_attr_bits.exclude_kernel(attr, bit(excludeKernel));
        perf_event_attr_bits.exclude_hv(attr, bit(excludeHv));
        perf_event_attr_bits.exclude_idle(attr, bit(excludeIdle));
        perf_event_attr_bits.exclude_host(attr, bit(excludeHost));
        perf_event_attr_bits.exclude_guest(attr, bit(excludeGuest));
        perf_event_attr_bits.inherit(attr, bit(inherit));
        perf_event_attr_bits.inherit_stat(attr, bit(inheritStat));
        perf_event_attr_bits.inherit_thread(attr, bit(inheritThread));
        perf_event_attr_bits.pinned(attr, bit(pinned));
        perf_event_attr_bits.exclusive(attr, bit(exclusive));
        perf_event_attr_bits.enable_on_exec(attr, bit(enableOnExec));
        perf_event_attr_bits.remove_on_exec(attr, bit(removeOnExec));
        perf_event_attr_bits.precise_ip(attr, preciseIp);
        if (useClockId) {
            perf_event_attr_bits.use_clockid(attr, 1);
            perf_event_attr.clockid(attr, clockId);
        }
    }

    private static long bit(boolean on) {
        return on ? 1 : 0;
    }

    /**
     * {@return the options that differ from the defaults, then the read format, such as
     * {@code Options[excludeKernel, inherit, readFormat=[TOTAL_TIME_ENABLED, TOTAL_TIME_RUNNING]]}}
     */
    @Override
    public String toString() {
        StringJoiner set = new StringJoiner(", ", "Options[", "]");
        String[] names = {"excludeUser", "excludeKernel", "excludeHv", "excludeIdle", "excludeHost", "excludeGuest",
            "inherit", "inheritStat", "inheritThread", "pinned", "exclusive", "enableOnExec", "removeOnExec"};
        boolean[] values = {excludeUser, excludeKernel, excludeHv, excludeIdle, excludeHost, excludeGuest, inherit,
            inheritStat, inheritThread, pinned, exclusive, enableOnExec, removeOnExec};
        for (int i = 0; i < names.length; i++) {
            if (values[i]) {
                set.add(names[i]);
            }
        }
        if (useClockId) {
            set.add("clockId=" + clockId);
        }
        if (preciseIp != 0) {
            set.add("preciseIp=" + preciseIp);
        }
        set.add("readFormat=" + readFormat);
        return set.toString();
    }
}
