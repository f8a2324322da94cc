/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import io.github.perfevent.sys.Errno;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Tracepoints as tracefs describes them: {@code <tracefs>/events/<subsystem>/<name>/id} is the {@code config} of a
 * {@code PERF_TYPE_TRACEPOINT} event (perf_event_open(2), "type"). tracefs is found in {@code /proc/mounts} (a
 * {@code tracefs} mount, or {@code tracing/} under a {@code debugfs} mount); this library never mounts it.
 */
final class Tracing {

    private static final Path MOUNTS = Path.of("/proc/mounts");
    private static final Pattern RELEASE = Pattern.compile("(\\d+)\\.(\\d+)\\b.*");

    private Tracing() {
    }

    /** The tracefs directory, if one is mounted. */
    static Optional<Path> root() {
        List<String> lines;
        try {
            lines = Files.readAllLines(MOUNTS); // a reader: sizes of /proc files are 0, reads must go to EOF
        } catch (IOException e) {
            return Optional.empty();
        }
        return root(lines, System.getProperty("os.version"));
    }

    /**
     * The tracefs directory that the lines of {@code /proc/mounts} name: the first {@code tracefs} mount; else, on a
     * kernel before 4.1 (where tracing was a plain directory of debugfs), the {@code tracing} directory of a
     * {@code debugfs} mount. From 4.1 on, {@code <debugfs>/tracing} is an <em>automount point</em>: looking into it
     * mounts tracefs there (seen on 6.18), and this library never mounts tracefs, so it does not look.
     *
     * @param mounts the lines of /proc/mounts
     * @param kernelRelease the kernel's release, such as {@code 6.18.44} (the {@code os.version} property)
     */
    static Optional<Path> root(List<String> mounts, String kernelRelease) {
        Path debugfs = null;
        for (String line : mounts) {
            String[] f = line.split(" ");
            if (f.length < 3) {
                continue;
            }
            Path mountPoint = Path.of(unescape(f[1]));
            if (f[2].equals("tracefs")) {
                return Optional.of(mountPoint);
            }
            if (f[2].equals("debugfs") && debugfs == null) {
                debugfs = mountPoint.resolve("tracing");
            }
        }
        return debugfs != null && !tracingIsAutomounted(kernelRelease) && Files.isDirectory(debugfs.resolve("events"))
                ? Optional.of(debugfs) : Optional.empty();
    }

    /** Whether {@code <debugfs>/tracing} is an automount of tracefs: from Linux 4.1 (or when the release is unknown). */
    static boolean tracingIsAutomounted(String kernelRelease) {
        Matcher m = RELEASE.matcher(kernelRelease == null ? "" : kernelRelease);
        if (!m.matches()) {
            return true;
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        return major > 4 || major == 4 && minor >= 1;
    }

    /** Whether tracefs is mounted, readable and has a subsystem directory {@code events/<subsystem>}. */
    static boolean hasSubsystem(String subsystem, NameSources sources) {
        if (subsystem.isEmpty() || subsystem.contains("/") || subsystem.contains("\0")) {
            return false;
        }
        try {
            return sources.tracefs().map(r -> Files.isDirectory(r.resolve("events").resolve(subsystem))).orElse(false);
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** /proc/mounts writes a space as \040 (and tab, newline, backslash likewise). */
    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    /** Why tracepoints cannot be read here, or empty when they can. */
    static Optional<String> problem() {
        return problem(root());
    }

    /** Why the tracepoints of the tracefs at {@code root} (empty: not mounted) cannot be read, or empty. */
    static Optional<String> problem(Optional<Path> root) {
        if (root.isEmpty()) {
            return Optional.of(notMounted());
        }
        Path events = root.get().resolve("events");
        if (!Files.isReadable(events) || !Files.isExecutable(events)) {
            return Optional.of(notReadable(events));
        }
        return Optional.empty();
    }

    private static String notMounted() {
        return "tracefs is not mounted (some systems do not mount it at boot): as root, "
                + "mount -t tracefs nodev /sys/kernel/tracing";
    }

    private static String notReadable(Path events) {
        return events + " is not readable by this user (tracefs is usually root-only): run as root, or have an "
                + "administrator remount tracefs with a group or mode that lets you read it";
    }

    /**
     * The id of tracepoint {@code subsystem:name}, read from {@code events/<subsystem>/<name>/id}.
     *
     * @param sources where tracefs is and what it lists, read at most once for this lookup
     * @throws EventNameException for a part that is not a plain word (empty, {@code .}, {@code ..}, a {@code /}, a
     *     wildcard or a NUL), or a tracepoint that the mounted tracefs does not have (with the nearest names)
     * @throws PerfEventException ENOENT when tracefs is not mounted, EACCES when it is not readable, or the errno of
     *     another failed read of the id file
     */
    static long tracepointId(String subsystem, String name, NameSources sources) {
        String tracepoint = subsystem + ":" + name;
        String call = "find tracepoint " + EventNameException.shown(tracepoint);
        int position = 0;
        for (String part : new String[] {subsystem, name}) {
            if (part.isEmpty() || part.equals("..") || part.equals(".") || part.chars().anyMatch(c -> c == '/'
                    || c == '*' || c == '?' || c == '[' || c == '\0')) {
                throw new EventNameException("tracepoint", tracepoint, position, "a tracepoint is written "
                        + "subsystem:name, each a plain word (no '/', no wildcards, no NUL), such as sched:sched_switch",
                        List.of());
            }
            position += part.length() + 1;
        }
        Path root = sources.tracefs().orElseThrow(() -> new PerfEventException(Errno.ENOENT, call, notMounted()));
        Path events = root.resolve("events");
        Path id;
        try {
            id = events.resolve(subsystem).resolve(name).resolve("id");
        } catch (InvalidPathException e) { // a character the file system's encoding cannot write: no such file
            throw noSuchTracepoint(tracepoint, "no file of tracefs can be named so (" + e.getReason() + ")", sources);
        }
        String line;
        try (BufferedReader reader = Files.newBufferedReader(id)) {
            line = reader.readLine();
        } catch (IOException e) {
            // open(2) got as far as the missing part: every directory before it was searchable, so the answer is real.
            int errno = PerfEventException.errnoOf(e);
            if (errno == Errno.EACCES) {
                throw new PerfEventException(Errno.EACCES, call, notReadable(events));
            }
            if (errno == Errno.ENOENT || errno == Errno.ENOTDIR || errno == Errno.ENAMETOOLONG) {
                // events/sched/enable is a file (ENOTDIR); a name over 255 bytes cannot exist (ENAMETOOLONG)
                throw noSuchTracepoint(tracepoint, "there is no "
                        + EventNameException.shown(events.resolve(subsystem).resolve(name) + "/id"), sources);
            }
            throw PerfEventException.ofFileAccess(call, e, "cannot read " + id);
        }
        try {
            return Long.parseLong(line.strip());
        } catch (NullPointerException | NumberFormatException e) {
            throw new UnsupportedOperationException(id + " holds '" + line + "', not the id tracefs writes");
        }
    }

    private static EventNameException noSuchTracepoint(String tracepoint, String why, NameSources sources) {
        List<String> near = Suggestions.nearest(tracepoint, tracepoint.length() > Suggestions.MAX_LENGTH ? List.of()
                : sources.tracepoints());
        return new EventNameException("tracepoint", tracepoint, 0, "no such tracepoint in tracefs: " + why + "."
                + Suggestions.didYouMean(near), near);
    }

    /** Every tracepoint, as {@code subsystem:name}, sorted; empty when tracefs cannot be read. */
    static List<String> tracepoints() {
        return root().map(Tracing::tracepoints).orElse(List.of());
    }

    /** Every tracepoint of the tracefs at {@code root}, as {@code subsystem:name}, sorted; empty when unreadable. */
    static List<String> tracepoints(Path root) {
        List<String> names = new ArrayList<>();
        try (Stream<Path> subsystems = Files.list(root.resolve("events"))) {
            for (Path subsystem : subsystems.filter(Files::isDirectory).toList()) {
                try (Stream<Path> events = Files.list(subsystem)) {
                    events.filter(e -> Files.isRegularFile(e.resolve("id")))
                            .forEach(e -> names.add(subsystem.getFileName() + ":" + e.getFileName()));
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        names.sort(null);
        return names;
    }
}
