/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile.perfdata;

/**
 * A CPU list of sysfs ({@code /sys/devices/system/cpu/online}, {@code present}): comma-separated CPUs and ranges,
 * such as {@code 0-3,8,10-11} (Documentation/ABI/testing/sysfs-devices-system-cpu).
 */
final class CpuList {

    private CpuList() {
    }

    /** {@return the number of CPUs {@code list} names} */
    static int count(String list) {
        int count = 0;
        for (String part : parts(list)) {
            long[] range = range(part, list);
            count += (int) (range[1] - range[0] + 1);
        }
        return count;
    }

    /** {@return the highest CPU {@code list} names} */
    static long highest(String list) {
        long highest = -1;
        for (String part : parts(list)) {
            highest = Math.max(highest, range(part, list)[1]);
        }
        return highest;
    }

    private static String[] parts(String list) {
        if (list.isBlank()) {
            throw new UnsupportedOperationException("an empty CPU list: sysfs lists at least the CPU this runs on");
        }
        return list.strip().split(",");
    }

    private static long[] range(String part, String list) {
        int dash = part.indexOf('-');
        try {
            long first = Long.parseLong(dash < 0 ? part : part.substring(0, dash));
            long last = dash < 0 ? first : Long.parseLong(part.substring(dash + 1));
            if (first < 0 || last < first) {
                throw new NumberFormatException(part);
            }
            return new long[] {first, last};
        } catch (NumberFormatException e) {
            throw new UnsupportedOperationException("\"" + list + "\" is not a sysfs CPU list", e);
        }
    }
}
