/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The profiler's options, parsed without the library's event tables (as in JMH's host JVM). */
class ProfilerSettingsTest {

    @Test
    void noOptionsGiveSoftwareEventsEveryMachineHas() {
        ProfilerSettings s = ProfilerSettings.parse("");
        assertEquals(List.of("task-clock", "context-switches", "cpu-migrations", "page-faults"), s.events());
        assertFalse(s.verbose());
        assertEquals(s, ProfilerSettings.parse(" ; ;"));
    }

    @Test
    void eventsAndVerboseAreTaken() {
        ProfilerSettings s = ProfilerSettings.parse("events=task-clock, cycles:u ,page-faults; verbose=true");
        assertEquals(List.of("task-clock", "cycles:u", "page-faults"), s.events());
        assertTrue(s.verbose());
        assertFalse(ProfilerSettings.parse("verbose=false").verbose());
    }

    @Test
    void commasInsidePmuTermsBelongToTheEvent() {
        assertEquals(List.of("cpu/event=0x3c,umask=0/u", "msr/tsc/", "uprobe/retprobe,config2=0x1139/", "cycles"),
                ProfilerSettings.eventList("cpu/event=0x3c,umask=0/u,msr/tsc/,uprobe/retprobe,config2=0x1139/,cycles"));
    }

    @Test
    void aBreakpointsLengthIsNotPmuTerms() {
        assertEquals(List.of("mem:0x1000/8:w", "page-faults", " mem:0x2000/4".strip(), "task-clock"),
                ProfilerSettings.eventList("mem:0x1000/8:w,page-faults, mem:0x2000/4,task-clock"));
    }

    @Test
    void helpGivesTheHelpTextWhichDocumentsEveryOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProfilerSettings.parse("events=cycles;help"));
        assertEquals(ProfilerSettings.HELP, e.getMessage());
        for (String option : List.of("events=NAME", "verbose=true|false", "help", "perf.E.total", "perf.E.running",
                "task-clock,context-switches,cpu-migrations,page-faults")) {
            assertTrue(ProfilerSettings.HELP.contains(option), option);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " -> ", quoteCharacter = '"', value = {
        "events= -> option 'events' needs a value: events=...",
        "events -> option 'events' needs a value: events=...",
        "verbose -> option 'verbose' needs a value: verbose=...",
        "verbose=yes -> option 'verbose' is true or false, not 'yes'",
        "events=a,,b -> empty event name in events=a,,b",
        "events=a, -> empty event name in events=a,",
        "events=a, a -> event 'a' is given twice in events=a, a",
        "verbose=true;verbose=false -> option 'verbose' is given twice in 'verbose=true;verbose=false'",
        "=cycles -> unknown option '' in '=cycles'; options: events=NAME[,NAME...], verbose=true|false, help",
        "event=cycles -> unknown option 'event' in 'event=cycles'; options: events=NAME[,NAME...], verbose=true|false, help",
    })
    void aMistakeIsRefusedWithWhatIsWrong(String line, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> ProfilerSettings.parse(line))
                .getMessage());
    }

    @Test
    void nullIsRefusedByName() {
        assertEquals("line", assertThrows(NullPointerException.class, () -> ProfilerSettings.parse(null))
                .getMessage());
    }
}
