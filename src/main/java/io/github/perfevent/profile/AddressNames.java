/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Names of address ranges read from a text file: a perf map (JIT code) or {@code /proc/kallsyms} (the kernel), sorted
 * for binary search. Addresses are unsigned (kernel addresses have the top bit set); they are kept with that bit
 * flipped so that signed order is unsigned order. Immutable.
 */
final class AddressNames {

    /** The most entries one file gives: 4,194,304. */
    static final int MAX_ENTRIES = 1 << 22;
    /** Names are cut after this many bytes (then end in "..."): signatures of Java methods can be long. */
    static final int MAX_NAME_BYTES = 1024;
    /** A kernel symbol ends where the next one starts; the last covers one page. */
    private static final long LAST_KERNEL_SYMBOL_BYTES = 4096;

    private final long[] starts;
    private final long[] ends;
    private final String[] names;
    private final String[] modules;

    private AddressNames(long[] starts, long[] ends, String[] names, String[] modules) {
        this.starts = starts;
        this.ends = ends;
        this.names = names;
        this.modules = modules;
    }

    /** {@return the index of the range that holds {@code address}, or -1} */
    int indexOf(long address) {
        long key = address ^ Long.MIN_VALUE;
        int at = Arrays.binarySearch(starts, key);
        int index = at >= 0 ? at : -at - 2;
        return index >= 0 && key < ends[index] ? index : -1;
    }

    int size() {
        return starts.length;
    }

    String name(int index) {
        return names[index];
    }

    /** {@return the kernel module of entry {@code index} ({@code [name]}), or null for the kernel itself} */
    String module(int index) {
        return modules[index];
    }

    /**
     * The entries of a perf map: lines {@code START SIZE name}, START and SIZE in hexadecimal with or without
     * {@code 0x} (perf's tools/perf/Documentation/jit-interface.txt; HotSpot writes {@code 0x} and 16 digits). A
     * range of size 0 or one that wraps is skipped, and so is a line that does not parse. Where ranges start at the
     * same address the later line wins: code that was unloaded and replaced is written again.
     *
     * @throws IllegalArgumentException with more than {@link #MAX_ENTRIES} entries
     */
    static AddressNames perfMap(byte[] text) {
        Lines lines = new Lines(text);
        long[] starts = new long[16];
        long[] ends = new long[16];
        String[] names = new String[16];
        int n = 0;
        while (lines.next()) {
            long start = lines.hex();
            long size = lines.skipSpace() ? lines.hex() : -1;
            if (start == -1 || size <= 0 || !lines.skipSpace() || Long.compareUnsigned(start + size, start) <= 0) {
                continue;
            }
            if (n == MAX_ENTRIES) {
                throw new IllegalArgumentException("the perf map has more than " + MAX_ENTRIES + " entries");
            }
            if (n == starts.length) {
                starts = Arrays.copyOf(starts, 2 * n);
                ends = Arrays.copyOf(ends, 2 * n);
                names = Arrays.copyOf(names, 2 * n);
            }
            starts[n] = start ^ Long.MIN_VALUE;
            ends[n] = (start + size) ^ Long.MIN_VALUE;
            names[n] = lines.rest();
            n++;
        }
        Integer[] order = sortedByStart(starts, n, Comparator.<Integer>comparingInt(i -> i).reversed());
        return distinct(order, starts, ends, names, new String[n], false);
    }

    /**
     * The text symbols (types {@code t}, {@code T}, {@code w}, {@code W}) of {@code /proc/kallsyms}: lines
     * {@code ADDRESS TYPE NAME [\tMODULE]}. Each ends where the next starts. Null when every address is 0: the
     * kernel hides them from readers without {@code CAP_SYSLOG} (proc(5), {@code /proc/sys/kernel/kptr_restrict}).
     *
     * @throws IllegalArgumentException with more than {@link #MAX_ENTRIES} text symbols
     */
    static AddressNames kallsyms(byte[] text) {
        Lines lines = new Lines(text);
        long[] starts = new long[1024];
        String[] names = new String[1024];
        String[] modules = new String[1024];
        boolean[] global = new boolean[1024];
        int n = 0;
        boolean anyAddress = false;
        while (lines.next()) {
            long address = lines.hex();
            if (address == -1 || !lines.skipSpace()) {
                continue;
            }
            int type = lines.character();
            if ("tTwW".indexOf(type) < 0 || !lines.skipSpace()) {
                continue;
            }
            String rest = lines.rest();
            anyAddress |= address != 0;
            if (n == MAX_ENTRIES) {
                throw new IllegalArgumentException("/proc/kallsyms has more than " + MAX_ENTRIES + " text symbols");
            }
            if (n == starts.length) {
                starts = Arrays.copyOf(starts, 2 * n);
                names = Arrays.copyOf(names, 2 * n);
                modules = Arrays.copyOf(modules, 2 * n);
                global = Arrays.copyOf(global, 2 * n);
            }
            int tab = rest.indexOf('\t');
            starts[n] = address ^ Long.MIN_VALUE;
            names[n] = tab < 0 ? rest : rest.substring(0, tab);
            modules[n] = tab < 0 ? null : rest.substring(tab + 1).strip();
            global[n] = Character.isUpperCase(type);
            n++;
        }
        if (!anyAddress) {
            return null;
        }
        boolean[] isGlobal = global;
        Integer[] order = sortedByStart(starts, n, Comparator.comparingInt(i -> isGlobal[i] ? 0 : 1));
        return distinct(order, starts, new long[n], names, modules, true);
    }

    /** Indices 0..n-1 by start, then by {@code tie}, then in line order (the sort is stable). */
    private static Integer[] sortedByStart(long[] starts, int n, Comparator<Integer> tie) {
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.<Integer>comparingLong(i -> starts[i]).thenComparing(tie));
        return order;
    }

    /** The first entry of each start in {@code order}; kernel symbols end at the next start. */
    private static AddressNames distinct(Integer[] order, long[] starts, long[] ends, String[] names,
            String[] modules, boolean endAtNext) {
        int distinct = 0;
        for (int i = 0; i < order.length; i++) {
            if (i == 0 || starts[order[i]] != starts[order[i - 1]]) {
                order[distinct++] = order[i];
            }
        }
        long[] keptStarts = new long[distinct];
        long[] keptEnds = new long[distinct];
        String[] keptNames = new String[distinct];
        String[] keptModules = new String[distinct];
        for (int i = 0; i < distinct; i++) {
            keptStarts[i] = starts[order[i]];
            keptNames[i] = names[order[i]];
            keptModules[i] = modules[order[i]];
        }
        for (int i = 0; i < distinct; i++) {
            if (!endAtNext) {
                keptEnds[i] = ends[order[i]];
            } else if (i + 1 < distinct) {
                keptEnds[i] = keptStarts[i + 1];
            } else {
                long end = keptStarts[i] + LAST_KERNEL_SYMBOL_BYTES;
                keptEnds[i] = end < keptStarts[i] ? Long.MAX_VALUE : end;
            }
        }
        return new AddressNames(keptStarts, keptEnds, keptNames, keptModules);
    }

    /** A cursor over the lines of a text, reading hexadecimal numbers and words in place. */
    private static final class Lines {
        private final byte[] text;
        private int at;
        private int end = -1;

        Lines(byte[] text) {
            this.text = text;
        }

        /** Moves to the next line; false at the end of the text. */
        boolean next() {
            at = end + 1;
            if (at >= text.length) {
                return false;
            }
            end = at;
            while (end < text.length && text[end] != '\n') {
                end++;
            }
            return true;
        }

        /** A hexadecimal number of 1 to 16 digits, with or without {@code 0x}; -1 when there is none. */
        long hex() {
            if (at + 1 < end && text[at] == '0' && (text[at + 1] == 'x' || text[at + 1] == 'X')) {
                at += 2;
            }
            long value = 0;
            int digits = 0;
            while (at < end && Character.digit(text[at], 16) >= 0) {
                if (++digits > 16) {
                    return -1;
                }
                value = value << 4 | Character.digit(text[at], 16);
                at++;
            }
            return digits == 0 || at < end && text[at] != ' ' && text[at] != '\t' ? -1 : value;
        }

        /** Skips spaces and tabs; whether something follows on the line. */
        boolean skipSpace() {
            while (at < end && (text[at] == ' ' || text[at] == '\t')) {
                at++;
            }
            return at < end;
        }

        int character() {
            return text[at++];
        }

        /** The rest of the line without trailing white space, cut after {@link #MAX_NAME_BYTES} bytes. */
        String rest() {
            int stop = end;
            while (stop > at && (text[stop - 1] == ' ' || text[stop - 1] == '\r' || text[stop - 1] == '\t')) {
                stop--;
            }
            boolean cut = stop - at > MAX_NAME_BYTES;
            String s = new String(text, at, Math.min(stop - at, MAX_NAME_BYTES), StandardCharsets.UTF_8);
            return cut ? s + "..." : s;
        }
    }
}
