package io.github.perfevent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.Event;
import io.github.perfevent.Options;
import io.github.perfevent.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What stat opens: one counter per event and target, roles for the derived figures, nothing left open. */
class CounterSetTest {

    /** The perf event descriptors this JVM has open ({@code anon_inode:[perf_event]} in /proc/self/fd). */
    private static long perfEventFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals("anon_inode:[perf_event]");
                } catch (IOException e) {
                    return false; // closed meanwhile (the listing's own fd)
                }
            }).count();
        }
    }

    @Test
    void eachEventGetsTheRolePerfGivesIt() {
        assertEquals(StatFormat.Role.CLOCK, CounterSet.Spec.of("task-clock").role());
        assertEquals(StatFormat.Role.CLOCK, CounterSet.Spec.of("cpu-clock").role());
        assertEquals(StatFormat.Role.CYCLES, CounterSet.Spec.of("cycles:u").role());
        assertEquals(StatFormat.Role.INSTRUCTIONS, CounterSet.Spec.of("instructions").role());
        assertEquals(StatFormat.Role.BRANCHES, CounterSet.Spec.of("branches").role());
        assertEquals(StatFormat.Role.BRANCH_MISSES, CounterSet.Spec.of("branch-misses").role());
        assertEquals(StatFormat.Role.OTHER, CounterSet.Spec.of("page-faults").role());
        assertEquals(StatFormat.Role.OTHER, CounterSet.Spec.of("cache-misses").role()); // hardware, not a figure's
        assertEquals("cs", CounterSet.Spec.of("cs").name()); // the name as written, as perf prints it
    }

    @Test
    void everyCounterIsClosedAndAnUnsupportedEventKeepsNone() throws IOException {
        long before = perfEventFds();
        List<CounterSet.Spec> specs = List.of(CounterSet.Spec.of("cpu-clock"), CounterSet.Spec.of("cycles"));
        try (CounterSet set = CounterSet.open(specs, List.of(Target.cpu(0), Target.cpu(0)), Options.defaults())) {
            assertTrue(set.supported(0));
            boolean hardware = set.supported(1);
            assertEquals(before + 2 + (hardware ? 2 : 0), perfEventFds());
            set.enable();
            long[][] first = set.read();
            set.disable();
            long[][] second = set.read();
            long[][] third = set.read();
            assertTrue(second[0][0] >= first[0][0] && second[0][0] > 0);
            assertEquals(second[0][0], third[0][0], "disabled counters stand still");
            if (!hardware) {
                assertEquals(0, third[1][0] + third[1][1] + third[1][2]);
            }
            assertEquals(specs, set.specs());
        }
        assertEquals(before, perfEventFds(), "stat leaves no perf event open");
        assertFalse(Cli.run("stat", "-C", "0,0", "-e", "cpu-clock,cycles", "--", "/bin/true").err().isEmpty());
        assertEquals(before, perfEventFds(), "stat leaves no perf event open");
    }
}
