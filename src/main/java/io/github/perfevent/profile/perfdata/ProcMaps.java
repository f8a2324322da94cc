/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile.perfdata;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lines of {@code /proc/<pid>/maps} (proc(5), "/proc/pid/maps"): {@code start-end perms offset major:minor inode
 * pathname}, all numbers but the inode in hexadecimal, the pathname empty for an anonymous mapping.
 */
final class ProcMaps {

    /** {@code PROT_READ}, {@code PROT_WRITE}, {@code PROT_EXEC} (mmap(2)). */
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int PROT_EXEC = 4;
    /** {@code MAP_SHARED}, {@code MAP_PRIVATE} (mmap(2)). */
    static final int MAP_SHARED = 1;
    static final int MAP_PRIVATE = 2;
    /** The name perf gives an anonymous mapping, the one for which it reads {@code /tmp/perf-<pid>.map}. */
    static final String ANONYMOUS = "//anon";

    private static final Pattern LINE = Pattern.compile(
            "([0-9a-f]+)-([0-9a-f]+) ([r-])([w-])([x-])([ps]) ([0-9a-f]+) ([0-9a-f]+):([0-9a-f]+) (\\d+)\\s*(.*)");

    private ProcMaps() {
    }

    /**
     * One mapping.
     *
     * @param start first address
     * @param end the address after the last
     * @param prot {@code PROT_*} bits
     * @param flags {@code MAP_SHARED} or {@code MAP_PRIVATE}
     * @param offset offset in the file
     * @param major device major
     * @param minor device minor
     * @param inode inode, 0 for an anonymous mapping
     * @param filename the pathname, one char per byte (read as ISO-8859-1: a path is bytes, not always UTF-8),
     *     {@link #ANONYMOUS} when the kernel shows none
     */
    record Mapping(long start, long end, int prot, int flags, long offset, int major, int minor, long inode,
            String filename) {

        boolean executable() {
            return (prot & PROT_EXEC) != 0;
        }
    }

    /**
     * One line of {@code file}; an {@link UnsupportedOperationException} naming both when it is not in the format
     * of proc(5), which no kernel this library knows writes.
     */
    static Mapping parse(String line, Path file) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            throw new UnsupportedOperationException("a line of " + file + " is not in the format of proc(5): \""
                    + line + "\"");
        }
        int prot = (m.group(3).equals("r") ? PROT_READ : 0) | (m.group(4).equals("w") ? PROT_WRITE : 0)
                | (m.group(5).equals("x") ? PROT_EXEC : 0);
        int flags = m.group(6).equals("s") ? MAP_SHARED : MAP_PRIVATE;
        String name = m.group(11).isEmpty() ? ANONYMOUS : m.group(11);
        return new Mapping(Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16), prot, flags,
                Long.parseUnsignedLong(m.group(7), 16), Integer.parseInt(m.group(8), 16),
                Integer.parseInt(m.group(9), 16), Long.parseLong(m.group(10)), name);
    }
}
