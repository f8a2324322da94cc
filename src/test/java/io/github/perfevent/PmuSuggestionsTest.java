package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unknown PMU: the nearest one suggested, then every PMU of sysfs listed nearest first. A named event that leaves
 * a field to the user ({@code field=?} in sysfs).
 */
class PmuSuggestionsTest {

    @Test
    void anUnknownPmuListsEveryPmuNearestFirst(@TempDir Path sysfs) throws IOException {
        for (String name : List.of("breakpoint", "msr", "uprobe")) {
            Files.writeString(Files.createDirectories(sysfs.resolve(name)).resolve("type"), "5\n");
        }
        PerfEventException e = assertThrows(PerfEventException.class, () -> Pmu.named(sysfs, "uprob"));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.hint().endsWith("Did you mean uprobe? PMUs here: uprobe, msr, breakpoint (nearest first)"),
                e.hint());
    }

    @Test
    void onThisMachineTheListIsWhatSysfsHolds() throws IOException {
        List<String> dirs;
        try (Stream<Path> entries = Files.list(Pmu.DEVICES)) {
            dirs = entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
        PerfEventException e = assertThrows(PerfEventException.class, () -> Event.parse("no-such-pmu/x/"));
        assertEquals(Errno.ENOENT, e.errno());
        String listed = e.hint().substring(e.hint().indexOf("PMUs here: ") + "PMUs here: ".length(),
                e.hint().indexOf(" (nearest first)"));
        assertEquals(dirs, Stream.of(listed.split(", ")).sorted().toList(), e.hint());
    }

    @Test
    void aFieldANamedEventLeavesOpenMustBeGiven(@TempDir Path sysfs) throws IOException {
        Path pmu = Files.createDirectories(sysfs.resolve("hv"));
        Files.writeString(pmu.resolve("type"), "77\n");
        Files.createDirectories(pmu.resolve("format"));
        Files.writeString(pmu.resolve("format/event"), "config:0-7\n");
        Files.writeString(pmu.resolve("format/core"), "config:16-31\n");
        Files.writeString(pmu.resolve("format/domain"), "config1:0-3\n");
        Files.createDirectories(pmu.resolve("events"));
        Files.writeString(pmu.resolve("events/cycles"), "event=0x3c,core=?,domain=?\n");
        Pmu hv = Pmu.named(sysfs, "hv");
        PerfEventException missing = assertThrows(PerfEventException.class, () -> hv.event("cycles,core=2"));
        assertEquals(Errno.EINVAL, missing.errno());
        assertTrue(missing.hint().equals("the event leaves domain to you (sysfs writes domain=?): add domain=<value> "
                + "to the terms"), missing.hint());
        Event given = hv.event("core=2,cycles,domain=1");
        assertEquals(0x3c | 2L << 16, given.config(), "the ? leaves the value given before it alone");
        assertEquals(1, given.config1());
        assertEquals(Errno.EINVAL, assertThrows(PerfEventException.class, () -> hv.event("core=?")).errno(),
                "only a named event may write ?");
    }
}
