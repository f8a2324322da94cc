package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.perfevent.sys.Tracefs;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The installed {@code perf} tool and {@link Event#parse} read the same names the same way: for each name, the attr
 * fields perf builds ({@code perf stat -vv}) equal those this library writes, and a name perf refuses is refused here.
 *
 * <p>This library takes hardware, software and cache names in any case ({@code TASK-CLOCK}, {@code llc-loads}), as
 * perf 7.2 does; perf 6.1's lexer takes them only as listed (it refuses both). The test expects what the installed
 * perf version does.
 *
 * <p>Not compared: {@code exclude_guest} unless a {@code G} or {@code H} modifier is given (perf 6.1 sets it by
 * default, 7.2 does not; this library leaves it to {@link Options}), {@code size} (128 bytes from perf 6.1, 144
 * from 7.2), and the {@code P} modifier (perf probes the highest precise_ip the machine takes, 0 in a VM; this
 * library asks for 3 and lets the kernel answer). perf's output is read in both formats (see {@link PerfTool}).
 */
class PerfToolAgreementTest {

    private static final Map<String, ToLongFunction<MemorySegment>> FIELDS = new LinkedHashMap<>();

    static {
        FIELDS.put("type", a -> Integer.toUnsignedLong(perf_event_attr.type(a)));
        FIELDS.put("config", perf_event_attr::config);
        FIELDS.put("config1", perf_event_attr::config1);
        FIELDS.put("config2", perf_event_attr::config2);
        FIELDS.put("bp_type", a -> Integer.toUnsignedLong(perf_event_attr.bp_type(a)));
        FIELDS.put("exclude_user", perf_event_attr_bits::exclude_user);
        FIELDS.put("exclude_kernel", perf_event_attr_bits::exclude_kernel);
        FIELDS.put("exclude_hv", perf_event_attr_bits::exclude_hv);
        FIELDS.put("exclude_idle", perf_event_attr_bits::exclude_idle);
        FIELDS.put("exclude_host", perf_event_attr_bits::exclude_host);
        FIELDS.put("precise_ip", perf_event_attr_bits::precise_ip);
        FIELDS.put("pinned", perf_event_attr_bits::pinned);
        FIELDS.put("exclusive", perf_event_attr_bits::exclusive);
    }

    @BeforeAll
    static void needsPerf() {
        String reason = PerfTool.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "skipped: " + reason);
    }

    @Test
    void symbolicRawAndBreakpointNamesAndModifiersGiveTheAttrPerfGives() throws IOException {
        List<String> names = new ArrayList<>();
        for (Event.Hardware h : Event.Hardware.values()) {
            names.add(h.perfName());
            if (h.alias() != null) {
                names.add(h.alias());
            }
        }
        for (Event.Software s : Event.Software.values()) {
            names.add(s.perfName());
            if (s.alias() != null) {
                names.add(s.alias());
            }
        }
        names.addAll(List.of("r1a8", "rFF:u", "r0", "mem:0x1000", "mem:4096:x", "mem:0x1000/8:w", "mem:0x1000/2:wr",
                "mem:0x2000/8:x:u", "mem:0x1000:rw:k", "cycles:u", "cycles:k", "cycles:uk", "cycles:h",
                "task-clock:ppp", "task-clock:p", "cs:DeI", "faults:G", "faults:H", "faults:GH", "r1a8:k",
                "page-faults:uh"));
        assertAgreement(names);
    }

    @Test
    void everyCacheNameAndAliasIsReadAsPerfReadsItAndInvalidOnesAreRefusedByBoth() throws IOException {
        List<String> names = new ArrayList<>();
        for (Event.Cache cache : Event.Cache.values()) {
            for (Event.CacheOp op : Event.CacheOp.values()) {
                for (Event.CacheResult result : Event.CacheResult.values()) {
                    names.add(Event.cache(cache, op, result).name()); // all 42, the invalid ones too
                }
            }
        }
        names.addAll(List.of("l1d", "L1-data-read-miss", "l1-d-loads", "LLC", "L2-misses", "dTLB-speculative-read-miss",
                "d-tlb-write", "Data-TLB-stores", "branch-load-misses", "bpu", "btb-miss", "bpc-loads", "iTLB-miss",
                "i-tlb-loads", "Instruction-TLB-load-misses", "node-stores", "node-prefetch-misses",
                "L1-instruction-speculative-load", "L1-dcache-misses-prefetch", "LLC-refs", "LLC-access", "LLC-ops",
                "LLC-Reference", "LLC-loads:u", "L1-dcache-load-misses:k"));
        assertAgreement(names);
    }

    @Test
    void pmuEventsGiveTheAttrPerfGives() throws IOException {
        List<String> names = new ArrayList<>();
        for (Pmu pmu : Pmu.all()) {
            for (String event : pmu.events().keySet()) {
                names.add(pmu.name() + "/" + event + "/");
            }
        }
        Assumptions.assumeTrue(Files.isDirectory(Pmu.DEVICES.resolve("uprobe")), "skipped: no uprobe PMU");
        names.addAll(List.of("uprobe/retprobe/", "uprobe/retprobe,config2=0x1139/", "uprobe/ref_ctr_offset=0x77/",
                "uprobe/config=1,config2=5/"));
        if (Files.isDirectory(Pmu.DEVICES.resolve("msr"))) {
            names.addAll(List.of("msr/tsc/u", "msr/event=5/", "msr/event=0x7/k"));
        }
        assertAgreement(names);
    }

    @Test
    void aTracepointHasTheIdPerfFinds() throws Exception {
        Tracefs tracefs = Tracefs.acquire();
        try {
            assertAgreement(List.of("sched:sched_switch", "syscalls:sys_enter_getpid:u", "sched:sched_process_exec"));
        } finally {
            tracefs.release();
        }
    }

    /** Each name: both refuse it, or both build the same attr fields. perf must leave the mounts as they were. */
    private static void assertAgreement(List<String> names) throws IOException {
        List<String> mountsBefore = mounts();
        List<String> disagreements = new ArrayList<>();
        int compared = 0;
        for (String name : names) {
            PerfTool.Attr perf = PerfTool.attr(name);
            Event event;
            try {
                event = Event.parse(name);
            } catch (EventNameException e) {
                if (perf != null) {
                    disagreements.add(name + ": perf takes it, we refuse it: " + e.getMessage());
                }
                continue;
            }
            if (perf == null) {
                disagreements.add(name + ": perf refuses it, we read it as " + event.name());
                continue;
            }
            compared++;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment attr = EventOpener.attr(arena, event, Options.defaults(), 0, true, false);
                for (var field : FIELDS.entrySet()) {
                    long ours = field.getValue().applyAsLong(attr);
                    long theirs = perf.get(field.getKey());
                    if (field.getKey().equals("config1") && name.startsWith("uprobe/")) {
                        continue; // a uprobe's config1 is the path pointer that the opener fills in
                    }
                    if (ours != theirs) {
                        disagreements.add(name + ": " + field.getKey() + " perf " + theirs + ", ours " + ours);
                    }
                }
                String modifiers = name.contains(":") ? name.substring(name.lastIndexOf(':')) : "";
                if (modifiers.contains("G") || modifiers.contains("H")) {
                    long theirs = perf.get("exclude_guest");
                    if (perf_event_attr_bits.exclude_guest(attr) != theirs) {
                        disagreements.add(name + ": exclude_guest perf " + theirs);
                    }
                }
            }
        }
        assertEquals(mountsBefore, mounts(), "perf mounted or unmounted something");
        if (!disagreements.isEmpty()) {
            fail(disagreements.size() + " of " + names.size() + " names disagree with perf:\n"
                    + String.join("\n", disagreements));
        }
        assertTrue(compared > 0, "some names were compared");
    }

    private static List<String> mounts() throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(Path.of("/proc/mounts"))) {
            return reader.lines().sorted().toList();
        }
    }

    @Test
    void perfRefusesWhatItDoesNotKnow() throws IOException {
        assertEquals(null, PerfTool.attr("task-clok"), "the oracle can say no");
        assertThrows(EventNameException.class, () -> Event.parse("task-clok"));
    }

    @Test
    void aRawEventWithAHexPrefixIsRefusedByBothAndTheHintSaysHowToWriteIt() throws IOException {
        assertEquals(null, PerfTool.attr("r0x1a8"));
        EventNameException e = assertThrows(EventNameException.class, () -> Event.parse("r0x1a8"));
        assertEquals(1, e.position().orElseThrow(), "the fault is the 0x after r");
        assertTrue(e.reason().endsWith("without 0x, as perf writes it: r1a8"), e.getMessage());
        assertEquals(PerfTool.attr("r1a8").get("config"), Event.parse("r1a8").config());
    }

    @Test
    void namesInAnotherCaseAreTakenHereAsPerf72TakesThemThoughPerf61RefusesThem() throws IOException {
        PerfTool.Version version = PerfTool.version();
        boolean perfRefuses = !version.atLeast(6, 2); // measured: 6.1 refuses them
        boolean perfTakes = version.atLeast(7, 2); // measured: 7.2 takes them
        for (String name : List.of("TASK-CLOCK", "Cycles", "llc-loads")) {
            String canonical = Event.parse(name).name();
            assertTrue(canonical.equalsIgnoreCase(name) && !canonical.equals(name), canonical);
            assertEquals(PerfTool.attr(canonical).get("config"), Event.parse(name).config(), name);
            PerfTool.Attr perf = PerfTool.attr(name);
            if (perfRefuses) {
                assertEquals(null, perf, name + ": perf " + version + " takes symbolic names only as listed");
            } else if (perfTakes) {
                assertTrue(perf != null, name + ": perf " + version + " takes names in any case");
                assertEquals(perf.get("config"), Event.parse(name).config(), name + " as perf " + version + " reads it");
            }
        }
        Assumptions.assumeTrue(perfRefuses || perfTakes, () -> "perf " + version + " is neither 6.1 (refuses names "
                + "in another case) nor 7.2 or later (takes them): its answer was not checked");
    }
}
