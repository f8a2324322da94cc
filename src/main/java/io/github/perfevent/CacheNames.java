/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * perf's names of the generic hardware cache events ({@code PERF_TYPE_HW_CACHE}), as the perf tool reads them
 * (tools/perf/util/parse-events.c and evsel.c of the kernel tree, and the installed {@code perf stat -vv}):
 * {@code <cache>[-<op>][-<result>]} with the op and the result in either order, each word one of perf's aliases and
 * matched without regard to case ({@code L1-dcache}, {@code l1d}, {@code L1-data}; {@code load}, {@code loads},
 * {@code read}; {@code misses}, {@code miss}...). The op defaults to a read, the result to an access:
 * {@code LLC} is {@code LLC-loads}. Some ops do not exist for some caches (an instruction cache is not written):
 * perf and this class refuse {@code L1-icache-stores}, and list only the valid combinations.
 */
final class CacheNames {

    private static final Map<Event.Cache, List<String>> CACHES = new EnumMap<>(Map.of(
            Event.Cache.L1D, List.of("L1-dcache", "l1-d", "l1d", "L1-data"),
            Event.Cache.L1I, List.of("L1-icache", "l1-i", "l1i", "L1-instruction"),
            Event.Cache.LL, List.of("LLC", "L2"),
            Event.Cache.DTLB, List.of("dTLB", "d-tlb", "Data-TLB"),
            Event.Cache.ITLB, List.of("iTLB", "i-tlb", "Instruction-TLB"),
            Event.Cache.BPU, List.of("branch", "branches", "bpu", "btb", "bpc"),
            Event.Cache.NODE, List.of("node")));

    private static final Map<Event.CacheOp, List<String>> OPS = new EnumMap<>(Map.of(
            Event.CacheOp.READ, List.of("load", "loads", "read"),
            Event.CacheOp.WRITE, List.of("store", "stores", "write"),
            Event.CacheOp.PREFETCH, List.of("prefetch", "prefetches", "speculative-read", "speculative-load")));

    private static final Map<Event.CacheResult, List<String>> RESULTS = new EnumMap<>(Map.of(
            Event.CacheResult.ACCESS, List.of("refs", "Reference", "ops", "access"),
            Event.CacheResult.MISS, List.of("misses", "miss")));

    /** perf's table of the ops each cache has (evsel__hw_cache_stat). */
    private static final Map<Event.Cache, Set<Event.CacheOp>> VALID = new EnumMap<>(Map.of(
            Event.Cache.L1D, EnumSet.allOf(Event.CacheOp.class),
            Event.Cache.L1I, EnumSet.of(Event.CacheOp.READ, Event.CacheOp.PREFETCH),
            Event.Cache.LL, EnumSet.allOf(Event.CacheOp.class),
            Event.Cache.DTLB, EnumSet.allOf(Event.CacheOp.class),
            Event.Cache.ITLB, EnumSet.of(Event.CacheOp.READ),
            Event.Cache.BPU, EnumSet.of(Event.CacheOp.READ),
            Event.Cache.NODE, EnumSet.allOf(Event.CacheOp.class)));

    private CacheNames() {
    }

    /** {@return every valid cache event, in perf's order, named as perf names them} */
    static List<Event> events() {
        List<Event> events = new ArrayList<>();
        for (Event.Cache cache : Event.Cache.values()) {
            for (Event.CacheOp op : VALID.get(cache)) {
                for (Event.CacheResult result : Event.CacheResult.values()) {
                    events.add(Event.cache(cache, op, result));
                }
            }
        }
        return events;
    }

    /**
     * The cache event {@code name} spells (named with perf's canonical name, such as {@code L1-dcache-loads} for
     * {@code l1d}), or null when {@code name} is not a cache event name at all.
     *
     * @throws EventNameException when it names an op the cache does not have (at the index of the op)
     */
    static Event parse(String name) {
        int[] at = {0};
        Event.Cache cache = word(name, at, CACHES);
        if (cache == null) {
            return null;
        }
        Event.CacheOp op = null;
        int opAt = -1;
        Event.CacheResult result = null;
        while (at[0] < name.length() && (op == null || result == null)) {
            if (name.charAt(at[0]) != '-') {
                return null;
            }
            at[0]++;
            int wordAt = at[0];
            Event.CacheOp o = op == null ? word(name, at, OPS) : null;
            if (o != null) {
                op = o;
                opAt = wordAt;
                continue;
            }
            Event.CacheResult r = result == null ? word(name, at, RESULTS) : null;
            if (r == null) {
                return null;
            }
            result = r;
        }
        if (at[0] != name.length()) {
            return null;
        }
        op = op == null ? Event.CacheOp.READ : op;
        if (!VALID.get(cache).contains(op)) {
            throw new EventNameException("event name", name, opAt, CACHES.get(cache).get(0) + " has no "
                    + op.perfName() + " events (perf's table: it has " + VALID.get(cache).stream()
                            .map(Event.CacheOp::perfName).toList() + ")", List.of());
        }
        return Event.cache(cache, op, result == null ? Event.CacheResult.ACCESS : result);
    }

    /**
     * The key whose alias {@code name} has at {@code at[0]}, followed by '-' or the end (the longest alias of the first
     * key that has one, as perf's parse_aliases), advancing {@code at[0]} past it; or null.
     */
    private static <K> K word(String name, int[] at, Map<K, List<String>> aliases) {
        for (Map.Entry<K, List<String>> entry : aliases.entrySet()) {
            int longest = -1;
            for (String alias : entry.getValue()) {
                int end = at[0] + alias.length();
                if (alias.length() > longest && name.regionMatches(true, at[0], alias, 0, alias.length())
                        && (end == name.length() || name.charAt(end) == '-')) {
                    longest = alias.length();
                }
            }
            if (longest > 0) {
                at[0] += longest;
                return entry.getKey();
            }
        }
        return null;
    }
}
