package io.github.perfevent.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Test support: tracefs at {@code /sys/kernel/tracing}, mounted for the tests only when it is not mounted already,
 * and unmounted by {@link #release()} only if this class mounted it. Tracepoint ids come from
 * {@code events/<system>/<name>/id}.
 */
public final class Tracefs {

    public static final Path ROOT = Path.of("/sys/kernel/tracing");

    private final boolean mountedHere;

    private Tracefs(boolean mountedHere) {
        this.mountedHere = mountedHere;
    }

    /** Makes tracefs available, mounting it if needed; skips the calling tests (with the reason) if it cannot. */
    public static Tracefs acquire() throws IOException, InterruptedException {
        if (isMounted()) {
            return new Tracefs(false);
        }
        Assumptions.assumeTrue(Files.isDirectory(ROOT),
                "this host has no " + ROOT + " directory (kernel built without tracefs?)");
        Assumptions.assumeTrue(isRoot(), "tracefs is not mounted at " + ROOT + " and mounting it needs root (running as "
                + System.getProperty("user.name") + ")");
        Process mount = new ProcessBuilder("mount", "-t", "tracefs", "nodev", ROOT.toString())
                .redirectErrorStream(true).start();
        String out = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0,
                "could not mount tracefs at " + ROOT + ": " + out.strip());
        return new Tracefs(true);
    }

    /** Whether the effective uid is 0, from /proc/self/status ("Uid: real effective saved fs"). */
    public static boolean isRoot() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("Uid:"))
                .map(line -> line.split("\\s+"))
                .anyMatch(f -> f.length > 2 && f[2].equals("0"));
    }

    /** Whether /proc/mounts lists a tracefs at {@link #ROOT}. */
    public static boolean isMounted() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/mounts"));
        return lines.stream().map(line -> line.split(" "))
                .anyMatch(f -> f.length > 2 && f[1].equals(ROOT.toString()) && f[2].equals("tracefs"));
    }

    /** The id of tracepoint {@code system:name}; skips the calling test (with the reason) if it does not exist. */
    public long eventId(String system, String name) throws IOException {
        Path id = ROOT.resolve("events").resolve(system).resolve(name).resolve("id");
        Assumptions.assumeTrue(Files.isReadable(id),
                "this kernel has no tracepoint " + system + ":" + name + " (" + id + " is missing)");
        return Long.parseLong(Files.readString(id).strip());
    }

    /** Unmounts tracefs if {@link #acquire()} mounted it; leaves a mount that was already there. */
    public void release() throws IOException, InterruptedException {
        if (!mountedHere) {
            return;
        }
        Process umount = new ProcessBuilder("umount", ROOT.toString()).redirectErrorStream(true).start();
        String out = new String(umount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!umount.waitFor(30, TimeUnit.SECONDS) || umount.exitValue() != 0) {
            throw new AssertionError("could not unmount the tracefs this test mounted at " + ROOT + ": " + out.strip());
        }
    }
}
