package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Tracefs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where {@link Tracing} finds tracefs (never mounting it, not even through debugfs's automount), what an unprivileged
 * user is told when tracefs is root-only, and what a misspelt event with modifiers suggests.
 */
class TracingTest {

    @Test
    void tracefsIsFoundInProcMountsWithEscapedSpaces() {
        assertEquals(Optional.of(Path.of("/sys/kernel/tracing")), Tracing.root(List.of(
                "sysfs /sys sysfs rw,nosuid 0 0", "nodev /sys/kernel/tracing tracefs rw,relatime 0 0"), "6.18.44"));
        assertEquals(Optional.of(Path.of("/mnt/my tracing")), Tracing.root(List.of(
                "nodev /mnt/my\\040tracing tracefs rw 0 0"), "6.18.44"));
        assertEquals(Optional.empty(), Tracing.root(List.of("sysfs /sys sysfs rw 0 0", "short line"), "6.18.44"));
        assertEquals(Optional.of(Path.of("/t")), Tracing.root(List.of("nodev /t tracefs"), "6.18.44"), "3 fields are enough");
    }

    @Test
    void debugfsTracingIsUsedOnlyWhereLookingIntoItCannotMountTracefs(@TempDir Path debugfs) throws IOException {
        Files.createDirectories(debugfs.resolve("tracing/events/sched"));
        List<String> mounts = List.of("none " + debugfs + " debugfs rw 0 0");
        assertEquals(Optional.of(debugfs.resolve("tracing")), Tracing.root(mounts, "4.0.9"),
                "before 4.1, tracing is a plain directory of debugfs");
        assertEquals(Optional.empty(), Tracing.root(List.of("none /nonexistent debugfs rw 0 0"), "3.19.0"));
        // From 4.1, <debugfs>/tracing is an automount point: on 6.18, listing tracing/events mounts tracefs there.
        // So the directory is not even looked at (the path given here does not exist and is never touched).
        assertEquals(Optional.empty(), Tracing.root(List.of("none /nonexistent/debugfs debugfs rw 0 0"), "6.18.44"));
        assertEquals(Optional.empty(), Tracing.root(mounts, "4.1.0"));
        assertTrue(Tracing.tracingIsAutomounted("4.1"));
        assertTrue(Tracing.tracingIsAutomounted("10.0.1-rc2"));
        assertFalse(Tracing.tracingIsAutomounted("4.0.9-generic"));
        assertFalse(Tracing.tracingIsAutomounted("3.19.8"));
        assertTrue(Tracing.tracingIsAutomounted("unknown"), "an unknown release is treated as a modern one");
    }

    @Test
    void aMisspeltEventWithModifiersSuggestsTheEventWhetherOrNotTracefsIsMounted() throws Exception {
        if (Tracing.root().isEmpty()) {
            PerfEventException e = assertThrows(PerfEventException.class, () -> Event.parse("task-clok:u"));
            assertEquals(Errno.ENOENT, e.errno(), "tracefs not mounted: the environment's answer");
            assertTrue(e.hint().contains("mount -t tracefs"), "it says why tracepoints are unavailable: " + e.hint());
            assertTrue(e.hint().endsWith("no event is called 'task-clok'. Did you mean task-clock?"), e.getMessage());
        }
        Tracefs tracefs = Tracefs.acquire();
        try {
            EventNameException mounted = assertThrows(EventNameException.class, () -> Event.parse("cylces:u"));
            assertTrue(mounted.reason().startsWith("no event is called 'cylces'. Did you mean cycles?"), mounted.getMessage());
            assertEquals(List.of("cycles"), mounted.suggestions());
            EventNameException tracepoint = assertThrows(EventNameException.class, () -> Event.parse("sched:sched_swich"));
            assertTrue(tracepoint.reason().endsWith("Did you mean sched:sched_switch, sched:sched_waking or sched:sched_wakeup?"),
                    "the exact list, nearest first: " + tracepoint.getMessage());
            assertEquals(List.of("sched:sched_switch", "sched:sched_waking", "sched:sched_wakeup"),
                    tracepoint.suggestions());
        } finally {
            tracefs.release();
        }
    }

    @Test
    void anUnprivilegedUserIsToldThatTracefsIsNotReadableAndTheListingSaysSoInsteadOfFailing() throws Exception {
        Assumptions.assumeTrue(Tracefs.isRoot(), "skipped: dropping to uid 65534 needs root");
        Tracefs tracefs = Tracefs.acquire();
        try {
            Path root = Tracing.root().orElseThrow();
            Assumptions.assumeFalse(Files.getPosixFilePermissions(root).contains(
                    java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE),
                    "skipped: tracefs at " + root + " is open to every user here");
            Map<String, String[]> r = ChildJvm.run(List.of(), TracingScenarios.class);
            assertEquals(3, r.size(), r.keySet().toString());
            assertEquals(Integer.toString(Errno.EACCES), r.get("parse")[1], String.join("|", r.get("parse")));
            assertTrue(r.get("parse")[2].contains("is not readable by this user"), r.get("parse")[2]);
            assertEquals("0", r.get("list")[2], "no tracepoints listed, and no exception");
            assertTrue(r.get("notes")[2].startsWith("tracepoints are not listed: ")
                    && r.get("notes")[2].contains("not readable"), r.get("notes")[2]);
        } finally {
            tracefs.release();
        }
    }

    @Test
    void aTracefsTreeAnswersEachCaseWithTheContract(@TempDir Path tracefs) throws IOException {
        Files.createDirectories(tracefs.resolve("events/sched/sched_switch"));
        Files.writeString(tracefs.resolve("events/sched/sched_switch/id"), "316\n");
        Files.writeString(tracefs.resolve("events/sched/enable"), "0\n");
        Files.createDirectories(tracefs.resolve("events/cycle/x"));
        Files.writeString(tracefs.resolve("events/cycle/x/id"), "7\n");
        Files.createDirectories(tracefs.resolve("events/bad/junk"));
        Files.writeString(tracefs.resolve("events/bad/junk/id"), "not a number\n");
        Files.createDirectories(tracefs.resolve("events/bad/empty"));
        Files.writeString(tracefs.resolve("events/bad/empty/id"), "");
        Files.createDirectories(tracefs.resolve("events/bad/dir/id"));
        NameSources sources = new NameSources(Pmu.DEVICES, Optional.of(tracefs));

        assertEquals(316, Tracing.tracepointId("sched", "sched_switch", sources));
        assertEquals(List.of("bad:empty", "bad:junk", "cycle:x", "sched:sched_switch"), Tracing.tracepoints(tracefs),
                "directories with an id file, sorted; not bad:dir, whose id is a directory, nor the file sched:enable");
        EventNameException file = assertThrows(EventNameException.class,
                () -> Tracing.tracepointId("sched", "enable", sources));
        assertTrue(file.reason().startsWith("no such tracepoint in tracefs: there is no " + tracefs), file.reason());
        EventNameException typo = assertThrows(EventNameException.class,
                () -> EventNames.parse("sched:sched_swich:u", sources));
        assertEquals(List.of("sched:sched_switch"), typo.suggestions());
        assertEquals("sched:sched_swich", typo.input().substring(0, 17));
        assertEquals(1, sources.tracefsListings());
        NameSources atTheLimit = new NameSources(Pmu.DEVICES, Optional.of(tracefs));
        assertThrows(EventNameException.class, () -> Tracing.tracepointId("sched", "x".repeat(250), atTheLimit));
        assertEquals(1, atTheLimit.tracefsListings(), "sched:x... of 256 characters gets suggestions");
        NameSources overTheLimit = new NameSources(Pmu.DEVICES, Optional.of(tracefs));
        assertThrows(EventNameException.class, () -> Tracing.tracepointId("sched", "x".repeat(251), overTheLimit));
        assertEquals(0, overTheLimit.tracefsListings(), "257 characters: none, and no listing");
        assertThrows(UnsupportedOperationException.class, () -> Tracing.tracepointId("bad", "junk", sources));
        assertThrows(UnsupportedOperationException.class, () -> Tracing.tracepointId("bad", "empty", sources));
        PerfEventException dir = assertThrows(PerfEventException.class, () -> Tracing.tracepointId("bad", "dir", sources));
        assertEquals("EISDIR", dir.errnoName(), "read(2) of a directory: the errno the system call returned");

        EventNameException subsystem = assertThrows(EventNameException.class, () -> EventNames.parse("cycle:u", sources));
        assertEquals(List.of("cycle:x"), subsystem.suggestions(), "cycle is a subsystem here: its tracepoints, not cycles");
        EventNameException misspelt = assertThrows(EventNameException.class, () -> EventNames.parse("cycels:u", sources));
        assertEquals(List.of("cycles"), misspelt.suggestions());
        assertTrue(misspelt.reason().endsWith("(As a tracepoint: no such tracepoint in tracefs: there is no " + tracefs
                + "/events/cycels/u/id.)"), misspelt.reason());
        for (String part : List.of("", ".", "..", "a/b", "*", "s?", "[ab]")) {
            EventNameException e = assertThrows(EventNameException.class,
                    () -> Tracing.tracepointId("sched", part, sources), part);
            assertEquals(6, e.position().orElseThrow(), part);
            assertThrows(EventNameException.class, () -> Tracing.tracepointId(part, "x", sources), part);
        }
    }

    @Test
    void aSubsystemIsAPlainDirectoryOfEventsAndTheProblemWithTracefsIsSaid(@TempDir Path tracefs) throws IOException {
        Files.createDirectories(tracefs.resolve("events/sched/sched_switch"));
        NameSources sources = new NameSources(Pmu.DEVICES, Optional.of(tracefs));
        assertTrue(Tracing.hasSubsystem("sched", sources));
        for (String notOne : List.of("", "sched/sched_switch", "sched\0", "\ud800", "nosuch")) {
            assertFalse(Tracing.hasSubsystem(notOne, sources), notOne);
        }
        assertEquals(Optional.empty(), Tracing.problem(Optional.of(tracefs)));
        assertTrue(Tracing.problem(Optional.empty()).orElseThrow().startsWith("tracefs is not mounted"));
        assertEquals(tracefs.resolve("nothing/events") + " is not readable by this user (tracefs is usually root-only): "
                + "run as root, or have an administrator remount tracefs with a group or mode that lets you read it",
                Tracing.problem(Optional.of(tracefs.resolve("nothing"))).orElseThrow());
        EventNameException empty = assertThrows(EventNameException.class, () -> EventNames.parse(":u", sources));
        assertTrue(empty.reason().startsWith("a tracepoint is written"), "no 'did you mean cs': " + empty.reason());
    }

    @Test
    void withoutTracefsATracepointIsAnEnoentWithTheMountHintAndTheNearestEvent() {
        NameSources unmounted = new NameSources(Pmu.DEVICES, Optional.empty());
        PerfEventException e = assertThrows(PerfEventException.class, () -> EventNames.parse("task-clok:u", unmounted));
        assertEquals(Errno.ENOENT, e.errno(), "the environment's answer: tracefs is not there");
        assertTrue(e.hint().startsWith("tracefs is not mounted"), e.hint());
        assertTrue(e.hint().endsWith(". Or, if 'task-clok' is a misspelt event with modifiers: no event is called "
                + "'task-clok'. Did you mean task-clock?"), e.hint());
        PerfEventException plain = assertThrows(PerfEventException.class,
                () -> EventNames.parse("sched:sched_switch", new NameSources(Pmu.DEVICES, Optional.empty())));
        assertTrue(plain.hint().endsWith("mount -t tracefs nodev /sys/kernel/tracing"), plain.hint());
        assertEquals("find tracepoint sched:sched_switch", plain.call());
        assertEquals(0, unmounted.tracefsListings());
        assertEquals(List.of(), unmounted.tracepoints(), "nothing to list");
        assertEquals(false, Tracing.hasSubsystem("sched", unmounted));
    }
}
