package io.github.perfevent.sampling;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test support: the online CPUs, from {@code /sys/devices/system/cpu/online} (such as {@code 0-3,5}). */
final class OnlineCpus {

    private OnlineCpus() {
    }

    /** {@return the numbers of the online CPUs, in order} */
    static List<Integer> list() {
        List<Integer> cpus = new ArrayList<>();
        try {
            for (String range : Files.readString(Path.of("/sys/devices/system/cpu/online")).strip().split(",")) {
                String[] ends = range.split("-");
                int first = Integer.parseInt(ends[0]);
                int last = ends.length == 1 ? first : Integer.parseInt(ends[1]);
                for (int cpu = first; cpu <= last; cpu++) {
                    cpus.add(cpu);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cpus;
    }
}
