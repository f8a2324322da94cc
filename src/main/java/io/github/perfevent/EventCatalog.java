/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every event this machine offers, as data (what {@code perf list} prints, perf-list(1)): the software events, the
 * generic hardware and cache events, each PMU of {@code /sys/bus/event_source/devices} with its named events and
 * its format fields, and every tracepoint of tracefs. Each entry's name is one {@link Event#parse} accepts.
 *
 * <p>Read from sysfs and tracefs at each call. What cannot be listed (tracefs not mounted or not readable) is said
 * in {@link #notes()} rather than failing the listing.
 */
public final class EventCatalog {

    /** What kind of event an entry is. */
    public enum Kind {
        /** {@code PERF_TYPE_SOFTWARE}: counted by the kernel, available everywhere. */
        SOFTWARE,
        /** {@code PERF_TYPE_HARDWARE}: needs a hardware PMU. */
        HARDWARE,
        /** {@code PERF_TYPE_HW_CACHE}: needs a hardware PMU. */
        HARDWARE_CACHE,
        /** A named event of a sysfs PMU ({@code events/}), such as {@code msr/tsc/}. */
        PMU_EVENT,
        /** A sysfs PMU itself, whose {@code format/} fields build events ({@code pmu/field=value/}). */
        PMU,
        /** A tracepoint of tracefs, such as {@code sched:sched_switch}. */
        TRACEPOINT
    }

    /**
     * One event.
     *
     * @param name the name {@link Event#parse} takes
     * @param kind its kind
     * @param description what it is, or its terms and formats
     */
    public record Entry(String name, Kind kind, String description) {
    }

    private EventCatalog() {
    }

    /**
     * {@return every event of this machine: software, hardware, hardware cache, PMU events and PMUs, tracepoints}
     *
     * @throws PerfEventException with the errno of the failed access when a file of a PMU cannot be read (tracefs
     *     that cannot be read is said in {@link #notes()} instead)
     * @throws UnsupportedOperationException when a PMU's {@code type} file does not hold a number
     */
    public static List<Entry> list() {
        List<Entry> entries = new ArrayList<>();
        for (Event.Software s : Event.Software.values()) {
            entries.add(new Entry(s.perfName(), Kind.SOFTWARE, "software event" + alias(s.alias())));
        }
        String hardware = hasHardwarePmu() ? "hardware event"
                : "hardware event; this machine has no hardware PMU (no cpu PMU in sysfs), so it will not open";
        for (Event.Hardware h : Event.Hardware.values()) {
            entries.add(new Entry(h.perfName(), Kind.HARDWARE, hardware + alias(h.alias())));
        }
        for (Event cache : CacheNames.events()) {
            entries.add(new Entry(cache.name(), Kind.HARDWARE_CACHE,
                    hardware.replace("hardware event", "hardware cache event")));
        }
        for (Pmu pmu : Pmu.all()) {
            for (Map.Entry<String, String> event : pmu.events().entrySet()) {
                entries.add(new Entry(pmu.name() + "/" + event.getKey() + "/", Kind.PMU_EVENT,
                        "PMU " + pmu.name() + " (type " + pmu.type() + "): " + event.getValue()));
            }
            entries.add(new Entry(pmu.name() + "//", Kind.PMU, "PMU type " + pmu.type()
                    + (pmu.formats().isEmpty() ? "" : ", fields " + pmu.formats())));
        }
        for (String tracepoint : Tracing.tracepoints()) {
            entries.add(new Entry(tracepoint, Kind.TRACEPOINT, "tracepoint"));
        }
        return entries;
    }

    /** {@return what the listing could not include and why, such as tracefs not being mounted; empty if nothing} */
    public static List<String> notes() {
        Optional<String> tracing = Tracing.problem();
        return tracing.map(p -> List.of("tracepoints are not listed: " + p)).orElse(List.of());
    }

    private static String alias(String alias) {
        return alias == null ? "" : " (alias " + alias + ")";
    }

    static boolean hasHardwarePmu() {
        for (String name : List.of("cpu", "cpu_core", "cpu_atom", "armv8_pmuv3", "armv8_pmuv3_0")) {
            if (Files.isDirectory(Pmu.DEVICES.resolve(name))) {
                return true;
            }
        }
        return false;
    }
}
