package io.github.perfevent;

import static io.github.perfevent.sys.bindings.perf_event_h.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Tracefs;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every form of perf's event syntax that {@link Event#parse} takes, checked against the header's constants and
 * what sysfs and tracefs say, the modifiers checked in the attr they produce, and the errors for malformed and
 * unknown names with their suggestions.
 */
class EventNamesTest {

    private static void assertEvent(String name, int type, long config, Event e) {
        assertEquals(type, e.type(), name + " type");
        assertEquals(config, e.config(), name + " config");
    }

    @Test
    void hardwareAndSoftwareNamesAndAliasesAreThoseOfTheHeader() {
        assertEvent("task-clock", PERF_TYPE_SOFTWARE(), PERF_COUNT_SW_TASK_CLOCK(), Event.parse("task-clock"));
        assertEvent("faults", PERF_TYPE_SOFTWARE(), PERF_COUNT_SW_PAGE_FAULTS(), Event.parse("faults"));
        assertEvent("cs", PERF_TYPE_SOFTWARE(), PERF_COUNT_SW_CONTEXT_SWITCHES(), Event.parse("cs"));
        assertEvent("cgroup-switches", PERF_TYPE_SOFTWARE(), PERF_COUNT_SW_CGROUP_SWITCHES(),
                Event.parse("cgroup-switches"));
        assertEvent("cycles", PERF_TYPE_HARDWARE(), PERF_COUNT_HW_CPU_CYCLES(), Event.parse("cycles"));
        assertEvent("branches", PERF_TYPE_HARDWARE(), PERF_COUNT_HW_BRANCH_INSTRUCTIONS(), Event.parse("branches"));
        assertEvent("ref-cycles", PERF_TYPE_HARDWARE(), PERF_COUNT_HW_REF_CPU_CYCLES(), Event.parse("ref-cycles"));
        for (Event.Software s : Event.Software.values()) {
            assertEquals(s.event(), Event.parse(s.perfName()), s.perfName());
        }
        for (Event.Hardware h : Event.Hardware.values()) {
            assertEquals(h.event(), Event.parse(h.perfName()), h.perfName());
        }
        assertEquals(Event.parse("TASK-CLOCK").config(), PERF_COUNT_SW_TASK_CLOCK(), "perf ignores case here too");
    }

    @Test
    void cacheNamesEncodeCacheOpAndResultAsTheHeaderSays() {
        long l1dReadMiss = PERF_COUNT_HW_CACHE_L1D() | (long) PERF_COUNT_HW_CACHE_OP_READ() << 8
                | (long) PERF_COUNT_HW_CACHE_RESULT_MISS() << 16;
        assertEvent("L1-dcache-load-misses", PERF_TYPE_HW_CACHE(), l1dReadMiss, Event.parse("L1-dcache-load-misses"));
        long llcWrite = PERF_COUNT_HW_CACHE_LL() | (long) PERF_COUNT_HW_CACHE_OP_WRITE() << 8
                | (long) PERF_COUNT_HW_CACHE_RESULT_ACCESS() << 16;
        assertEvent("LLC-stores", PERF_TYPE_HW_CACHE(), llcWrite, Event.parse("LLC-stores"));
        long dtlbPrefetchMiss = PERF_COUNT_HW_CACHE_DTLB() | (long) PERF_COUNT_HW_CACHE_OP_PREFETCH() << 8
                | (long) PERF_COUNT_HW_CACHE_RESULT_MISS() << 16;
        assertEvent("dTLB-prefetch-misses", PERF_TYPE_HW_CACHE(), dtlbPrefetchMiss,
                Event.parse("dTLB-prefetch-misses"));
        assertEquals("branch-loads", Event.cache(Event.Cache.BPU, Event.CacheOp.READ, Event.CacheResult.ACCESS).name());
    }

    @Test
    void rawEventsAreHexConfigs() {
        assertEvent("r1a8", PERF_TYPE_RAW(), 0x1a8, Event.parse("r1a8"));
        assertEvent("rFF:u", PERF_TYPE_RAW(), 0xff, Event.parse("rFF:u"));
        assertEquals("r1a8", Event.raw(0x1a8).name());
    }

    @Test
    void pmuEventsAreEncodedFromSysfs() throws IOException {
        Path msr = Pmu.DEVICES.resolve("msr");
        Assumptions.assumeTrue(Files.isDirectory(msr), "skipped: this kernel has no msr PMU");
        Event tsc = Event.parse("msr/tsc/");
        assertEquals(Integer.parseInt(line(msr.resolve("type"))), tsc.type());
        assertEquals("event=0x00", line(msr.resolve("events/tsc")), "the test's premise");
        assertEquals(0, tsc.config());
        assertEquals("msr/tsc/", tsc.name());
        assertEquals(5, Event.parse("msr/event=5/").config());
        assertEquals("msr/tsc/u", Event.parse("msr/tsc/u").name());
        assertEquals("msr/tsc/u", Event.parse("msr/tsc/:u").name(), "a colon before modifiers is taken too (perf 6.1 refuses it)");

        Path uprobe = Pmu.DEVICES.resolve("uprobe");
        Assumptions.assumeTrue(Files.isDirectory(uprobe), "skipped: this kernel has no uprobe PMU");
        assertEquals("config:0", line(uprobe.resolve("format/retprobe")), "the test's premise");
        Event ret = Event.parse("uprobe/retprobe,config2=0x1139/");
        assertEquals(Integer.parseInt(line(uprobe.resolve("type"))), ret.type());
        assertEquals(1, ret.config(), "retprobe is bit 0 of config");
        assertEquals(0x1139, ret.config2(), "config2 is a whole-word term of every PMU, as in perf");
    }

    @Test
    void tracepointsTakeTheirIdFromTracefs() throws Exception {
        Tracefs tracefs = Tracefs.acquire();
        try {
            Event e = Event.parse("sched:sched_switch");
            assertEquals(PERF_TYPE_TRACEPOINT(), e.type());
            assertEquals(tracefs.eventId("sched", "sched_switch"), e.config());
            assertEquals("syscalls:sys_enter_getpid:u", Event.parse("syscalls:sys_enter_getpid:u").name());
            EventNameException typo = assertThrows(EventNameException.class, () -> Event.parse("sched:sched_swich"));
            assertTrue(typo.reason().contains("Did you mean sched:sched_switch"), typo.getMessage());
            EventNameException wildcard = assertThrows(EventNameException.class, () -> Event.parse("sched:*"));
            assertEquals(6, wildcard.position().orElseThrow(), "at the name part");
        } finally {
            tracefs.release();
        }
    }

    @Test
    void withoutTracefsTheErrorSaysHowToMountIt() throws Exception {
        Assumptions.assumeFalse(Tracing.root().isPresent(), "skipped: tracefs is mounted on this machine");
        PerfEventException e = assertThrows(PerfEventException.class, () -> Event.parse("sched:sched_switch"));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.hint().contains("mount -t tracefs nodev /sys/kernel/tracing"), e.getMessage());
    }

    @Test
    void breakpointsTakePerfsDefaults() {
        Event rw = Event.parse("mem:0x1000");
        assertEvent("mem:0x1000", PERF_TYPE_BREAKPOINT(), 0, rw);
        assertEquals(0x1000, rw.config1(), "bp_addr");
        assertEquals(4, rw.config2(), "bp_len: 4 bytes unless said, as in perf");
        Event x = Event.parse("mem:4096:x");
        assertEquals(4096, x.config1());
        assertEquals(Long.BYTES, x.config2(), "an execute breakpoint watches sizeof(long)");
        assertEquals("mem:0x1000/8:w", Event.parse("mem:0x1000/8:w").name());
        assertEquals(bpType(Event.parse("mem:0x1000/8:w")), HW_BREAKPOINT_W());
        assertEquals(bpType(Event.parse("mem:0x1000/2:wr")), HW_BREAKPOINT_RW());
        assertEquals(bpType(rw), HW_BREAKPOINT_RW());
        assertEquals(11, assertThrows(EventNameException.class, () -> Event.parse("mem:0x1000/3:w")).position()
                .orElseThrow(), "at the length");
        assertEquals(11, assertThrows(EventNameException.class, () -> Event.parse("mem:0x1000:rx")).position()
                .orElseThrow(), "at the access");
        assertEquals(0, assertThrows(EventNameException.class, () -> Event.parse("mem:zz")).position().orElseThrow());
    }

    @Test
    void modifiersSetTheAttrBitsPerfSets() {
        assertBits("cycles:u", perf_event_attr_bits::exclude_user, 0, perf_event_attr_bits::exclude_kernel, 1,
                perf_event_attr_bits::exclude_hv, 1);
        assertBits("cycles:k", perf_event_attr_bits::exclude_user, 1, perf_event_attr_bits::exclude_kernel, 0,
                perf_event_attr_bits::exclude_hv, 1);
        assertBits("cycles:uk", perf_event_attr_bits::exclude_user, 0, perf_event_attr_bits::exclude_kernel, 0,
                perf_event_attr_bits::exclude_hv, 1);
        assertBits("cycles:ppp", perf_event_attr_bits::precise_ip, 3, perf_event_attr_bits::exclude_user, 0,
                perf_event_attr_bits::exclude_kernel, 0);
        assertBits("cycles:P", perf_event_attr_bits::precise_ip, 3, perf_event_attr_bits::pinned, 0,
                perf_event_attr_bits::exclusive, 0);
        assertBits("cycles:De", perf_event_attr_bits::pinned, 1, perf_event_attr_bits::exclusive, 1,
                perf_event_attr_bits::precise_ip, 0);
        assertBits("cycles:IG", perf_event_attr_bits::exclude_idle, 1, perf_event_attr_bits::exclude_host, 1,
                perf_event_attr_bits::exclude_guest, 0);
        assertBits("cycles:H", perf_event_attr_bits::exclude_guest, 1, perf_event_attr_bits::exclude_host, 0,
                perf_event_attr_bits::exclude_idle, 0);
        // A modifier overrides the options for the fields it names, and leaves the others alone.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = EventOpener.attr(arena, Event.parse("task-clock:u"),
                    Options.defaults().excludeUser(true).inherit(true), 0, true, false);
            assertEquals(0, perf_event_attr_bits.exclude_user(attr), ":u wins over excludeUser(true)");
            assertEquals(1, perf_event_attr_bits.inherit(attr));
        }
    }

    @Test
    void malformedAndUnknownNamesSayWhyAndSuggest() {
        assertError("task-clok", 0, "Did you mean task-clock?");
        assertError("page-fault", 0, "page-faults");
        assertError("cycles:x", 7, "'x' is not a counting modifier");
        assertError("cycles:pppp", 10, "precise_ip goes up to 3");
        assertError("msr/tsc", 3, "closing '/'");
        assertError("msr/tcs/", 4, "Did you mean tsc?");
        assertError("nopmu/x/", 0, "PMUs here:");
        assertError("msr/event=0xzz/", 4, "is not a number");
        assertError("", -1, "empty");
        assertError("cycles:", 6, "nothing after ':'");
    }

    /** {@code name} is refused with an {@link EventNameException} at {@code position} (-1: none) saying {@code why}. */
    @Test
    void theFaultsPositionIsTheIndexInTheWholeName() throws Exception {
        assertError("/tsc/", 0, "the PMU name before '/' is missing");
        assertError(":u", 0, "a tracepoint is written subsystem:name");
        assertError("sched::u", 6, "a tracepoint is written subsystem:name");
        assertError("software/config=1/x", 18, "'x' is not a counting modifier");
        assertError("software/config=1/:x", 19, "'x' is not a counting modifier");
        assertError("software/a/b/", 10, "exactly two '/'");
        assertError("mem:0x1000:rw:x", 14, "'x' is not a counting modifier");
        assertError(" mem:0x1000:rw:x", 15, "'x' is not a counting modifier");
        assertError("mem:0x1000::u", 0, "a breakpoint is written");
        assertError("r1a8:uy", 6, "'y' is not a counting modifier");
        Tracefs tracefs = Tracefs.acquire();
        try {
            assertError("sched:sched_switch:x", 19, "'x' is not a counting modifier");
            assertError("  sched:sched_switch:ux", 22, "'x' is not a counting modifier");
        } finally {
            tracefs.release();
        }
    }

    private static void assertError(String name, int position, String why) {
        EventNameException e = assertThrows(EventNameException.class, () -> Event.parse(name), name);
        assertEquals(name, e.input());
        assertEquals(position, e.position().orElse(-1), name + ": " + e.getMessage());
        assertTrue(e.reason().contains(why), name + ": " + e.getMessage());
        assertTrue(e.getMessage().startsWith("event name '" + name + "'"), e.getMessage());
    }

    private static void assertBits(String name, ToLongFunction<MemorySegment> first, int firstValue,
            ToLongFunction<MemorySegment> second, int secondValue, ToLongFunction<MemorySegment> third, int thirdValue) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = EventOpener.attr(arena, Event.parse(name), Options.defaults(), 0, true, false);
            assertEquals(firstValue, first.applyAsLong(attr), name + ": first bit");
            assertEquals(secondValue, second.applyAsLong(attr), name + ": second bit");
            assertEquals(thirdValue, third.applyAsLong(attr), name + ": third bit");
        }
    }

    private static int bpType(Event e) {
        try (Arena arena = Arena.ofConfined()) {
            return perf_event_attr.bp_type(EventOpener.attr(arena, e, Options.defaults(), 0, true, false));
        }
    }

    private static String line(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            return reader.readLine().strip();
        }
    }
}
