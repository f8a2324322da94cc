package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Tracefs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The work one unknown name can cost is bounded (issue 7: a 16 KB name took 9.7 s, each unknown name listed sysfs
 * and tracefs anew and compared itself with all 2,307 tracepoints): within one parse sysfs and tracefs are listed at
 * most once, only for a name that gets suggestions, and a name over {@link Suggestions#MAX_LENGTH} characters gets
 * none and lists nothing. Counted through {@link NameSources}, not timed.
 */
class NameLookupBoundsTest {

    @Test
    void anUnknownNameListsSysfsAndTracefsOnceEach() throws Exception {
        Tracefs tracefs = Tracefs.acquire();
        try {
            NameSources sources = new NameSources(Pmu.DEVICES);
            EventNameException e = assertThrows(EventNameException.class,
                    () -> EventNames.parse("sched-sched_switch", sources));
            assertEquals(1, sources.sysfsListings());
            assertEquals(1, sources.tracefsListings());
            assertEquals("sched:sched_switch", e.suggestions().get(0),
                    "the tracepoints were among the names compared: " + e.suggestions());
            sources.tracepoints();
            sources.pmuEventNames();
            assertEquals(1, sources.tracefsListings(), "a second use of the listing does not list again");
            assertEquals(1, sources.sysfsListings());
        } finally {
            tracefs.release();
        }
    }

    @Test
    void aMisspeltEventWithModifiersListsTracefsOnceAndSysfsNever() throws Exception {
        Tracefs tracefs = Tracefs.acquire();
        try {
            NameSources sources = new NameSources(Pmu.DEVICES);
            EventNameException e = assertThrows(EventNameException.class, () -> EventNames.parse("cylces:u", sources));
            assertEquals(List.of("cycles"), e.suggestions());
            assertEquals(1, sources.tracefsListings());
            assertEquals(0, sources.sysfsListings());
        } finally {
            tracefs.release();
        }
    }

    @Test
    void aKnownNameListsNothing() throws Exception {
        Tracefs tracefs = Tracefs.acquire();
        try {
            for (String name : List.of("task-clock:u", "sched:sched_switch", "software/config=1/", "r1a8", "mem:0x10")) {
                NameSources sources = new NameSources(Pmu.DEVICES);
                EventNames.parse(name, sources);
                assertEquals(0, sources.sysfsListings() + sources.tracefsListings(), name);
            }
        } finally {
            tracefs.release();
        }
    }

    @Test
    void aNameOverTheLimitGetsNoSuggestionsAndListsNothing() throws Exception {
        Tracefs tracefs = Tracefs.acquire();
        try {
            String huge = "sched_switch".repeat(16384 / 12 + 1);
            for (String name : List.of(huge, "sched:" + huge, huge + ":u", "s".repeat(Suggestions.MAX_LENGTH + 1))) {
                NameSources sources = new NameSources(Pmu.DEVICES);
                EventNameException e = assertThrows(EventNameException.class, () -> EventNames.parse(name, sources));
                assertEquals(List.of(), e.suggestions(), e.getMessage());
                assertEquals(0, sources.tracefsListings(), "tracefs is not listed for " + name.length() + " characters");
                assertEquals(0, sources.sysfsListings(), "sysfs is not listed for " + name.length() + " characters");
                assertTrue(e.getMessage().length() < 2000, "the message shortens the name: " + e.getMessage().length());
            }
            NameSources sources = new NameSources(Pmu.DEVICES);
            String atTheLimit = "x".repeat(Suggestions.MAX_LENGTH);
            assertThrows(EventNameException.class, () -> EventNames.parse(atTheLimit, sources));
            assertEquals(1, sources.tracefsListings(), "a name of exactly the limit still gets suggestions");
        } finally {
            tracefs.release();
        }
    }

    @Test
    void theSysfsListingHasEachPmuWithItsNamedEventsButNotTheirAttributes(@TempDir Path sysfs) throws IOException {
        Path events = Files.createDirectories(sysfs.resolve("fake/events"));
        Files.writeString(sysfs.resolve("fake/type"), "42\n");
        for (String file : List.of("loads", "loads.scale", "loads.unit", "stores", "x.per-pkg", "y.snapshot")) {
            Files.writeString(events.resolve(file), "event=1\n");
        }
        Files.createDirectories(sysfs.resolve("plain"));
        NameSources sources = new NameSources(sysfs);
        assertEquals(Map.of("fake", List.of("loads", "stores"), "plain", List.of()), sources.pmuEvents());
        assertEquals(List.of("fake/loads/", "fake/stores/"), sources.pmuEventNames());
        assertEquals(Optional.empty(), sources.sysfsFailure());
        assertEquals(1, sources.sysfsListings());
        NameSources missing = new NameSources(sysfs.resolve("missing"));
        assertEquals(Map.of(), missing.pmuEvents());
        assertTrue(missing.sysfsFailure().orElseThrow() instanceof java.nio.file.NoSuchFileException);
    }

    @Test
    void anUnknownPmuListsSysfsOnce() {
        NameSources sources = new NameSources(Pmu.DEVICES);
        EventNameException e = assertThrows(EventNameException.class, () -> EventNames.parse("sofware/x/", sources));
        assertEquals(List.of("software"), e.suggestions());
        assertEquals(1, sources.sysfsListings());
        assertEquals(0, sources.tracefsListings());
    }
}
