package io.github.perfevent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.Event;
import io.github.perfevent.sys.Tracefs;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code list}, against this machine's sysfs and tracefs. */
class ListCommandTest {

    private static List<String> names(String out) {
        return out.lines().filter(l -> l.startsWith("  ")).map(l -> l.substring(2, l.indexOf(" [")).strip())
                .toList();
    }

    @Test
    void listsEverySoftwareEventWithItsAliasAndPerfsLayout() {
        Cli.Result r = Cli.run("list");
        assertEquals(0, r.status(), r.err());
        for (Event.Software s : Event.Software.values()) {
            String name = s.alias() == null ? s.perfName() : s.perfName() + " OR " + s.alias();
            assertTrue(r.out().contains(String.format("  %-50s [Software event]%n", name)), name);
        }
        assertTrue(r.out().contains("  mem:<addr>[/len][:access]"), r.out());
        assertTrue(names(r.out()).contains("msr/tsc/") || !java.nio.file.Files.isDirectory(
                java.nio.file.Path.of("/sys/bus/event_source/devices/msr")), r.out());
    }

    @Test
    void hardwareEventsSayWhenThereIsNoPmu() {
        String hardware = ListCommand.hardwareProblem();
        String line = Cli.run("list", "hw").out().lines().filter(l -> l.contains("cpu-cycles OR cycles"))
                .findFirst().orElseThrow();
        assertTrue(line.endsWith("[Hardware event" + hardware + "]"), line);
        boolean hasPmu = java.nio.file.Files.isDirectory(java.nio.file.Path.of("/sys/bus/event_source/devices/cpu"));
        assertEquals(hasPmu, hardware.isEmpty(), hardware);
    }

    @Test
    void listsTracepointsWhenTracefsIsMounted() throws Exception {
        Tracefs tracefs = Tracefs.acquire();
        try {
            Cli.Result r = Cli.run("list", "tracepoint");
            assertEquals(0, r.status(), r.err());
            assertTrue(names(r.out()).contains("sched:sched_switch"), r.out());
            assertFalse(r.out().contains("tracefs is not mounted"), r.out());
            assertTrue(names(Cli.run("list", "sched:sched_sw*").out()).contains("sched:sched_switch"));
        } finally {
            tracefs.release();
        }
    }

    @Test
    void aFilterKeepsTheNamesThatContainOrMatchIt() {
        List<String> page = names(Cli.run("list", "page").out());
        assertTrue(page.contains("page-faults OR faults"), page.toString());
        assertTrue(page.stream().allMatch(n -> n.contains("page")), page.toString());
        List<String> glob = names(Cli.run("list", "*-faults").out());
        assertTrue(glob.contains("page-faults OR faults") && glob.contains("major-faults"), glob.toString());
        assertTrue(glob.stream().allMatch(n -> n.contains("-faults")), glob.toString());
        assertEquals(List.of("cpu-clock"), names(Cli.run("list", "cpu-cl?ck").out()));
        assertEquals(List.of("cpu-clock", "task-clock"), names(Cli.run("list", "[ct]*-clock").out()));
        List<String> software = names(Cli.run("list", "sw").out());
        assertEquals(Event.Software.values().length, software.size(), software.toString());
        assertEquals(List.of(), names(Cli.run("list", "no-event-has-this-name").out()));
        assertTrue(names(Cli.run("list", "faults").out()).contains("page-faults OR faults"));
    }

    @Test
    void everySysfsPmuIsListedWithItsTypeAndFormat() throws Exception {
        List<String> lines = Cli.run("list", "pmu").out().lines().filter(l -> l.startsWith("  ")).toList();
        for (io.github.perfevent.Pmu pmu : io.github.perfevent.Pmu.all()) {
            String line = lines.stream().filter(l -> l.startsWith("  " + pmu.name() + "/") && l.contains("PMU type"))
                    .findFirst().orElseThrow(() -> new AssertionError(pmu.name() + " missing: " + lines));
            assertTrue(line.contains("[Kernel PMU type " + pmu.type()), line);
            pmu.formats().forEach((field, bits) -> assertTrue(line.contains(field + "=" + bits), line));
            pmu.events().keySet().forEach(event -> assertTrue(lines.stream()
                    .anyMatch(l -> l.startsWith("  " + pmu.name() + "/" + event + "/ ")), event));
        }
    }

    @Test
    void extraArgumentsAndOptionsAreRefused() {
        assertEquals(1, Cli.run("list", "a", "b").status());
        Cli.Result r = Cli.run("list", "--bogus");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("Usage: perf-event list"), r.err());
    }

    @Test
    void globsTranslateToRegularExpressions() {
        assertTrue(ListCommand.glob("a.b").matcher("xa.bx").matches());
        assertFalse(ListCommand.glob("a.b").matcher("axb").matches());
        assertTrue(ListCommand.glob("[!x]b").matcher("ab").matches());
        assertFalse(ListCommand.glob("[!x]b").matcher("xb").matches());
        assertTrue(ListCommand.glob("a[").matcher("a[").matches());
    }
}
