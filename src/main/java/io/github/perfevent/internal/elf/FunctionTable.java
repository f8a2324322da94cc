/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.internal.elf;

import java.util.Arrays;

/**
 * The functions of one ELF file by file offset, sorted for binary search: every {@code STT_FUNC} and
 * {@code STT_GNU_IFUNC} symbol of its {@code .symtab} (else {@code .dynsym}) that is defined, at
 * {@code st_value} translated through the {@code PT_LOAD} segment that holds it (elf(5)). Made by
 * {@link ElfSymbols#functions}; immutable, so safe to share between threads.
 *
 * <p>One function is kept per offset: of aliases (glibc's {@code __GI_memcpy} and {@code memcpy}), the global
 * symbol wins over a weak one and a weak one over a local one, then the name with fewer leading underscores, then
 * the shorter name, then the first in byte order. A function covers {@code [offset, offset + st_size)}; one of size
 * 0 (hand-written assembly often has none) covers up to the next function, or only its first byte when it is the
 * last. An offset inside no function (padding between functions, code without a symbol) has none: a symbolizer
 * shows it as unknown rather than guess.
 */
public final class FunctionTable {

    private final long[] offsets;
    private final long[] ends;
    private final String[] names;
    private final long estimatedBytes;

    /** {@code offsets} sorted and distinct; {@code ends[i] > offsets[i]}. The arrays are the table's own. */
    FunctionTable(long[] offsets, long[] ends, String[] names) {
        this.offsets = offsets;
        this.ends = ends;
        this.names = names;
        long bytes = 64 + 24L * offsets.length;
        for (String name : names) {
            bytes += 48 + name.length();
        }
        this.estimatedBytes = bytes;
    }

    /** {@return how many functions the table holds} */
    public int size() {
        return offsets.length;
    }

    /**
     * {@return the index of the function whose code holds {@code fileOffset}, or -1 when none does}
     *
     * @param fileOffset an offset in the file: for code mapped at {@code start} from file offset {@code pgoff}, the
     *     address {@code ip} is at {@code ip - start + pgoff}
     */
    public int indexOf(long fileOffset) {
        int at = Arrays.binarySearch(offsets, fileOffset);
        int index = at >= 0 ? at : -at - 2;
        return index >= 0 && fileOffset < ends[index] ? index : -1;
    }

    /**
     * {@return the file offset where function {@code index} starts}
     *
     * @param index from 0 to {@link #size()} - 1
     */
    public long offset(int index) {
        return offsets[index];
    }

    /**
     * {@return the file offset just past function {@code index}}
     *
     * @param index from 0 to {@link #size()} - 1
     */
    public long end(int index) {
        return ends[index];
    }

    /**
     * {@return the name of function {@code index}, as the symbol table spells it (a {@code .symtab} may carry a
     * version: {@code memcpy@@GLIBC_2.14}); cut after {@link ElfSymbols#MAX_NAME_BYTES} bytes, then ending in
     * "..."}
     *
     * @param index from 0 to {@link #size()} - 1
     */
    public String name(int index) {
        return names[index];
    }

    /** {@return about how many bytes of heap the table holds: arrays and names} */
    public long estimatedBytes() {
        return estimatedBytes;
    }
}
