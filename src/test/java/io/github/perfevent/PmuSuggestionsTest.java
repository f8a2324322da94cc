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

/** An unknown PMU: the nearest one suggested, then every PMU of sysfs listed nearest first. */
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
}
