package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Tracefs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@link EventCatalog} lists what sysfs and tracefs hold, and every name it lists is one {@link Event#parse} takes. */
class EventCatalogTest {

    @Test
    void theCatalogListsEveryPmuEventAndEveryTracepointAndEachNameParses() throws Exception {
        Tracefs tracefs = Tracefs.acquire();
        try {
            List<EventCatalog.Entry> entries = EventCatalog.list();
            Map<String, EventCatalog.Entry> byName = entries.stream()
                    .collect(Collectors.toMap(EventCatalog.Entry::name, Function.identity()));
            assertEquals(entries.size(), byName.size(), "names are unique");
            assertEquals(EventCatalog.Kind.SOFTWARE, byName.get("task-clock").kind());
            assertEquals(EventCatalog.Kind.HARDWARE, byName.get("cpu-cycles").kind());
            assertEquals(EventCatalog.Kind.HARDWARE_CACHE, byName.get("L1-dcache-load-misses").kind());
            // Exactly the cache events that parse: perf's valid ones (PerfToolAgreementTest checks parse against perf).
            java.util.Set<String> parsable = new java.util.TreeSet<>();
            for (Event.Cache cache : Event.Cache.values()) {
                for (Event.CacheOp op : Event.CacheOp.values()) {
                    for (Event.CacheResult result : Event.CacheResult.values()) {
                        String name = Event.cache(cache, op, result).name();
                        try {
                            parsable.add(Event.parse(name).name());
                        } catch (EventNameException e) {
                            assertTrue(e.reason().contains(" has no "), e.getMessage());
                        }
                    }
                }
            }
            assertEquals(parsable, entries.stream().filter(e -> e.kind() == EventCatalog.Kind.HARDWARE_CACHE)
                    .map(EventCatalog.Entry::name).collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new)));
            assertTrue(parsable.contains("L1-dcache-prefetches") && !parsable.contains("L1-icache-stores"), parsable.toString());

            for (Path pmu : list(Pmu.DEVICES)) {
                String name = pmu.getFileName().toString();
                assertEquals(EventCatalog.Kind.PMU, byName.get(name + "//").kind(), name);
                Path events = pmu.resolve("events");
                if (Files.isDirectory(events)) {
                    for (Path event : list(events)) {
                        String e = event.getFileName().toString();
                        if (!e.contains(".")) {
                            assertEquals(EventCatalog.Kind.PMU_EVENT, byName.get(name + "/" + e + "/").kind(), e);
                        }
                    }
                }
            }
            long tracepoints = 0;
            for (Path subsystem : list(Tracefs.ROOT.resolve("events"))) {
                if (Files.isDirectory(subsystem)) {
                    for (Path event : list(subsystem)) {
                        if (Files.isRegularFile(event.resolve("id"))) {
                            tracepoints++;
                            String name = subsystem.getFileName() + ":" + event.getFileName();
                            assertEquals(EventCatalog.Kind.TRACEPOINT, byName.get(name).kind(), name);
                        }
                    }
                }
            }
            assertEquals(tracepoints, entries.stream().filter(e -> e.kind() == EventCatalog.Kind.TRACEPOINT).count());
            assertTrue(byName.containsKey("syscalls:sys_enter_getpid"));
            assertEquals(List.of(), EventCatalog.notes(), "with tracefs mounted nothing is missing");

            int i = 0;
            for (EventCatalog.Entry entry : entries) {
                if (entry.kind() != EventCatalog.Kind.TRACEPOINT || i++ % 25 == 0) {
                    assertEquals(entry.name(), Event.parse(entry.name()).name(), "the listed name parses");
                }
            }
        } finally {
            tracefs.release();
        }
    }

    @Test
    void withoutTracefsTheNotesSayWhyThereAreNoTracepoints() {
        Assumptions.assumeFalse(Tracing.root().isPresent(), "skipped: tracefs is mounted on this machine");
        assertTrue(EventCatalog.list().stream().noneMatch(e -> e.kind() == EventCatalog.Kind.TRACEPOINT));
        assertEquals(1, EventCatalog.notes().size());
        assertTrue(EventCatalog.notes().get(0).contains("mount -t tracefs"), EventCatalog.notes().toString());
    }

    @Test
    void hardwareEventsSayWhenThereIsNoHardwarePmu() {
        boolean hardware = Files.isDirectory(Pmu.DEVICES.resolve("cpu")) || Files.isDirectory(Pmu.DEVICES.resolve("cpu_core"))
                || Files.isDirectory(Pmu.DEVICES.resolve("armv8_pmuv3_0"));
        String description = EventCatalog.list().stream().filter(e -> e.name().equals("instructions")).findFirst()
                .orElseThrow().description();
        assertEquals(!hardware, description.contains("no hardware PMU"), description);
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        }
    }
}
