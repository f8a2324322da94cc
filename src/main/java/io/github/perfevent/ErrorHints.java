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
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_TRACEPOINT;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Syscalls;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.PaddingLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Turns a failed {@code perf_event_open} (or a failed call on a counter's fd) into a {@link PerfEventException} whose
 * hint fits the errno and the attr that was refused: what perf_event_open(2), ERRORS, says the errno means, narrowed
 * down with what this machine says at that moment ({@code /proc/sys/kernel/perf_event_paranoid}, the caller's uid,
 * capabilities and seccomp state in {@code /proc/thread-self/status}, the target's owner, the PMUs of sysfs, the
 * online CPUs, the cgroup2 mount, {@code getrlimit(RLIMIT_NOFILE)}).
 *
 * <p>Each hint states facts read here and names the fields, options or limits likely at fault. Reading those facts
 * never throws: what cannot be read is said to be unknown.
 */
final class ErrorHints {

    private static final Path PARANOID = Path.of("/proc/sys/kernel/perf_event_paranoid");
    private static final Path PMUS = Path.of("/sys/bus/event_source/devices");
    private static final Path THREAD_STATUS = Path.of("/proc/thread-self/status");
    private static final Path MOUNTS = Path.of("/proc/mounts");
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_PERFMON = 38;
    /** The clocks {@code perf_event_open} takes for {@code clockid}: REALTIME, MONOTONIC, MONOTONIC_RAW, BOOTTIME, TAI. */
    private static final Set<Integer> PERF_CLOCKS = Set.of(0, 1, 4, 7, 11);
    private static final List<String> CORE_PMUS = List.of("cpu", "cpu_core", "cpu_atom", "armv8_pmuv3",
            "armv8_pmuv3_0");

    private ErrorHints() {
    }

    /** The exception for {@code perf_event_open(attr, site...)} failing with {@code errno}. */
    static PerfEventException openFailed(int errno, MemorySegment attr, Event event, Target.Site site, int groupFd,
            long flags) {
        boolean cgroup = (flags & PERF_FLAG_PID_CGROUP()) != 0;
        String call = "perf_event_open(" + event.name() + (cgroup ? ", cgroup_fd=" : ", pid=") + site.pid() + ", cpu="
                + site.cpu() + ", group_fd=" + groupFd + ", flags=0x" + Long.toHexString(flags) + ") for "
                + site.label();
        return new PerfEventException(errno, call, hint(errno, attr, event, site, groupFd, flags));
    }

    /**
     * The exception for a {@code read} or an ioctl on {@code fd}, one of the fds a counter or group ({@code owner})
     * holds, failing with {@code errno}.
     */
    static PerfEventException fdFailed(int errno, String call, int fd, String owner) {
        String hint = switch (errno) {
            case Errno.EBADF -> "fd " + fd + " is not open: something closed it behind the " + owner + "'s back (the "
                    + owner + " owns its fds; never close them yourself)";
            case Errno.ENOTTY -> "fd " + fd + " is no longer a perf event: something closed it behind the " + owner
                    + "'s back and the number now belongs to another file";
            case Errno.ENOSPC -> "the read buffer is smaller than what the kernel writes for this read format";
            default -> "";
        };
        return new PerfEventException(errno, call, hint);
    }

    private static String hint(int errno, MemorySegment attr, Event event, Target.Site site, int groupFd,
            long flags) {
        boolean cgroup = (flags & PERF_FLAG_PID_CGROUP()) != 0;
        return switch (errno) {
            case Errno.EACCES, Errno.EPERM -> permission(errno, attr, site, cgroup);
            case Errno.ENOENT -> cgroup
                    ? "the directory is a cgroup of a hierarchy without the perf_event controller (a cgroup-v1 "
                            + "hierarchy of other controllers): use a directory under the cgroup2 mount ("
                            + (cgroup2Mount() == null ? "none in " + MOUNTS : cgroup2Mount()) + ")"
                    : notSupported(event);
            case Errno.E2BIG -> tooBig(attr);
            case Errno.EINVAL -> invalid(attr, site, groupFd);
            case Errno.ENOSPC -> perf_event_attr.type(attr) == PERF_TYPE_BREAKPOINT()
                    ? "every hardware breakpoint slot is taken: x86 has 4 debug registers, shared by the breakpoint "
                            + "events of a thread (of a CPU, for CPU-wide ones) and by debuggers; close another "
                            + "breakpoint counter first"
                    : "the PMU has no room for this event (too many events of a kind that cannot be multiplexed)";
            case Errno.EMFILE -> "this process has as many open files as RLIMIT_NOFILE allows (" + openFileLimit()
                    + "): close counters you no longer need, or raise the soft limit (ulimit -n; the JVM raises it "
                    + "to the hard limit at startup unless run with -XX:-MaxFDLimit); every thread or CPU a counter "
                    + "covers takes one fd per event";
            case Errno.ENFILE -> "the system-wide open-file limit (fs.file-max) is reached";
            case Errno.ESRCH -> site.pid() > 0 && !cgroup
                    ? "there is no task " + site.pid() + " (no /proc/" + site.pid() + "): it has exited or never "
                            + "existed; Target.tid takes a thread id, Target.process a process id"
                    : "no such task";
            case Errno.EBADF -> badFd(site, groupFd, cgroup);
            case Errno.ENODEV -> "the PMU cannot count this event for this target (for instance a CPU-only PMU on a "
                    + "task, or a feature this PMU lacks)" + (groupFd >= 0 ? "; or the group leader's task has exited "
                            + "(the kernel refuses new members of such a group with ENODEV)" : "")
                    + (site.cpu() >= 0 ? "; or cpu " + site.cpu() + " is offline" : "");
            case Errno.EOPNOTSUPP -> "this PMU does not support a requested feature (sampling, exclusion bits, "
                    + "branch stacks or an AUX area)";
            case Errno.EBUSY -> "another user has exclusive access to the PMU";
            case Errno.EOVERFLOW -> "sample_max_stack exceeds kernel.perf_event_max_stack";
            case Errno.EFAULT -> "the kernel could not read the attr or a string it points to";
            default -> "";
        };
    }

    /**
     * EACCES and EPERM: the paranoid level and what it forbids, which of its rules this call breaks, the caller's
     * capabilities, and whether a seccomp filter applies to the calling thread.
     */
    private static String permission(int errno, MemorySegment attr, Target.Site site, boolean cgroup) {
        Map<String, String> self = status(THREAD_STATUS);
        String seccomp = self.getOrDefault("Seccomp", "unknown");
        String filters = self.getOrDefault("Seccomp_filters", "unknown");
        boolean filtered = seccomp.equals("2");
        String level = paranoid();
        int levelNumber = parseInt(level, Integer.MIN_VALUE);
        StringBuilder s = new StringBuilder();
        if (errno == Errno.EPERM && filtered) {
            s.append("this thread runs under ").append(filters).append(" seccomp filter(s) (Seccomp: 2 in ")
                    .append(THREAD_STATUS).append("), and a filter that refuses perf_event_open answers EPERM before ")
                    .append("the kernel's own checks run, as container runtimes' default profiles do (Docker's): ")
                    .append("allow perf_event_open in the profile (docker run --security-opt seccomp=<profile>). ");
        }
        s.append("kernel.perf_event_paranoid is ").append(level).append(levelMeaning(levelNumber));
        List<String> broken = new ArrayList<>();
        if (perf_event_attr_bits.exclude_kernel(attr) == 0 && levelNumber >= 2) {
            broken.add("this event also counts in the kernel (exclude_kernel=0), which needs level 1 or lower: "
                    + "count user space only with Options.excludeKernel(true) (perf's :u modifier)"
                    + (Integer.compareUnsigned(perf_event_attr.type(attr), PERF_TYPE_MAX()) >= 0
                            ? ", unless this PMU cannot exclude anything, as msr cannot: then only privileges help"
                            : ""));
        }
        if ((site.pid() == -1 || cgroup) && levelNumber >= 1) {
            broken.add("counting a whole CPU (pid=-1" + (cgroup ? " or a cgroup" : "") + ", cpu=" + site.cpu()
                    + ") needs level 0 or lower");
        }
        String selfUid = firstField(self.get("Uid"));
        if (site.pid() > 0 && !cgroup) {
            String owner = firstField(status(Path.of("/proc", Integer.toString(site.pid()), "status")).get("Uid"));
            if (owner == null) {
                broken.add("the owner of task " + site.pid() + " is unknown (/proc/" + site.pid()
                        + "/status is unreadable)");
            } else if (!owner.equals(selfUid)) {
                broken.add("task " + site.pid() + " belongs to uid " + owner + " and this process runs as uid "
                        + selfUid + ": counting another user's task needs ptrace read access to it "
                        + "(CAP_SYS_PTRACE) or CAP_PERFMON");
            } else {
                broken.add("task " + site.pid() + " belongs to this uid (" + owner + "), yet ptrace read access to it "
                        + "may be refused: a non-dumpable task (a setuid program, prctl(PR_SET_DUMPABLE, 0)) or "
                        + "kernel.yama.ptrace_scope");
            }
        }
        if (!broken.isEmpty()) {
            s.append("; ").append(String.join("; ", broken));
        }
        s.append(". ");
        String capEff = self.get("CapEff");
        long caps = capEff == null ? 0 : parseHex(capEff);
        boolean perfmon = (caps & 1L << CAP_PERFMON) != 0;
        boolean admin = (caps & 1L << CAP_SYS_ADMIN) != 0;
        if (capEff == null) {
            s.append("This process's capabilities are unknown (").append(THREAD_STATUS).append(" is unreadable); ");
        } else if (perfmon || admin) {
            s.append("This process (uid ").append(selfUid).append(") has ")
                    .append(perfmon ? "CAP_PERFMON" : "CAP_SYS_ADMIN").append(" (CapEff ").append(capEff)
                    .append("), so the paranoid level is not what refused it: a security module (SELinux, AppArmor, ")
                    .append("lockdown) or a seccomp filter may have. ");
        } else {
            s.append("This process (uid ").append(selfUid).append(") has neither CAP_PERFMON nor CAP_SYS_ADMIN ")
                    .append("(CapEff ").append(capEff).append("); ");
        }
        if (!perfmon && !admin) {
            s.append("CAP_PERFMON (Linux 5.8+; setcap cap_perfmon+ep on the java binary, or --cap-add PERFMON for ")
                    .append("a container) or CAP_SYS_ADMIN lifts these limits, and so does a lower ")
                    .append("kernel.perf_event_paranoid (sysctl, as root). ");
        }
        if (!(errno == Errno.EPERM && filtered)) {
            if (filtered) {
                s.append("This thread runs under ").append(filters).append(" seccomp filter(s) (Seccomp: 2 in ")
                        .append(THREAD_STATUS).append("): a container's profile may refuse perf_event_open too.");
            } else if (seccomp.equals("0")) {
                s.append("No seccomp filter applies to this thread (Seccomp: 0 in ").append(THREAD_STATUS)
                        .append("), so it is not a container's seccomp profile, which refuses perf_event_open ")
                        .append("with EPERM.");
            } else {
                s.append("Whether a seccomp filter applies is unknown (Seccomp: ").append(seccomp).append(" in ")
                        .append(THREAD_STATUS).append("); a container's profile refuses perf_event_open with EPERM.");
            }
            if (errno == Errno.EPERM && !filtered) {
                s.append(" Without seccomp, EPERM comes from a check of the event itself, such as a breakpoint on a ")
                        .append("kernel address without CAP_SYS_ADMIN.");
            }
        }
        return s.toString().strip();
    }

    private static String levelMeaning(int level) {
        if (level == Integer.MIN_VALUE) {
            return "";
        }
        if (level < 0) {
            return " (below 0: no restriction for anyone)";
        }
        return switch (level) {
            case 0 -> " (0: without CAP_PERFMON a process may count whole CPUs and the kernel, but not read raw "
                    + "tracepoint data)";
            case 1 -> " (1: without CAP_PERFMON a process may count the kernel, but not whole CPUs)";
            case 2 -> " (2: without CAP_PERFMON a process may count only tasks it may ptrace, and only in user "
                    + "space: no kernel counting, no whole CPUs)";
            default -> " (" + level + ": above 2, Debian and Ubuntu kernels refuse perf_event_open entirely without "
                    + "CAP_PERFMON; upstream kernels treat it as 2)";
        };
    }

    /** ENOENT: the event's type or config is not on this machine, with the PMUs sysfs lists. */
    private static String notSupported(Event event) {
        int type = event.type();
        Map<Integer, String> pmus = pmuTypes();
        String listed = pmus.isEmpty() ? "none" : String.join(", ", pmus.entrySet().stream()
                .map(e -> e.getValue() + " (type " + e.getKey() + ")").toList());
        if (type == PERF_TYPE_HARDWARE() || type == PERF_TYPE_HW_CACHE() || type == PERF_TYPE_RAW()) {
            if (CORE_PMUS.stream().noneMatch(name -> Files.isDirectory(PMUS.resolve(name)))) {
                return "this machine exposes no hardware PMU: " + PMUS + " has no " + String.join(" or ", CORE_PMUS)
                        + " directory, only " + listed + ", as in most virtual machines, whose hypervisor does not "
                        + "pass the PMU through; hardware, cache and raw events cannot be counted here, software "
                        + "events (task-clock, page-faults...) can";
            }
            return "the hardware PMU does not have this event (" + event.name() + ", config 0x"
                    + Long.toHexString(event.config()) + ")";
        }
        String name = pmus.get(type);
        if (name == null) {
            return "no PMU listed in " + PMUS + " has type " + Integer.toUnsignedString(type) + " (listed: " + listed
                    + "; the kernel also has unlisted ones of its own): the PMU is not on this machine; a dynamic "
                    + "PMU's type differs between machines and boots, so read it from " + PMUS + "/<pmu>/type";
        }
        Path events = PMUS.resolve(name).resolve("events");
        return "the " + name + " PMU (type " + type + ") has no event with config 0x" + Long.toHexString(event.config())
                + (Files.isDirectory(events) ? "; its named events are in " + events : "");
    }

    /** The PMUs of sysfs: type → directory name, by type. */
    private static Map<Integer, String> pmuTypes() {
        Map<Integer, String> types = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(PMUS)) {
            for (Path dir : dirs.toList()) {
                try (BufferedReader reader = Files.newBufferedReader(dir.resolve("type"))) {
                    int type = parseInt(String.valueOf(reader.readLine()).trim(), -1);
                    if (type >= 0) {
                        types.put(type, dir.getFileName().toString());
                    }
                } catch (IOException e) {
                    // a PMU without a readable type is left out
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // no sysfs: none listed
        }
        return types;
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

    /** EINVAL: the attr fields and pid/cpu/group arguments that this attr and site make likely culprits. */
    private static String invalid(MemorySegment attr, Target.Site site, int groupFd) {
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
                suspects.add("an execute breakpoint needs bp_len " + Long.BYTES + ", not " + length);
            }
            if (address < 0 && perf_event_attr_bits.exclude_kernel(attr) != 0) {
                suspects.add("bp_addr 0x" + Long.toHexString(address) + " is a kernel address, and exclude_kernel "
                        + "is set");
            }
        }
        if (type == PERF_TYPE_TRACEPOINT()) {
            suspects.add("config " + perf_event_attr.config(attr) + " may not be a tracepoint id (an unknown id gives "
                    + "EINVAL; ids are in tracefs, events/<subsystem>/<name>/id)");
        }
        if (Integer.compareUnsigned(type, PERF_TYPE_MAX()) >= 0) {
            List<String> excluded = excludeBits(attr);
            if (!excluded.isEmpty()) {
                String pmu = pmuTypes().getOrDefault(type, "type " + Integer.toUnsignedString(type));
                suspects.add(String.join(", ", excluded) + ": the " + pmu + " PMU may count every mode or none "
                        + "(msr and most uncore PMUs refuse any exclude_* bit)");
            }
        }
        if (site.cpu() >= 0) {
            List<Integer> online = onlineCpus();
            if (online != null && !online.contains(site.cpu())) {
                suspects.add("cpu " + site.cpu() + " is not online (online: " + online + ")");
            }
        }
        if (perf_event_attr_bits.use_clockid(attr) != 0 && !PERF_CLOCKS.contains(perf_event_attr.clockid(attr))) {
            suspects.add("clockid " + perf_event_attr.clockid(attr) + " (the kernel takes CLOCK_REALTIME 0, "
                    + "CLOCK_MONOTONIC 1, CLOCK_MONOTONIC_RAW 4, CLOCK_BOOTTIME 7 and CLOCK_TAI 11)");
        }
        if (perf_event_attr_bits.inherit_thread(attr) != 0 && perf_event_attr_bits.inherit(attr) == 0) {
            suspects.add("inherit_thread without inherit");
        }
        if (perf_event_attr_bits.remove_on_exec(attr) != 0 && perf_event_attr_bits.enable_on_exec(attr) != 0) {
            suspects.add("remove_on_exec with enable_on_exec (a ChildProcess target sets enable_on_exec: the event "
                    + "would be removed by the exec that enables it)");
        }
        if (groupFd >= 0 && (perf_event_attr_bits.pinned(attr) != 0 || perf_event_attr_bits.exclusive(attr) != 0)) {
            suspects.add("pinned/exclusive on a group member (allowed on a group leader only)");
        }
        if (site.pid() == -1 && site.cpu() == -1) {
            suspects.add("pid -1 with cpu -1 (every task on every CPU is not a valid target)");
        }
        if (perf_event_attr_bits.precise_ip(attr) != 0) {
            suspects.add("precise_ip " + perf_event_attr_bits.precise_ip(attr) + " (the PMU may not support it)");
        }
        if (perf_event_attr_bits.exclude_host(attr) != 0 || perf_event_attr_bits.exclude_guest(attr) != 0) {
            suspects.add("exclude_host/exclude_guest (only some PMUs support them)");
        }
        return suspects.isEmpty()
                ? "the kernel refused a field of perf_event_attr or the pid/cpu/group combination for this event"
                : "the kernel refused a field of perf_event_attr; likely: " + String.join("; ", suspects);
    }

    private static List<String> excludeBits(MemorySegment attr) {
        Map<String, Long> bits = new LinkedHashMap<>();
        bits.put("exclude_user", perf_event_attr_bits.exclude_user(attr));
        bits.put("exclude_kernel", perf_event_attr_bits.exclude_kernel(attr));
        bits.put("exclude_hv", perf_event_attr_bits.exclude_hv(attr));
        bits.put("exclude_idle", perf_event_attr_bits.exclude_idle(attr));
        bits.put("exclude_host", perf_event_attr_bits.exclude_host(attr));
        bits.put("exclude_guest", perf_event_attr_bits.exclude_guest(attr));
        return bits.entrySet().stream().filter(e -> e.getValue() != 0).map(Map.Entry::getKey).toList();
    }

    private static List<Integer> onlineCpus() {
        try {
            return Target.onlineCpus();
        } catch (UncheckedIOException | NumberFormatException e) {
            return null;
        }
    }

    /** EBADF: a cgroup fd that is not a cgroup-v2 directory, or a group fd that is not open. */
    private static String badFd(Target.Site site, int groupFd, boolean cgroup) {
        if (cgroup) {
            String path;
            try {
                path = Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(site.pid()))).toString();
            } catch (IOException e) {
                path = "an unknown file";
            }
            String mount = cgroup2Mount();
            return "cgroup_fd=" + site.pid() + " is the fd of " + path + ", which is not a cgroup-v2 directory: with "
                    + "PERF_FLAG_PID_CGROUP the kernel takes only a directory of the cgroup2 hierarchy ("
                    + (mount == null ? "no cgroup2 is mounted (/proc/mounts)" : "mounted at " + mount + " here, from "
                            + MOUNTS) + ")";
        }
        if (groupFd >= 0) {
            return "group_fd " + groupFd + " is not an open perf event fd: was the group closed?";
        }
        return "a descriptor passed to perf_event_open is not open";
    }

    /** The mount point of cgroup2 in {@code /proc/mounts}, or null. */
    static String cgroup2Mount() {
        try (BufferedReader reader = Files.newBufferedReader(MOUNTS)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String[] fields = line.split(" ");
                if (fields.length > 2 && fields[2].equals("cgroup2")) {
                    return fields[1];
                }
            }
        } catch (IOException e) {
            // unknown
        }
        return null;
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

    /**
     * The soft and hard {@code RLIMIT_NOFILE}, from {@code getrlimit(2)}: after EMFILE no fd is free, so the limits
     * cannot be read from {@code /proc/self/limits}.
     */
    private static String openFileLimit() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlimit = arena.allocate(Syscalls.RLIMIT);
            if (Syscalls.getrlimit(Syscalls.RLIMIT_NOFILE, rlimit) != 0) {
                return "limit unknown";
            }
            return "soft limit " + limit(rlimit.get(JAVA_LONG, 0)) + ", hard limit " + limit(rlimit.get(JAVA_LONG, 8));
        }
    }

    /** {@code RLIM_INFINITY} is all ones. */
    private static String limit(long value) {
        return value == -1 ? "unlimited" : Long.toUnsignedString(value);
    }

    /** The "Key:\tvalue" lines of a {@code /proc/.../status} file; empty if it cannot be read. */
    private static Map<String, String> status(Path file) {
        Map<String, String> fields = new LinkedHashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
                }
            }
        } catch (IOException e) {
            // empty: every fact from it is then unknown
        }
        return fields;
    }

    private static String firstField(String value) {
        return value == null ? null : value.split("\\s+")[0];
    }

    private static int parseInt(String text, int otherwise) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static long parseHex(String text) {
        try {
            return Long.parseUnsignedLong(text.trim(), 16);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
