/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FLAG_PID_CGROUP;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_BREAKPOINT;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_HARDWARE;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_HW_CACHE;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_MAX;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_RAW;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Syscalls;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.PaddingLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Turns a failed {@code perf_event_open} into a {@link PerfEventException} whose hint fits the errno and the attr
 * that was refused: what perf_event_open(2), ERRORS, says the errno means, narrowed down with what this machine says
 * ({@code /proc/sys/kernel/perf_event_paranoid}, sysfs PMUs, {@code getrlimit(RLIMIT_NOFILE)}).
 */
final class ErrorHints {

    private static final Path PARANOID = Path.of("/proc/sys/kernel/perf_event_paranoid");

    private ErrorHints() {
    }

    /** The exception for {@code perf_event_open(attr, site...)} failing with {@code errno}. */
    static PerfEventException openFailed(int errno, MemorySegment attr, Event event, Target.Site site, int groupFd,
            long flags) {
        boolean cgroup = (flags & PERF_FLAG_PID_CGROUP()) != 0;
        String call = "perf_event_open(" + event.name() + (cgroup ? ", cgroup_fd=" : ", pid=") + site.pid() + ", cpu="
                + site.cpu() + ", group_fd=" + groupFd + ", flags=0x" + Long.toHexString(flags) + ") for "
                + site.label();
        return new PerfEventException(errno, call, hint(errno, attr, event, site, cgroup));
    }

    private static String hint(int errno, MemorySegment attr, Event event, Target.Site site, boolean cgroup) {
        return switch (errno) {
            case Errno.EACCES, Errno.EPERM -> permission(errno, attr, site, cgroup);
            case Errno.ENOENT -> notSupported(event);
            case Errno.E2BIG -> tooBig(attr);
            case Errno.EINVAL -> invalid(attr, site);
            case Errno.ENOSPC -> perf_event_attr.type(attr) == PERF_TYPE_BREAKPOINT()
                    ? "every hardware breakpoint slot is in use (x86 has 4 debug registers per thread, shared with "
                            + "debuggers): close another breakpoint counter first"
                    : "the PMU has no room for this event (too many events of a kind that cannot be multiplexed)";
            case Errno.EMFILE -> "this process has as many open files as its limit allows (" + openFileLimit() + "): "
                    + "close counters you no longer need, or raise the limit (ulimit -n); every thread or CPU a "
                    + "counter covers takes one fd per event";
            case Errno.ENFILE -> "the system-wide open-file limit (fs.file-max) is reached";
            case Errno.ESRCH -> site.pid() > 0
                    ? "there is no task " + site.pid() + " (it may have exited)"
                    : "no such task";
            case Errno.EBADF -> cgroup
                    ? "the directory is not a cgroup-v2 directory: give a directory under the cgroup2 mount of "
                            + "/proc/mounts (a cgroup-v1 or ordinary directory is refused)"
                    : "the group leader's fd is not an open perf event";
            case Errno.ENODEV -> "the PMU cannot count this event for this target (for instance a CPU-only PMU on a "
                    + "task, or a feature this PMU lacks)";
            case Errno.EOPNOTSUPP -> "this PMU does not support a requested feature (sampling, exclusion bits, "
                    + "branch stacks or an AUX area)";
            case Errno.EBUSY -> "another user has exclusive access to the PMU";
            case Errno.EOVERFLOW -> "sample_max_stack exceeds kernel.perf_event_max_stack";
            case Errno.EFAULT -> "the kernel could not read the attr or a string it points to";
            default -> "";
        };
    }

    private static String permission(int errno, MemorySegment attr, Target.Site site, boolean cgroup) {
        String level = paranoid();
        List<String> needs = new ArrayList<>();
        if (site.pid() == -1 || cgroup) {
            needs.add(cgroup ? "counting a cgroup is counting whole CPUs, which needs level <= 0"
                    : "counting a whole CPU needs level <= 0");
        }
        if (perf_event_attr_bits.exclude_kernel(attr) == 0) {
            needs.add("this event also counts in the kernel, which needs level <= 1: exclude it with "
                    + "Options.excludeKernel(true) or the :u modifier"
                    + (perf_event_attr.type(attr) >= PERF_TYPE_MAX()
                            ? " (unless this PMU cannot exclude anything, as msr cannot: then only privileges help)"
                            : ""));
        }
        if (site.pid() > 0 && !cgroup) {
            needs.add("if task " + site.pid() + " belongs to another user, counting it also needs ptrace access "
                    + "(the same uid, or CAP_SYS_PTRACE)");
        }
        StringBuilder s = new StringBuilder("kernel.perf_event_paranoid is ").append(level)
                .append(" (-1: no restriction; 0: no raw tracepoint data; 1: also no CPU-wide events; 2: also no "
                        + "kernel counting; 3 or more, on some distributions: no perf_event_open without "
                        + "privileges)");
        if (!needs.isEmpty()) {
            s.append("; ").append(String.join("; ", needs));
        }
        s.append(". CAP_PERFMON (Linux 5.8+) or CAP_SYS_ADMIN lifts these limits; so does a lower "
                + "kernel.perf_event_paranoid (sysctl).");
        if (errno == Errno.EPERM) {
            s.append(" In a container, the seccomp profile may refuse perf_event_open itself with EPERM (Docker's "
                    + "default does): run with a profile that allows it.");
        } else {
            s.append(" In a container, a seccomp profile can also refuse the call.");
        }
        return s.toString();
    }

    private static String notSupported(Event event) {
        int type = event.type();
        if (type == PERF_TYPE_HARDWARE() || type == PERF_TYPE_HW_CACHE() || type == PERF_TYPE_RAW()) {
            if (!EventCatalog.hasHardwarePmu()) {
                return "this machine exposes no hardware PMU (no cpu PMU in " + Pmu.DEVICES + "), as in most virtual "
                        + "machines: hardware, cache and raw events cannot be counted here; software events "
                        + "(task-clock, page-faults...) can";
            }
            return "the hardware PMU does not have this event (" + event.name() + ")";
        }
        return "the kernel has no event " + event.name() + " (type " + Integer.toUnsignedString(type) + ", config 0x"
                + Long.toHexString(event.config()) + "): the PMU or the event is not on this machine; list the "
                + "available events with EventCatalog";
    }

    private static String tooBig(MemorySegment attr) {
        long kernelSize = Integer.toUnsignedLong(perf_event_attr.size(attr));
        long ourSize = perf_event_attr.sizeof();
        List<String> beyond = fieldsSetFrom(attr, kernelSize);
        return "this kernel's struct perf_event_attr is " + kernelSize + " bytes (it wrote that size back) and this "
                + "library's is " + ourSize + " (Linux 7.2 headers); "
                + (beyond.isEmpty()
                        ? "no field beyond " + kernelSize + " is set, so the size itself was refused"
                        : "fields set beyond byte " + kernelSize + ": " + String.join(", ", beyond)
                                + ": options this kernel does not know yet; leave them 0 or use a newer kernel");
    }

    /** The names of the attr members with a non-zero byte at or beyond {@code from}. */
    static List<String> fieldsSetFrom(MemorySegment attr, long from) {
        List<String> names = new ArrayList<>();
        long offset = 0;
        for (MemoryLayout member : perf_event_attr.layout().memberLayouts()) {
            long end = offset + member.byteSize();
            if (end > from && !(member instanceof PaddingLayout)) {
                boolean set = false;
                for (long i = Math.max(offset, from); i < end && i < attr.byteSize(); i++) {
                    set |= attr.get(JAVA_BYTE, i) != 0;
                }
                if (set) {
                    names.add(name(member) + " (offset " + offset + ")");
                }
            }
            offset = end;
        }
        return names;
    }

    private static String name(MemoryLayout member) {
        if (member.name().isPresent() && !member.name().get().startsWith("$")) {
            return member.name().get();
        }
        if (member instanceof GroupLayout group) {
            StringJoiner names = new StringJoiner("/");
            group.memberLayouts().forEach(m -> m.name().ifPresent(names::add));
            return names.toString();
        }
        return "(bits)";
    }

    private static String invalid(MemorySegment attr, Target.Site site) {
        List<String> suspects = new ArrayList<>();
        int type = perf_event_attr.type(attr);
        if (type == PERF_TYPE_BREAKPOINT()) {
            int bpType = perf_event_attr.bp_type(attr);
            long length = perf_event_attr.bp_len(attr);
            long address = perf_event_attr.bp_addr(attr);
            if (bpType == Event.Access.R.bpType()) {
                suspects.add("bp_type R: x86 cannot watch reads alone, use RW");
            }
            if (length != 0 && address % length != 0) {
                suspects.add("bp_addr 0x" + Long.toHexString(address) + " is not aligned to bp_len " + length);
            }
            if (bpType == Event.Access.X.bpType() && length != Long.BYTES) {
                suspects.add("an execute breakpoint needs bp_len " + Long.BYTES);
            }
        }
        if (perf_event_attr_bits.precise_ip(attr) != 0) {
            suspects.add("precise_ip " + perf_event_attr_bits.precise_ip(attr) + " (the PMU may not support it)");
        }
        if (perf_event_attr_bits.use_clockid(attr) != 0) {
            suspects.add("clockid " + perf_event_attr.clockid(attr) + " (the kernel takes CLOCK_MONOTONIC, "
                    + "CLOCK_MONOTONIC_RAW, CLOCK_REALTIME, CLOCK_BOOTTIME and CLOCK_TAI)");
        }
        if (perf_event_attr_bits.inherit_thread(attr) != 0 && perf_event_attr_bits.inherit(attr) == 0) {
            suspects.add("inherit_thread without inherit");
        }
        if (perf_event_attr_bits.remove_on_exec(attr) != 0 && perf_event_attr_bits.enable_on_exec(attr) != 0) {
            suspects.add("enable_on_exec with remove_on_exec (the kernel refuses the pair; a ChildProcess target "
                    + "sets enable_on_exec)");
        }
        if (perf_event_attr_bits.pinned(attr) != 0 || perf_event_attr_bits.exclusive(attr) != 0) {
            suspects.add("pinned/exclusive (allowed on a group leader only)");
        }
        if (site.pid() == -1 && site.cpu() == -1) {
            suspects.add("pid -1 with cpu -1 (every task on every CPU is not a valid target)");
        }
        if (perf_event_attr_bits.exclude_user(attr) != 0 || perf_event_attr_bits.exclude_kernel(attr) != 0
                || perf_event_attr_bits.exclude_hv(attr) != 0 || perf_event_attr_bits.exclude_idle(attr) != 0
                || perf_event_attr_bits.exclude_host(attr) != 0 || perf_event_attr_bits.exclude_guest(attr) != 0) {
            suspects.add("the exclude_* bits (some PMUs cannot exclude anything and refuse them: msr is one; "
                    + "exclude_host/exclude_guest need virtualization support)");
        }
        return suspects.isEmpty()
                ? "the kernel refused a field of perf_event_attr or the pid/cpu/group combination for this event"
                : "the kernel refused a field of perf_event_attr; likely: " + String.join("; ", suspects);
    }

    /** The paranoid level, or why it could not be read. */
    static String paranoid() {
        try (BufferedReader reader = Files.newBufferedReader(PARANOID)) {
            String line = reader.readLine();
            if (line != null) {
                return line.trim();
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown (" + PARANOID + " is unreadable)";
    }

    private static String openFileLimit() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment limit = arena.allocate(Syscalls.RLIMIT);
            if (Syscalls.getrlimit(Syscalls.RLIMIT_NOFILE, limit) != 0) {
                return "limit unknown";
            }
            return "soft limit " + limitText(limit.get(JAVA_LONG, 0)) + ", hard limit "
                    + limitText(limit.get(JAVA_LONG, Long.BYTES));
        }
    }

    private static String limitText(long limit) {
        return limit == -1 ? "unlimited" : Long.toUnsignedString(limit);
    }
}
