/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import io.github.perfevent.sys.Errno;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

    /** Whether tracefs is readable and has a subsystem directory {@code events/<subsystem>}. */
    static boolean hasSubsystem(String subsystem) {
        return !subsystem.isEmpty() && !subsystem.contains("/")
                && root().map(r -> Files.isDirectory(r.resolve("events").resolve(subsystem))).orElse(false);
    }

    /** /proc/mounts writes a space as \040 (and tab, newline, backslash likewise). */
    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    /** Why tracepoints cannot be read here, or empty when they can. */
    static Optional<String> problem() {
        Optional<Path> root = root();
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
     * The id of tracepoint {@code subsystem:name}.
     *
     * @throws PerfEventException ENOENT when tracefs is not mounted or the tracepoint does not exist (with the
     *     nearest names), EACCES when tracefs is not readable, EINVAL for a name that is not a plain word
     */
    static long tracepointId(String subsystem, String name) {
        String call = "find tracepoint " + subsystem + ":" + name;
        for (String part : new String[] {subsystem, name}) {
            if (part.isEmpty() || part.contains("/") || part.equals("..") || part.equals(".") || part.contains("*")) {
                throw new PerfEventException(Errno.EINVAL, call, "a tracepoint is written subsystem:name, each a plain "
                        + "word (no '/', no wildcards), such as sched:sched_switch");
            }
        }
        Path root = root().orElseThrow(() -> new PerfEventException(Errno.ENOENT, call, notMounted()));
        Path events = root.resolve("events");
        Path id = events.resolve(subsystem).resolve(name).resolve("id");
        try (BufferedReader reader = Files.newBufferedReader(id)) {
            return Long.parseLong(reader.readLine().strip());
        } catch (AccessDeniedException e) {
            throw new PerfEventException(Errno.EACCES, call, notReadable(events));
        } catch (NoSuchFileException e) {
            if (!Files.isReadable(events) || !Files.isExecutable(events)) {
                throw new PerfEventException(Errno.EACCES, call, notReadable(events));
            }
            throw new PerfEventException(Errno.ENOENT, call, "there is no " + id + "."
                    + Suggestions.didYouMean(subsystem + ":" + name, tracepoints()));
        } catch (IOException | RuntimeException e) {
            throw new PerfEventException(Errno.EIO, call, "cannot read " + id + ": " + e);
        }
    }

    /** Every tracepoint, as {@code subsystem:name}, sorted; empty when tracefs cannot be read. */
    static List<String> tracepoints() {
        Optional<Path> root = root();
        if (root.isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> subsystems = Files.list(root.get().resolve("events"))) {
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
