package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        EventNameException e = assertThrows(EventNameException.class, () -> Pmu.named(sysfs, "uprob"));
        assertEquals(List.of("uprobe"), e.suggestions());
        assertTrue(e.reason().endsWith("Did you mean uprobe? PMUs here: uprobe, msr, breakpoint (nearest first)"),
                e.reason());
    }

    @Test
    void onThisMachineTheListIsWhatSysfsHolds() throws IOException {
        List<String> dirs;
        try (Stream<Path> entries = Files.list(Pmu.DEVICES)) {
            dirs = entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
        EventNameException e = assertThrows(EventNameException.class, () -> Event.parse("no-such-pmu/x/"));
        String listed = e.reason().substring(e.reason().indexOf("PMUs here: ") + "PMUs here: ".length(),
                e.reason().indexOf(" (nearest first)"));
        assertEquals(dirs, Stream.of(listed.split(", ")).sorted().toList(), e.reason());
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
        EventNameException missing = assertThrows(EventNameException.class, () -> hv.event("cycles,core=2"));
        assertEquals("the event leaves domain to you (sysfs writes domain=?): add domain=<value> to the terms",
                missing.reason());
        Event given = hv.event("core=2,cycles,domain=1");
        assertEquals(0x3c | 2L << 16, given.config(), "the ? leaves the value given before it alone");
        assertEquals(1, given.config1());
        assertTrue(assertThrows(EventNameException.class, () -> hv.event("core=?")).reason().contains("not a number"),
                "only a named event may write ?");
    }
}
