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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The file offset of a function in an ELF64 little-endian binary (elf(5)), which is what a uprobe needs
 * ({@code config2} of the uprobe PMU, "probe_offset"): the function's address from the symbol table
 * ({@code .symtab}, else {@code .dynsym}), translated through the {@code PT_LOAD} segment that contains it:
 * {@code offset = st_value - p_vaddr + p_offset}.
 *
 * <p><b>Symbol versions.</b> A shared library may define one name several times, once per version
 * ({@code pthread_cond_init@GLIBC_2.2.5} and {@code pthread_cond_init@@GLIBC_2.3.2} are different functions in
 * glibc). In {@code .dynsym} the name carries no version: the version comes from {@code .gnu.version} (index and
 * "hidden" bit) and {@code .gnu.version_d} (names); in an unstripped {@code .symtab} it is part of the name. A plain
 * name means the default version ({@code @@}), the one a program linking today calls; {@code name@VERSION} picks a
 * version, {@code name@@VERSION} insists that it be the default.
 *
 * <p><b>GNU indirect functions</b> ({@code STT_GNU_IFUNC}, such as glibc's {@code memcpy}) are refused: their
 * symbol is the resolver that the dynamic linker runs once to choose an implementation, so a uprobe there would
 * count resolver runs, not calls.
 */
final class ElfSymbols {

    private static final int SHT_SYMTAB = 2;
    private static final int SHT_DYNSYM = 11;
    private static final int SHT_GNU_VERDEF = 0x6ffffffd;
    private static final int SHT_GNU_VERSYM = 0x6fffffff;
    private static final int PT_LOAD = 1;
    private static final int STT_FUNC = 2;
    private static final int STT_GNU_IFUNC = 10;
    private static final int STB_LOCAL = 0;
    private static final int SHN_UNDEF = 0;
    private static final int SYMBOL_SIZE = 24;
    private static final int VERSYM_HIDDEN = 0x8000;

    private ElfSymbols() {
    }

    /**
     * A function symbol: its name without version, the version ({@code null} when unversioned), whether that is the
     * default version, its address, whether it is local to its file and whether it is a GNU indirect function.
     */
    record Function(String name, String version, boolean defaultVersion, long address, boolean local,
            boolean indirect) {

        /** {@return the name as readelf prints it: {@code name}, {@code name@VERSION} or {@code name@@VERSION}} */
        String versionedName() {
            return version == null ? name : name + (defaultVersion ? "@@" : "@") + version;
        }
    }

    /**
     * The file offset of function {@code symbol} in {@code binary}.
     *
     * @param symbol a function name, optionally with a version: {@code name}, {@code name@VERSION},
     *     {@code name@@VERSION}
     * @throws PerfEventException ENOENT for a missing file or symbol (with the nearest function names), EACCES for
     *     an unreadable file, ENOEXEC for a file that is not ELF64 little-endian, EINVAL for a GNU indirect function
     */
    static long fileOffset(Path binary, String symbol) {
        String call = "find " + symbol + " in " + binary;
        ByteBuffer elf = read(binary, call);
        try {
            List<Function> functions = functions(elf);
            Function found = find(functions, symbol);
            if (found == null) {
                int at = symbol.indexOf('@');
                String name = at < 0 ? symbol : symbol.substring(0, at);
                List<String> versions = functions.stream().filter(f -> f.name().equals(name))
                        .map(Function::versionedName).toList();
                throw new PerfEventException(Errno.ENOENT, call, binary + " defines no function " + symbol + "."
                        + (versions.isEmpty() ? Suggestions.didYouMean(name, functions.stream()
                                .map(Function::name).toList()) : " It defines " + String.join(", ", versions) + ".")
                        + (functions.isEmpty() ? " It has no symbol table (stripped?): give the offset instead." : ""));
            }
            if (found.indirect()) {
                throw new PerfEventException(Errno.EINVAL, call, found.versionedName() + " is a GNU indirect function "
                        + "(STT_GNU_IFUNC): its symbol is the resolver the dynamic linker runs once to pick an "
                        + "implementation, so a uprobe there would not count calls. Probe the implementation it picks, "
                        + "by its symbol in a debug-symbol file or by its offset");
            }
            return toFileOffset(elf, found.address(), call);
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException
                | ArithmeticException e) {
            throw new PerfEventException(Errno.ENOEXEC, call, binary + " is a truncated or corrupt ELF file (" + e + ")");
        }
    }

    /**
     * The function {@code symbol} ({@code name}, {@code name@VERSION} or {@code name@@VERSION}) names, or null: of
     * several, a global one before a local one, and the default version before the others.
     */
    static Function find(List<Function> functions, String symbol) {
        int at = symbol.indexOf('@');
        String name = at < 0 ? symbol : symbol.substring(0, at);
        boolean mustBeDefault = at >= 0 && symbol.startsWith("@@", at);
        String version = at < 0 ? null : symbol.substring(at + (mustBeDefault ? 2 : 1));
        Function found = null;
        for (Function f : functions) {
            if (!f.name().equals(name) || version != null && !version.equals(f.version())
                    || mustBeDefault && !f.defaultVersion()) {
                continue;
            }
            if (found == null || rank(f) > rank(found)) {
                found = f;
            }
        }
        return found;
    }

    private static int rank(Function f) {
        return (f.local() ? 0 : 2) + (f.defaultVersion() ? 1 : 0);
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
            int type = elf.getInt(section(shoff, shentsize, i) + 4);
            if (type == SHT_SYMTAB || type == SHT_DYNSYM && chosen < 0) {
                chosen = i;
            }
        }
        List<Function> functions = new ArrayList<>();
        if (chosen < 0) {
            return functions;
        }
        int header = section(shoff, shentsize, chosen);
        boolean dynamic = elf.getInt(header + 4) == SHT_DYNSYM;
        long offset = elf.getLong(header + 0x18);
        long size = elf.getLong(header + 0x20);
        int strings = Math.toIntExact(elf.getLong(section(shoff, shentsize, elf.getInt(header + 0x28)) + 0x18));
        int versym = -1;
        Map<Integer, String> versionNames = Map.of();
        if (dynamic) {
            for (int i = 0; i < shnum; i++) {
                int h = section(shoff, shentsize, i);
                if (elf.getInt(h + 4) == SHT_GNU_VERSYM && elf.getInt(h + 0x28) == chosen) {
                    versym = Math.toIntExact(elf.getLong(h + 0x18));
                } else if (elf.getInt(h + 4) == SHT_GNU_VERDEF) {
                    versionNames = versionDefinitions(elf, shoff, shentsize, h);
                }
            }
        }
        for (long at = offset; at + SYMBOL_SIZE <= offset + size; at += SYMBOL_SIZE) {
            int entry = Math.toIntExact(at);
            int info = Byte.toUnsignedInt(elf.get(entry + 4));
            int symbolType = info & 0xf;
            int shndx = Short.toUnsignedInt(elf.getShort(entry + 6));
            if ((symbolType != STT_FUNC && symbolType != STT_GNU_IFUNC) || shndx == SHN_UNDEF) {
                continue;
            }
            String name = cString(elf, strings + elf.getInt(entry));
            String version = null;
            boolean defaultVersion = true;
            if (versym >= 0) {
                int v = Short.toUnsignedInt(elf.getShort(versym + Math.toIntExact((at - offset) / SYMBOL_SIZE * 2)));
                version = versionNames.get(v & ~VERSYM_HIDDEN);
                defaultVersion = (v & VERSYM_HIDDEN) == 0;
            } else if (name.indexOf('@') > 0) { // .symtab spells versions out: name@V (hidden), name@@V (default)
                int atSign = name.indexOf('@');
                defaultVersion = name.startsWith("@@", atSign);
                version = name.substring(atSign + (defaultVersion ? 2 : 1));
                name = name.substring(0, atSign);
            }
            functions.add(new Function(name, version, defaultVersion, elf.getLong(entry + 8), info >>> 4 == STB_LOCAL,
                    symbolType == STT_GNU_IFUNC));
        }
        return functions;
    }

    /**
     * Version index → name from {@code .gnu.version_d}: a chain of {@code Elf64_Verdef} (vd_ndx at 4, vd_aux at 12,
     * vd_next at 16) whose first {@code Elf64_Verdaux} holds the name (vda_name at 0). The base definition (the
     * file's own soname, flag VER_FLG_BASE) is skipped: symbols of index 1 are unversioned.
     */
    private static Map<Integer, String> versionDefinitions(ByteBuffer elf, long shoff, int shentsize, int header) {
        int strings = Math.toIntExact(elf.getLong(section(shoff, shentsize, elf.getInt(header + 0x28)) + 0x18));
        int at = Math.toIntExact(elf.getLong(header + 0x18));
        int count = elf.getInt(header + 0x2c); // sh_info: the number of definitions
        Map<Integer, String> names = new HashMap<>();
        for (int i = 0; i < count; i++) {
            int flags = Short.toUnsignedInt(elf.getShort(at + 2));
            int index = Short.toUnsignedInt(elf.getShort(at + 4));
            int aux = elf.getInt(at + 12);
            if ((flags & 1) == 0) { // VER_FLG_BASE
                names.put(index, cString(elf, strings + elf.getInt(at + aux)));
            }
            int next = elf.getInt(at + 16);
            if (next == 0) {
                break;
            }
            at += next;
        }
        return names;
    }

    private static int section(long shoff, int shentsize, int index) {
        return Math.toIntExact(shoff + (long) index * shentsize);
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
