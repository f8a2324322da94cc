package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Fixtures;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import io.github.perfevent.sys.bindings.perf_event_attr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each {@link Options} setting reaches the attr (checked bit by bit), and where a software event can show it, the
 * kernel acts on it: exclusions, inherit and inherit_thread, enable/remove on exec, pinned and exclusive leaders.
 */
class OptionsTest {

    private static final Event PAGE_FAULTS = Event.Software.PAGE_FAULTS.event();
    private static final int PAGES = 2000;

    private static Path workload;

    @BeforeAll
    static void compileTheWorkload() {
        workload = Programs.compiled("workload", "-pthread");
    }

    @Test
    void everyOptionSetsItsAttrFieldAndNothingElse() {
        check(o -> o.excludeUser(true), perf_event_attr_bits::exclude_user, 1);
        check(o -> o.excludeKernel(true), perf_event_attr_bits::exclude_kernel, 1);
        check(o -> o.excludeHv(true), perf_event_attr_bits::exclude_hv, 1);
        check(o -> o.excludeIdle(true), perf_event_attr_bits::exclude_idle, 1);
        check(o -> o.excludeHost(true), perf_event_attr_bits::exclude_host, 1);
        check(o -> o.excludeGuest(true), perf_event_attr_bits::exclude_guest, 1);
        check(o -> o.inherit(true), perf_event_attr_bits::inherit, 1);
        check(o -> o.inheritStat(true), perf_event_attr_bits::inherit_stat, 1);
        check(o -> o.inheritThread(true), perf_event_attr_bits::inherit_thread, 1);
        check(o -> o.pinned(true), perf_event_attr_bits::pinned, 1);
        check(o -> o.exclusive(true), perf_event_attr_bits::exclusive, 1);
        check(o -> o.enableOnExec(true), perf_event_attr_bits::enable_on_exec, 1);
        check(o -> o.removeOnExec(true), perf_event_attr_bits::remove_on_exec, 1);
        check(o -> o.preciseIp(2), perf_event_attr_bits::precise_ip, 2);
        check(o -> o.clockId(4), perf_event_attr_bits::use_clockid, 1);
        check(o -> o.clockId(4), a -> perf_event_attr.clockid(a), 4);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment member = EventOpener.attr(arena, PAGE_FAULTS,
                    Options.defaults().pinned(true).exclusive(true), 0, false, false);
            assertEquals(0, perf_event_attr_bits.pinned(member), "only a leader is pinned");
            assertEquals(0, perf_event_attr_bits.exclusive(member), "only a leader is exclusive");
            assertEquals(0, perf_event_attr_bits.disabled(member), "members follow their leader");
            MemorySegment childMember = EventOpener.attr(arena, PAGE_FAULTS, Options.defaults(), 0, false, true);
            assertEquals(0, perf_event_attr_bits.enable_on_exec(childMember), "a child's leader alone enables at exec");
            MemorySegment leader = EventOpener.attr(arena, PAGE_FAULTS, Options.defaults(), 0, true, true);
            assertEquals(1, perf_event_attr_bits.disabled(leader), "opened disabled");
            assertEquals(1, perf_event_attr_bits.enable_on_exec(leader), "a child's counter enables at exec");
            assertEquals(perf_event_attr.sizeof(), perf_event_attr.size(leader));
        }
    }

    /** Sets one option and checks its field, and that the attr differs from the default one in that word only. */
    private static void check(UnaryOperator<Options> option, ToLongFunction<MemorySegment> field, long expected) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = EventOpener.attr(arena, PAGE_FAULTS, option.apply(Options.defaults()), 0, true, false);
            MemorySegment plain = EventOpener.attr(arena, PAGE_FAULTS, Options.defaults(), 0, true, false);
            assertEquals(expected, field.applyAsLong(set));
            assertEquals(0, field.applyAsLong(plain), "off by default");
        }
    }

    @Test
    void preciseIpTakesZeroToThreeAndRefusesAnythingElse() {
        for (int level = 0; level <= 3; level++) {
            int set = level;
            check(o -> o.preciseIp(set), perf_event_attr_bits::precise_ip, set);
        }
        for (int level : new int[] {-1, 4, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Options.defaults().preciseIp(level));
            assertEquals("precise_ip is 0 to 3, not " + level, e.getMessage());
        }
    }

    @Test
    void toStringNamesWhatDiffersFromTheDefaultsThenTheReadFormat() {
        String defaultFormat = "readFormat=[TOTAL_TIME_ENABLED, TOTAL_TIME_RUNNING]";
        assertEquals("Options[" + defaultFormat + "]", Options.defaults().toString());
        assertEquals("Options[excludeKernel, inherit, " + defaultFormat + "]",
                Options.defaults().excludeKernel(true).inherit(true).toString(), "the documented example");
        assertEquals("Options[" + defaultFormat + "]", Options.defaults().pinned(true).pinned(false).toString(),
                "an option set back to its default is not shown");
        Options all = Options.defaults().excludeUser(true).excludeKernel(true).excludeHv(true).excludeIdle(true)
                .excludeHost(true).excludeGuest(true).inherit(true).inheritStat(true).inheritThread(true).pinned(true)
                .exclusive(true).enableOnExec(true).removeOnExec(true).clockId(4).preciseIp(2)
                .readFormat(Set.of(ReadFormat.LOST, ReadFormat.ID));
        assertEquals("Options[excludeUser, excludeKernel, excludeHv, excludeIdle, excludeHost, excludeGuest, inherit, "
                + "inheritStat, inheritThread, pinned, exclusive, enableOnExec, removeOnExec, clockId=4, preciseIp=2, "
                + "readFormat=[ID, LOST]]", all.toString());
        assertEquals("Options[clockId=0, readFormat=[]]", Options.defaults().clockId(0).readFormat(Set.of()).toString(),
                "clock 0 (CLOCK_REALTIME) is a choice: use_clockid is set");
    }

    @Test
    void excludeUserHidesFaultsTakenInUserModeAndExcludeKernelKeepsThem() {
        assertEquals(0, faultsWith(Options.defaults().excludeUser(true)), "page faults of user code happen in user mode");
        assertTrue(faultsWith(Options.defaults().excludeKernel(true)) >= PAGES);
    }

    private static long faultsWith(Options options) {
        try (Counter faults = Counter.open(PAGE_FAULTS, Target.currentThread(), options)) {
            faults.enable();
            Fixtures.touchFreshPages(PAGES);
            faults.disable();
            return faults.read();
        }
    }

    @Test
    void inheritCountsNewThreadsAndProcessesAndInheritThreadOnlyThreads() throws Exception {
        long processes = spawnedFaults(Options.defaults().inherit(true), true);
        long threadsOnly = spawnedFaults(Options.defaults().inherit(true).inheritThread(true), true);
        long none = spawnedFaults(Options.defaults(), true);
        assertTrue(processes >= 2 * PAGES, "inherit: the new thread's and the process's faults: " + processes);
        assertTrue(threadsOnly >= PAGES && threadsOnly < 2 * PAGES,
                "inherit_thread: the thread's, not the process's: " + threadsOnly);
        assertTrue(none < PAGES, "no inherit: neither: " + none);
    }

    /**
     * Opens a counter on this thread, then (if asked) starts a thread touching PAGES pages, and a process whose
     * child touches PAGES pages; returns the count.
     */
    private static long spawnedFaults(Options options, boolean withThread) throws Exception {
        try (Counter faults = Counter.open(PAGE_FAULTS, Target.currentThread(), options)) {
            faults.enable();
            if (withThread) {
                Thread thread = Thread.ofPlatform().start(() -> Fixtures.touchFreshPages(PAGES));
                thread.join();
            }
            Process process = new ProcessBuilder(workload.toString(), "fork", "1", Integer.toString(PAGES)).start();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue());
            faults.disable();
            return faults.read();
        }
    }

    @Test
    void removeOnExecTakesAnInheritedCounterAwayAtTheChildsExec() throws Exception {
        long inherited = spawnedFaults(Options.defaults().inherit(true), false);
        long removed = spawnedFaults(Options.defaults().inherit(true).removeOnExec(true), false);
        assertTrue(inherited >= PAGES, "inherited into the new process, which execs the workload: " + inherited);
        assertTrue(removed < PAGES, "removed from the new process at its exec: " + removed);
    }

    @Test
    void removeOnExecWithEnableOnExecIsRefusedByTheKernel() throws Exception {
        try (ChildProcess child = ChildProcess.prepare("/bin/true")) {
            PerfEventException e = assertThrows(PerfEventException.class,
                    () -> Counter.open(PAGE_FAULTS, child.target(), Options.defaults().removeOnExec(true)));
            assertEquals(io.github.perfevent.sys.Errno.EINVAL, e.errno());
            assertTrue(e.hint().contains("remove_on_exec with enable_on_exec"), e.getMessage());
        }
    }

    @Test
    void aPinnedExclusiveLeaderOpensAndCounts() {
        try (Group group = Group.open(List.of(PAGE_FAULTS, Event.Software.PAGE_FAULTS_MIN.event()),
                Target.currentThread(), Options.defaults().pinned(true).exclusive(true))) {
            group.enable();
            Fixtures.touchFreshPages(PAGES);
            group.disable();
            GroupReading r = group.read(group.newReading());
            assertTrue(r.value(0) >= PAGES && r.value(1) >= PAGES, r.toString());
        }
    }

    @Test
    void aClockIdTheKernelKnowsOpens() {
        int clockMonotonicRaw = 4;
        try (Counter c = Counter.open(PAGE_FAULTS, Target.currentThread(), Options.defaults().clockId(clockMonotonicRaw))) {
            assertEquals(0, c.read());
        }
    }
}
