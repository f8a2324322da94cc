/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import io.github.perfevent.sys.Errno;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The file offset of a function in an ELF64 little-endian binary (elf(5)), which is what a uprobe needs
 * ({@code config2} of the uprobe PMU, "probe_offset"): the function's address from the symbol table
 * ({@code .symtab}, else {@code .dynsym}), translated through the {@code PT_LOAD} segment that contains it:
 * {@code offset = st_value - p_vaddr + p_offset}.
 */
final class ElfSymbols {

    private static final int SHT_SYMTAB = 2;
    private static final int SHT_DYNSYM = 11;
    private static final int PT_LOAD = 1;
    private static final int STT_FUNC = 2;
    private static final int STT_GNU_IFUNC = 10;
    private static final int STB_LOCAL = 0;
    private static final int SHN_UNDEF = 0;
    private static final int SYMBOL_SIZE = 24;

    private ElfSymbols() {
    }

    /** A function symbol: name, address, and whether it is local to its file. */
    record Function(String name, long address, boolean local) {
    }

    /**
     * The file offset of function {@code symbol} in {@code binary}.
     *
     * @throws PerfEventException ENOENT for a missing file or symbol (with the nearest function names), EACCES for
     *     an unreadable file, ENOEXEC for a file that is not ELF64 little-endian
     */
    static long fileOffset(Path binary, String symbol) {
        String call = "find " + symbol + " in " + binary;
        ByteBuffer elf = read(binary, call);
        try {
            List<Function> functions = functions(elf);
            Function found = null;
            for (Function f : functions) {
                if (f.name().equals(symbol) && (found == null || found.local() && !f.local())) {
                    found = f;
                }
            }
            if (found == null) {
                throw new PerfEventException(Errno.ENOENT, call, binary + " defines no function " + symbol + "."
                        + Suggestions.didYouMean(symbol, functions.stream().map(Function::name).toList())
                        + (functions.isEmpty() ? " It has no symbol table (stripped?): give the offset instead." : ""));
            }
            return toFileOffset(elf, found.address(), call);
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new PerfEventException(Errno.ENOEXEC, call, binary + " is a truncated or corrupt ELF file (" + e + ")");
        }
    }

    private static ByteBuffer read(Path binary, String call) {
        try (FileChannel channel = FileChannel.open(binary, StandardOpenOption.READ)) {
            if (channel.size() > Integer.MAX_VALUE) {
                throw new PerfEventException(Errno.ENOEXEC, call, binary + " is larger than 2 GiB, which this reader "
                        + "does not handle: give the offset instead");
            }
            ByteBuffer elf = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size())
                    .order(ByteOrder.LITTLE_ENDIAN);
            if (elf.limit() < 64 || elf.getInt(0) != 0x464c457f) {
                throw new PerfEventException(Errno.ENOEXEC, call, binary + " is not an ELF file");
            }
            if (elf.get(4) != 2 || elf.get(5) != 1) {
                throw new PerfEventException(Errno.ENOEXEC, call, binary + " is not a 64-bit little-endian ELF file");
            }
            return elf;
        } catch (NoSuchFileException e) {
            throw new PerfEventException(Errno.ENOENT, call, "there is no file " + binary);
        } catch (AccessDeniedException e) {
            throw new PerfEventException(Errno.EACCES, call, binary + " is not readable by this user");
        } catch (IOException e) {
            throw new PerfEventException(Errno.EIO, call, "cannot read " + binary + ": " + e);
        }
    }

    /** Every defined function of {@code .symtab}, or of {@code .dynsym} when there is no {@code .symtab}. */
    static List<Function> functions(ByteBuffer elf) {
        long shoff = elf.getLong(0x28);
        int shentsize = Short.toUnsignedInt(elf.getShort(0x3a));
        int shnum = Short.toUnsignedInt(elf.getShort(0x3c));
        int chosen = -1;
        for (int i = 0; i < shnum; i++) {
            int type = elf.getInt(Math.toIntExact(shoff + (long) i * shentsize + 4));
            if (type == SHT_SYMTAB || type == SHT_DYNSYM && chosen < 0) {
                chosen = i;
            }
        }
        List<Function> functions = new ArrayList<>();
        if (chosen < 0) {
            return functions;
        }
        int header = Math.toIntExact(shoff + (long) chosen * shentsize);
        long offset = elf.getLong(header + 0x18);
        long size = elf.getLong(header + 0x20);
        int link = elf.getInt(header + 0x28);
        int strings = Math.toIntExact(elf.getLong(Math.toIntExact(shoff + (long) link * shentsize + 0x18)));
        for (long at = offset; at + SYMBOL_SIZE <= offset + size; at += SYMBOL_SIZE) {
            int entry = Math.toIntExact(at);
            int info = Byte.toUnsignedInt(elf.get(entry + 4));
            int symbolType = info & 0xf;
            int shndx = Short.toUnsignedInt(elf.getShort(entry + 6));
            if ((symbolType == STT_FUNC || symbolType == STT_GNU_IFUNC) && shndx != SHN_UNDEF) {
                String name = cString(elf, strings + elf.getInt(entry));
                functions.add(new Function(name, elf.getLong(entry + 8), info >>> 4 == STB_LOCAL));
            }
        }
        return functions;
    }

    private static long toFileOffset(ByteBuffer elf, long address, String call) {
        long phoff = elf.getLong(0x20);
        int phentsize = Short.toUnsignedInt(elf.getShort(0x36));
        int phnum = Short.toUnsignedInt(elf.getShort(0x38));
        for (int i = 0; i < phnum; i++) {
            int header = Math.toIntExact(phoff + (long) i * phentsize);
            if (elf.getInt(header) != PT_LOAD) {
                continue;
            }
            long fileOffset = elf.getLong(header + 0x08);
            long vaddr = elf.getLong(header + 0x10);
            long fileSize = elf.getLong(header + 0x20);
            if (address >= vaddr && address < vaddr + fileSize) {
                return address - vaddr + fileOffset;
            }
        }
        throw new PerfEventException(Errno.ENOEXEC, call, "address 0x" + Long.toHexString(address)
                + " lies in no loadable segment of the file");
    }

    private static String cString(ByteBuffer elf, int at) {
        int end = at;
        while (elf.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - at];
        elf.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
