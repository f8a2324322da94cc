/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What resolving one event name reads from the machine, each thing at most once: where tracefs is mounted (from
 * {@code /proc/mounts}), the listing of every tracepoint, and the listing of sysfs's PMUs with their named events.
 * The listings serve only the suggestions for an unknown name, so they are made only for one, and a name longer than
 * {@link Suggestions#MAX_LENGTH} characters gets none: a service that resolves names its users send cannot be made to
 * list tracefs (2,300 directories) again and again within one call, nor to compare a long name with all of them.
 * Counts its listings, so that a test can prove the bound. Confined to the thread that resolves the name.
 */
final class NameSources {

    private final Path devices;
    private Optional<Path> tracefs;
    private List<String> tracepoints;
    private Map<String, List<String>> pmuEvents;
    private IOException sysfsFailure;
    private int tracefsListings;
    private int sysfsListings;

    /** @param devices sysfs's directory of PMUs, {@link Pmu#DEVICES} but in tests */
    NameSources(Path devices) {
        this.devices = devices;
    }

    /**
     * @param devices sysfs's directory of PMUs
     * @param tracefs the tracefs directory, or empty for "not mounted" (tests give a tree of their own)
     */
    NameSources(Path devices, Optional<Path> tracefs) {
        this.devices = devices;
        this.tracefs = tracefs;
    }

    /** {@return sysfs's directory of PMUs} */
    Path devices() {
        return devices;
    }

    /** {@return the tracefs directory, if one is mounted; /proc/mounts is read on the first call only} */
    Optional<Path> tracefs() {
        if (tracefs == null) {
            tracefs = Tracing.root();
        }
        return tracefs;
    }

    /** {@return every tracepoint as {@code subsystem:name}, sorted; tracefs is listed on the first call only} */
    List<String> tracepoints() {
        if (tracepoints == null) {
            tracefsListings++;
            tracepoints = tracefs().map(Tracing::tracepoints).orElse(List.of());
        }
        return tracepoints;
    }

    /**
     * {@return every PMU of sysfs, sorted, with the names of its {@code events/} files (sorted, without the
     * {@code .scale}-like attributes); empty when sysfs cannot be listed; listed on the first call only}
     */
    Map<String, List<String>> pmuEvents() {
        if (pmuEvents == null) {
            sysfsListings++;
            Map<String, List<String>> all = new TreeMap<>();
            List<String> pmus;
            try {
                pmus = listOrThrow(devices);
            } catch (IOException e) {
                sysfsFailure = e;
                pmus = List.of();
            }
            for (String pmu : pmus) {
                all.put(pmu, list(devices.resolve(pmu).resolve("events")).stream()
                        .filter(event -> !Pmu.isEventAttribute(event)).toList());
            }
            pmuEvents = Collections.unmodifiableMap(all);
        }
        return pmuEvents;
    }

    /** {@return why sysfs's PMU directory could not be listed by {@link #pmuEvents()}, if it could not} */
    Optional<IOException> sysfsFailure() {
        return Optional.ofNullable(sysfsFailure);
    }

    /** {@return every PMU event as perf writes it, {@code pmu/event/}} */
    List<String> pmuEventNames() {
        List<String> names = new ArrayList<>();
        pmuEvents().forEach((pmu, events) -> events.forEach(event -> names.add(pmu + "/" + event + "/")));
        return names;
    }

    /** {@return how many times tracefs was listed} */
    int tracefsListings() {
        return tracefsListings;
    }

    /** {@return how many times sysfs was listed} */
    int sysfsListings() {
        return sysfsListings;
    }

    /** The names in {@code dir}, sorted; none when it cannot be listed (the suggestions are then made without them). */
    private static List<String> list(Path dir) {
        try {
            return listOrThrow(dir);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static List<String> listOrThrow(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
