package io.github.perfevent;

import static io.github.perfevent.sys.bindings.perf_event_h.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * perf's cache event names without the perf tool (PerfToolAgreementTest compares them with it): the config of
 * {@code cache | op << 8 | result << 16} from the header's constants, perf's plural for accesses, its aliases and
 * defaults, and its table of the ops each cache has.
 */
class CacheNamesTest {

    private static long config(int cache, int op, int result) {
        return cache | (long) op << 8 | (long) result << 16;
    }

    @Test
    void accessesAreNamedWithThePluralPerfUses() {
        Event prefetches = Event.cache(Event.Cache.L1D, Event.CacheOp.PREFETCH, Event.CacheResult.ACCESS);
        assertEquals("L1-dcache-prefetches", prefetches.name(), "perf: L1-dcache-prefetches, not -prefetchs");
        assertEquals("L1-dcache-prefetch-misses",
                Event.cache(Event.Cache.L1D, Event.CacheOp.PREFETCH, Event.CacheResult.MISS).name());
        assertEquals("LLC-stores", Event.cache(Event.Cache.LL, Event.CacheOp.WRITE, Event.CacheResult.ACCESS).name());
        assertEquals(prefetches, Event.parse("L1-dcache-prefetches"), "the name parses back to the same event");
        assertEquals(config(PERF_COUNT_HW_CACHE_L1D(), PERF_COUNT_HW_CACHE_OP_PREFETCH(),
                PERF_COUNT_HW_CACHE_RESULT_ACCESS()), prefetches.config());
    }

    @Test
    void aliasesAndDefaultsAreThoseOfPerf() {
        Event llc = Event.parse("LLC");
        assertEquals(PERF_TYPE_HW_CACHE(), llc.type());
        assertEquals(config(PERF_COUNT_HW_CACHE_LL(), PERF_COUNT_HW_CACHE_OP_READ(),
                PERF_COUNT_HW_CACHE_RESULT_ACCESS()), llc.config(), "op defaults to read, result to access");
        assertEquals("LLC-loads", llc.name(), "named with perf's canonical name");
        assertEquals(config(PERF_COUNT_HW_CACHE_DTLB(), PERF_COUNT_HW_CACHE_OP_PREFETCH(),
                PERF_COUNT_HW_CACHE_RESULT_MISS()), Event.parse("Data-TLB-speculative-read-miss").config());
        assertEquals(config(PERF_COUNT_HW_CACHE_L1D(), PERF_COUNT_HW_CACHE_OP_PREFETCH(),
                PERF_COUNT_HW_CACHE_RESULT_MISS()), Event.parse("l1d-misses-prefetch").config(),
                "the result may come before the op");
        assertEquals(config(PERF_COUNT_HW_CACHE_BPU(), PERF_COUNT_HW_CACHE_OP_READ(),
                PERF_COUNT_HW_CACHE_RESULT_MISS()), Event.parse("branch-load-misses").config());
        assertEquals(PERF_TYPE_HARDWARE(), Event.parse("branches").type(),
                "branches alone is the hardware event, as in perf, although it is also a cache alias");
        assertEquals(PERF_TYPE_HARDWARE(), Event.parse("branch-misses").type());
        assertEquals("L1-dcache-load-misses:u", Event.parse("L1-dcache-load-misses:u").name());
    }

    @Test
    void anOpTheCacheDoesNotHaveIsRefused() {
        EventNameException e = assertThrows(EventNameException.class, () -> Event.parse("L1-icache-stores"));
        assertTrue(e.reason().contains("L1-icache has no store events"), e.getMessage());
        assertTrue(e.reason().contains("[load, prefetch]"), e.getMessage());
        assertEquals(10, e.position().orElseThrow(), "at the op");
        assertEquals(List.of(), e.suggestions());
        assertEquals(11, assertThrows(EventNameException.class, () -> Event.parse("l1i-misses-stores:u")).position()
                .orElseThrow(), "at the op, after the result");
        assertEquals(5, assertThrows(EventNameException.class, () -> Event.parse("iTLB-prefetches")).position()
                .orElseThrow());
        assertEquals(7, assertThrows(EventNameException.class, () -> Event.parse("branch-stores")).position()
                .orElseThrow());
        assertEquals(7, assertThrows(EventNameException.class, () -> Event.parse("branch-store-misses")).position()
                .orElseThrow());
    }

    @Test
    void somethingThatOnlyStartsLikeACacheNameIsNotOne() {
        for (String name : new String[] {"L1-dcache-loads-misses-x", "LLCX", "l1d-", "dTLB-loadz"}) {
            EventNameException e = assertThrows(EventNameException.class, () -> Event.parse(name), name);
            assertTrue(e.reason().startsWith("no event is called"), name + ": " + e.getMessage());
        }
        EventNameException loadz = assertThrows(EventNameException.class, () -> Event.parse("dTLB-loadz"));
        assertTrue(loadz.reason().contains("Did you mean dTLB-loads or iTLB-loads?"), "the exact list, nearest first");
        assertEquals(List.of("dTLB-loads", "iTLB-loads"), loadz.suggestions());
    }
}
