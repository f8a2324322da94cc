/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.internal.elf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.github.perfevent.PerfEventException;
import io.github.perfevent.internal.CountingAccess;
import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
 * version, {@code name@@VERSION} insists that it be the default. Of several matches a global symbol wins over a
 * local one, then the default version over the others.
 *
 * <p><b>GNU indirect functions</b> ({@code STT_GNU_IFUNC}, such as glibc's {@code memcpy}) are refused: their
 * symbol is the resolver that the dynamic linker runs once to choose an implementation, so a uprobe there would
 * count resolver runs, not calls.
 *
 * <p><b>Reading.</b> The file is opened once, with {@code O_NONBLOCK} (a FIFO cannot block the open), and the
 * opened file must be a regular file ({@code statx} of the fd). Only the tables needed are read, with
 * {@code pread} into memory this class owns: the ELF header, the section and program headers, the symbol table, its
 * string table and the version sections, each checked to lie inside the file and bounded by
 * {@link #MAX_TABLE_BYTES}. A file truncated or rewritten while it is read (as {@code cp} over a library does) is
 * seen as such (a short read, or a size or modification time that changed) and refused as corrupt; it can never
 * fault like a mapping of it would. Names are compared in place: only the names a message shows are built as
 * strings, each cut at {@link #MAX_NAME_BYTES}, so time and memory grow with the size of the tables, never with
 * symbols × name length.
 */
public final class ElfSymbols {

    /** The largest table (section headers, program headers, symbols, strings, versions) read: 1 GiB. */
    static final long MAX_TABLE_BYTES = 1L << 30;
    /** Names longer than this many bytes are not offered as suggestions and are cut in messages. */
    static final int MAX_NAME_BYTES = 256;
    /** How many names are compared with an unknown one for "did you mean". */
    static final int MAX_SUGGESTION_CANDIDATES = 100_000;
    /** How many versions of a name a message lists. */
    static final int MAX_LISTED_VERSIONS = 20;
    /** The most functions {@link #functions(Path)} keeps from one file: 4,194,304 (about 300 MiB of heap). */
    public static final int MAX_FUNCTIONS = 1 << 22;

    private static final int SHT_SYMTAB = 2;
    private static final int SHT_DYNSYM = 11;
    private static final int SHT_GNU_VERDEF = 0x6ffffffd;
    private static final int SHT_GNU_VERSYM = 0x6fffffff;
    private static final int PT_LOAD = 1;
    private static final int STT_FUNC = 2;
    private static final int STT_GNU_IFUNC = 10;
    private static final int STB_LOCAL = 0;
    private static final int STB_GLOBAL = 1;
    private static final int STB_WEAK = 2;
    private static final int STB_GNU_UNIQUE = 10;
    private static final int SHN_UNDEF = 0;
    private static final int ELF_HEADER_SIZE = 64;
    private static final int SECTION_HEADER_SIZE = 64;
    private static final int PROGRAM_HEADER_SIZE = 56;
    private static final int SYMBOL_SIZE = 24;
    private static final int VERDEF_SIZE = 20;
    private static final int VERSYM_HIDDEN = 0x8000;
    private static final int VER_FLG_BASE = 1;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long STX_MODE = Syscalls.STATX.byteOffset(MemoryLayout.PathElement.groupElement("stx_mode"));
    private static final long STX_SIZE = Syscalls.STATX.byteOffset(MemoryLayout.PathElement.groupElement("stx_size"));
    private static final long STX_MTIME = Syscalls.STATX.byteOffset(MemoryLayout.PathElement.groupElement("stx_mtime"));

    private ElfSymbols() {
    }

    /**
     * The file offset of function {@code symbol} in {@code binary}.
     *
     * @param binary an ELF executable or shared library
     * @param symbol a function name, optionally with a version: {@code name}, {@code name@VERSION},
     *     {@code name@@VERSION}
     * @return the file offset of its first instruction, as a uprobe's {@code config2} takes it
     * @throws IllegalArgumentException when {@code binary} is not a regular file (a directory, a FIFO...), or the
     *     file defines no such function (with the versions it has, or the nearest function names)
     * @throws PerfEventException with the errno of the open or read that failed (ENOENT for a missing file, EACCES
     *     for an unreadable one); ENOEXEC for a file that is not ELF64 little-endian, is corrupt, changed while it
     *     was read, or has a table over {@link #MAX_TABLE_BYTES}; EINVAL for a GNU indirect function
     */
    public static long fileOffset(Path binary, String symbol) {
        return fileOffset(binary, symbol, () -> {
        });
    }

    /**
     * {@link #fileOffset(Path, String)}, running {@code afterOpen} once the file is open and described, before
     * anything is read from it: a test truncates or rewrites the file there to reproduce a race deterministically.
     */
    static long fileOffset(Path binary, String symbol, Runnable afterOpen) {
        Objects.requireNonNull(binary, "binary");
        Objects.requireNonNull(symbol, "symbol");
        Query query = Query.of(symbol);
        String call = "find " + symbol + " in " + binary;
        try (Arena arena = Arena.ofConfined(); ElfFile file = ElfFile.open(binary, call, arena)) {
            afterOpen.run();
            Tables tables = file.readTables();
            file.requireUnchanged();
            return tables.fileOffset(query);
        }
    }

    /**
     * Every function of {@code binary} by file offset: the defined {@code STT_FUNC} and {@code STT_GNU_IFUNC}
     * symbols of {@code .symtab}, else {@code .dynsym}, each at {@code st_value} translated through its
     * {@code PT_LOAD} segment, as {@link #fileOffset(Path, String)} translates one. A file with neither table (fully
     * stripped) gives an empty table. Read the same bounded way: time and memory grow with the file's tables, never
     * past {@link #MAX_TABLE_BYTES} per table and {@link #MAX_FUNCTIONS} functions.
     *
     * @param binary an ELF executable or shared library
     * @return its functions, sorted by file offset
     * @throws IllegalArgumentException when {@code binary} is not a regular file
     * @throws PerfEventException with the errno of the open or read that failed; ENOEXEC for a file that is not ELF64
     *     little-endian, is corrupt (a function outside every loadable segment among others), changed while it was
     *     read, has a table over {@link #MAX_TABLE_BYTES} or more than {@link #MAX_FUNCTIONS} functions
     * @throws NullPointerException when {@code binary} is null
     */
    public static FunctionTable functions(Path binary) {
        return functions(binary, () -> {
        });
    }

    /** {@link #functions(Path)}, running {@code afterOpen} once the file is open, before anything is read. */
    static FunctionTable functions(Path binary, Runnable afterOpen) {
        Objects.requireNonNull(binary, "binary");
        try (Arena arena = Arena.ofConfined(); ElfFile file = ElfFile.open(binary, "read the functions of " + binary,
                arena)) {
            afterOpen.run();
            Tables tables = file.readTables();
            FunctionTable functions = tables.functions();
            file.requireUnchanged();
            return functions;
        }
    }

    /** What the caller asks for: a name without version, the version or null, and whether it must be the default. */
    private record Query(String symbol, String name, byte[] nameBytes, byte[] version, boolean mustBeDefault) {

        static Query of(String symbol) {
            if (symbol.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("a symbol name cannot contain a NUL character: " + symbol);
            }
            int at = symbol.indexOf('@');
            String name = at < 0 ? symbol : symbol.substring(0, at);
            if (name.isEmpty()) {
                throw new IllegalArgumentException("the symbol has no name: '" + symbol + "'; give name, "
                        + "name@VERSION or name@@VERSION");
            }
            boolean mustBeDefault = symbol.startsWith("@@", at); // false for at = -1
            String version = at < 0 ? null : symbol.substring(at + (mustBeDefault ? 2 : 1));
            return new Query(symbol, name, name.getBytes(StandardCharsets.UTF_8),
                    version == null ? null : version.getBytes(StandardCharsets.UTF_8), mustBeDefault);
        }
    }

    /** An open binary: its fd, what {@code statx} said of it when opened, and the arena its tables are read into. */
    private static final class ElfFile implements AutoCloseable {

        private final Path binary;
        private final String call;
        private final Arena arena;
        private final int fd;
        private final long size;
        private final long mtimeSeconds;
        private final int mtimeNanos;

        private ElfFile(Path binary, String call, Arena arena, int fd, MemorySegment statx) {
            this.binary = binary;
            this.call = call;
            this.arena = arena;
            this.fd = fd;
            this.size = statx.get(U64, STX_SIZE);
            this.mtimeSeconds = statx.get(U64, STX_MTIME);
            this.mtimeNanos = statx.get(U32, STX_MTIME + Long.BYTES);
        }

        /**
         * Opens {@code binary} without blocking and checks that what was opened is a regular file: a path swapped
         * for a FIFO or a directory between any check and the open is caught on the fd itself.
         */
        static ElfFile open(Path binary, String call, Arena arena) {
            MemorySegment path = arena.allocateFrom(binary.toAbsolutePath().toString());
            int fd = Syscalls.open(path, Syscalls.O_RDONLY | Syscalls.O_CLOEXEC | Syscalls.O_NONBLOCK);
            if (fd < 0) {
                throw openFailure(binary, call, -fd, arena, path);
            }
            try {
                MemorySegment statx = arena.allocate(Syscalls.STATX);
                int described = Syscalls.statx(fd, arena.allocateFrom(""), Syscalls.AT_EMPTY_PATH,
                        Syscalls.STATX_TYPE | Syscalls.STATX_SIZE | Syscalls.STATX_MTIME, statx);
                if (described < 0) {
                    throw failure(-described, "statx(" + binary + ")", "cannot learn what "
                            + binary + " is");
                }
                requireRegular(binary, Short.toUnsignedInt(statx.get(U16, STX_MODE)));
                return new ElfFile(binary, call, arena, fd, statx);
            } catch (RuntimeException | Error e) {
                Syscalls.close(fd);
                throw e;
            }
        }

        /**
         * Why {@code open} failed with {@code errno}: a path that names something {@code open} refuses to open
         * (a socket: ENXIO) is the caller's input, anything else the environment's answer.
         */
        private static RuntimeException openFailure(Path binary, String call, int errno, Arena arena,
                MemorySegment path) {
            MemorySegment statx = arena.allocate(Syscalls.STATX);
            if (Syscalls.statx(Syscalls.AT_FDCWD, path, 0, Syscalls.STATX_TYPE, statx) == 0) {
                requireRegular(binary, Short.toUnsignedInt(statx.get(U16, STX_MODE)));
            }
            String hint = switch (errno) {
                case Errno.ENOENT -> "there is no file " + binary;
                case Errno.EACCES, Errno.EPERM -> binary + " is not readable by this user";
                default -> "cannot open " + binary;
            };
            return failure(errno, call, hint);
        }

        private static void requireRegular(Path binary, int mode) {
            String kind = switch (mode & Syscalls.S_IFMT) {
                case Syscalls.S_IFREG -> null;
                case Syscalls.S_IFDIR -> "a directory";
                case Syscalls.S_IFIFO -> "a FIFO (named pipe)";
                case Syscalls.S_IFCHR -> "a character device";
                case Syscalls.S_IFBLK -> "a block device";
                case Syscalls.S_IFSOCK -> "a socket";
                default -> "a file of type 0" + Integer.toOctalString(mode & Syscalls.S_IFMT);
            };
            if (kind != null) {
                throw new IllegalArgumentException(binary + " is " + kind + ", not a regular file: give the path of "
                        + "an ELF executable or shared library");
            }
        }

        /** {@code length} bytes at {@code offset}, read into this file's arena; the range must lie in the file. */
        MemorySegment read(long offset, long length, String what) {
            if (offset < 0 || length < 0 || offset > size || length > size - offset) {
                throw corrupt(what + " (" + Long.toUnsignedString(length) + " bytes at offset "
                        + Long.toUnsignedString(offset) + ") does not lie inside the file of " + size + " bytes");
            }
            if (length > MAX_TABLE_BYTES) {
                throw failure(Errno.ENOEXEC, call, binary + ": " + what + " has " + length
                        + " bytes, more than the " + MAX_TABLE_BYTES + " this reader reads: give the file offset "
                        + "instead (readelf -sW and readelf -lW)");
            }
            MemorySegment buffer = arena.allocate(length, Long.BYTES);
            long done = 0;
            while (done < length) {
                long n = Syscalls.pread(fd, buffer.asSlice(done), offset + done);
                if (n == -Errno.EINTR) {
                    continue;
                }
                if (n < 0) {
                    throw failure((int) -n, "pread(" + binary + ")", "cannot read " + what + " of "
                            + binary);
                }
                if (n == 0) {
                    throw corrupt("the file ended at byte " + (offset + done) + ", in the middle of " + what
                            + ": it was truncated or rewritten meanwhile");
                }
                done += n;
            }
            return buffer;
        }

        /** Everything the lookup needs, read now: afterwards the file is no longer touched. */
        Tables readTables() {
            try {
                return Tables.read(this);
            } catch (IndexOutOfBoundsException e) {
                throw corrupt(e.getMessage());
            }
        }

        /** Refuses a file whose size or modification time changed since it was opened: its tables may not agree. */
        void requireUnchanged() {
            MemorySegment statx = arena.allocate(Syscalls.STATX);
            int described = Syscalls.statx(fd, arena.allocateFrom(""), Syscalls.AT_EMPTY_PATH,
                    Syscalls.STATX_SIZE | Syscalls.STATX_MTIME, statx);
            if (described < 0) {
                throw failure(-described, "statx(" + binary + ")", "cannot learn whether " + binary
                        + " changed while it was read");
            }
            if (statx.get(U64, STX_SIZE) != size || statx.get(U64, STX_MTIME) != mtimeSeconds
                    || statx.get(U32, STX_MTIME + Long.BYTES) != mtimeNanos) {
                throw corrupt("it changed while it was read (size " + size + " then " + statx.get(U64, STX_SIZE)
                        + " bytes): try again once it is written");
            }
        }

        PerfEventException corrupt(String why) {
            return failure(Errno.ENOEXEC, call, binary + " is a truncated or corrupt ELF file: " + why);
        }

        @Override
        public void close() {
            Syscalls.close(fd);
        }
    }

    /**
     * The tables of one binary: the symbol table and its strings, the version index of each symbol
     * ({@code .gnu.version}, or null) with the string offset of each version's name, and the program headers.
     */
    private record Tables(ElfFile file, MemorySegment symbols, MemorySegment strings, MemorySegment versym,
            Map<Integer, Long> versionNames, MemorySegment versionStrings, MemorySegment programHeaders,
            int programHeaderSize) {

        static Tables read(ElfFile file) {
            MemorySegment header = file.read(0, Math.min(ELF_HEADER_SIZE, file.size), "the ELF header");
            if (header.byteSize() < ELF_HEADER_SIZE || header.get(U32, 0) != 0x464c457f) {
                throw failure(Errno.ENOEXEC, file.call, file.binary + " is not an ELF file");
            }
            if (header.get(JAVA_BYTE, 4) != 2 || header.get(JAVA_BYTE, 5) != 1) {
                throw failure(Errno.ENOEXEC, file.call, file.binary
                        + " is not a 64-bit little-endian ELF file");
            }
            int phentsize = u16(header, 0x36);
            int shentsize = u16(header, 0x3a);
            int shnum = u16(header, 0x3c);
            int phnum = u16(header, 0x38);
            if (phnum > 0 && phentsize < PROGRAM_HEADER_SIZE || shnum > 0 && shentsize < SECTION_HEADER_SIZE) {
                throw file.corrupt("program header entries of " + phentsize + " bytes, section header entries of "
                        + shentsize + " bytes");
            }
            MemorySegment programHeaders = file.read(header.get(U64, 0x20), (long) phnum * phentsize,
                    "the program headers");
            MemorySegment sections = file.read(header.get(U64, 0x28), (long) shnum * shentsize,
                    "the section headers");
            Map<Integer, MemorySegment> contents = new HashMap<>();
            int chosen = first(SHT_SYMTAB, sections, shentsize, shnum);
            if (chosen < 0) {
                chosen = first(SHT_DYNSYM, sections, shentsize, shnum);
            }
            if (chosen < 0) {
                return new Tables(file, MemorySegment.NULL, MemorySegment.NULL, null, Map.of(), null,
                        programHeaders, Math.max(phentsize, PROGRAM_HEADER_SIZE));
            }
            boolean dynamic = type(sections, shentsize, chosen) == SHT_DYNSYM;
            MemorySegment symbols = content(file, sections, shentsize, chosen, contents, "the symbol table");
            MemorySegment strings = linkedStrings(file, sections, shentsize, chosen, contents);
            MemorySegment versym = null;
            Map<Integer, Long> versionNames = Map.of();
            MemorySegment versionStrings = null;
            for (int i = 0; dynamic && i < shnum; i++) {
                int type = type(sections, shentsize, i);
                if (type == SHT_GNU_VERSYM && sections.get(U32, (long) i * shentsize + 0x28) == chosen) {
                    versym = content(file, sections, shentsize, i, contents, "the symbol versions");
                } else if (type == SHT_GNU_VERDEF) {
                    versionStrings = linkedStrings(file, sections, shentsize, i, contents);
                    versionNames = versionDefinitions(file, content(file, sections, shentsize, i, contents,
                            "the version definitions"), sections.get(U32, (long) i * shentsize + 0x2c),
                            versionStrings.byteSize());
                }
            }
            return new Tables(file, symbols, strings, versym, versionNames, versionStrings, programHeaders,
                    Math.max(phentsize, PROGRAM_HEADER_SIZE));
        }

        /** The index of the first section of {@code type}, or -1; section 0 is the null section of elf(5). */
        private static int first(int type, MemorySegment sections, int shentsize, int shnum) {
            for (int i = 1; i < shnum; i++) {
                if (type(sections, shentsize, i) == type) {
                    return i;
                }
            }
            return -1;
        }

        private static int type(MemorySegment sections, int shentsize, int index) {
            return sections.get(U32, (long) index * shentsize + 4);
        }

        /** The bytes of section {@code index} (sh_offset, sh_size), read once. */
        private static MemorySegment content(ElfFile file, MemorySegment sections, int shentsize, int index,
                Map<Integer, MemorySegment> contents, String what) {
            MemorySegment cached = contents.get(index);
            if (cached == null) {
                long header = (long) index * shentsize;
                cached = file.read(sections.get(U64, header + 0x18), sections.get(U64, header + 0x20),
                        what + " (section " + index + ")");
                contents.put(index, cached);
            }
            return cached;
        }

        /** The string table section {@code index} links to (sh_link); it must end with a NUL, as elf(5) requires. */
        private static MemorySegment linkedStrings(ElfFile file, MemorySegment sections, int shentsize, int index,
                Map<Integer, MemorySegment> contents) {
            long link = Integer.toUnsignedLong(sections.get(U32, (long) index * shentsize + 0x28));
            if (link >= sections.byteSize() / shentsize) {
                throw file.corrupt("section " + index + " links to section " + link + ", which does not exist");
            }
            MemorySegment strings = content(file, sections, shentsize, (int) link, contents, "a string table");
            if (strings.byteSize() == 0 || strings.get(JAVA_BYTE, strings.byteSize() - 1) != 0) {
                throw file.corrupt("string table section " + link + " does not end with a NUL byte");
            }
            return strings;
        }

        /**
         * Version index → string offset of its name, from {@code .gnu.version_d}: a chain of {@code Elf64_Verdef}
         * (vd_flags at 2, vd_ndx at 4, vd_aux at 12, vd_next at 16, all unsigned) whose first
         * {@code Elf64_Verdaux} holds the name (vda_name at 0). The base definition (the file's own soname, flag
         * VER_FLG_BASE) is skipped: symbols of index 1 are unversioned. The walk stops at the declared count
         * ({@code sh_info}) and at a {@code vd_next} of 0; since {@code vd_next} is unsigned every step moves
         * forward, so it ends within the section (a step out of it is corruption) and never revisits an entry.
         */
        private static Map<Integer, Long> versionDefinitions(ElfFile file, MemorySegment verdef, int declaredCount,
                long stringsSize) {
            Map<Integer, Long> names = new HashMap<>();
            long at = 0;
            for (long i = 0; i < Integer.toUnsignedLong(declaredCount); i++) {
                if (at + VERDEF_SIZE > verdef.byteSize()) {
                    throw file.corrupt("version definition " + i + " (at " + at + ") lies outside .gnu.version_d");
                }
                int flags = u16(verdef, at + 2);
                int index = u16(verdef, at + 4);
                long name = Integer.toUnsignedLong(verdef.get(U32, at + Integer.toUnsignedLong(verdef.get(U32,
                        at + 12))));
                if (name >= stringsSize) {
                    throw file.corrupt("version definition " + i + " names string " + name + ", past its table");
                }
                if ((flags & VER_FLG_BASE) == 0) {
                    names.put(index, name);
                }
                long next = Integer.toUnsignedLong(verdef.get(U32, at + 16));
                if (next == 0) {
                    break;
                }
                at += next;
            }
            return names;
        }

        /** The best match of {@code query} translated to a file offset, or the exception that says why not. */
        long fileOffset(Query query) {
            Match best = null;
            List<String> sameName = new ArrayList<>();
            Set<String> nearNames = new LinkedHashSet<>();
            boolean anyFunction = false;
            try {
                for (long entry = 0; entry + SYMBOL_SIZE <= symbols.byteSize(); entry += SYMBOL_SIZE) {
                    int info = Byte.toUnsignedInt(symbols.get(JAVA_BYTE, entry + 4));
                    int symbolType = info & 0xf;
                    if ((symbolType != STT_FUNC && symbolType != STT_GNU_IFUNC)
                            || u16(symbols, entry + 6) == SHN_UNDEF) {
                        continue;
                    }
                    anyFunction = true;
                    long name = Integer.toUnsignedLong(symbols.get(U32, entry));
                    if (name >= strings.byteSize()) {
                        throw file.corrupt("symbol " + entry / SYMBOL_SIZE + " names string " + name
                                + ", past its table of " + strings.byteSize() + " bytes");
                    }
                    Match match = match(query, entry, name, info >>> 4 == STB_LOCAL, symbolType == STT_GNU_IFUNC);
                    if (match == null) {
                        if (sameName.isEmpty() && nearNames.size() < MAX_SUGGESTION_CANDIDATES) {
                            String near = nameIfShort(strings, name);
                            if (near != null) {
                                nearNames.add(versym == null && near.indexOf('@') > 0
                                        ? near.substring(0, near.indexOf('@')) : near);
                            }
                        }
                    } else if (match.wanted()) {
                        if (best == null || match.rank() > best.rank()) {
                            best = match;
                        }
                    } else if (sameName.size() < MAX_LISTED_VERSIONS) {
                        sameName.add(match.versionedName());
                    }
                }
            } catch (IndexOutOfBoundsException e) {
                throw file.corrupt(e.getMessage());
            }
            if (best == null) {
                throw new IllegalArgumentException(file.binary + " defines no function " + query.symbol() + "."
                        + (sameName.isEmpty() ? CountingAccess.counting().didYouMean(query.name(), nearNames)
                                : " It defines " + String.join(", ", sameName) + ".")
                        + (!anyFunction ? " It has no symbol table (stripped?): give the offset instead." : ""));
            }
            if (best.indirect()) {
                throw failure(Errno.EINVAL, file.call, best.versionedName() + " is a GNU indirect "
                        + "function (STT_GNU_IFUNC): its symbol is the resolver the dynamic linker runs once to pick an "
                        + "implementation, so a uprobe there would not count calls. Probe the implementation it picks, "
                        + "by its symbol in a debug-symbol file or by its offset");
            }
            return toFileOffset(best.address());
        }

        /** The defined functions of the symbol table by file offset, one per offset (see {@link FunctionTable}). */
        FunctionTable functions() {
            try {
                int count = 0;
                for (long entry = 0; entry + SYMBOL_SIZE <= symbols.byteSize(); entry += SYMBOL_SIZE) {
                    if (definedFunction(entry) && ++count > MAX_FUNCTIONS) {
                        throw failure(Errno.ENOEXEC, file.call, file.binary + " has more than the "
                                + MAX_FUNCTIONS + " functions this reader keeps");
                    }
                }
                long[] offsets = new long[count];
                long[] sizes = new long[count];
                int[] ranks = new int[count];
                String[] names = new String[count];
                Map<Long, String> byNameOffset = new HashMap<>();
                int k = 0;
                for (long entry = 0; entry + SYMBOL_SIZE <= symbols.byteSize(); entry += SYMBOL_SIZE) {
                    if (!definedFunction(entry)) {
                        continue;
                    }
                    long name = Integer.toUnsignedLong(symbols.get(U32, entry));
                    if (name >= strings.byteSize()) {
                        throw file.corrupt("symbol " + entry / SYMBOL_SIZE + " names string " + name
                                + ", past its table of " + strings.byteSize() + " bytes");
                    }
                    offsets[k] = toFileOffset(symbols.get(U64, entry + 8));
                    sizes[k] = symbols.get(U64, entry + 16);
                    ranks[k] = bindingRank(Byte.toUnsignedInt(symbols.get(JAVA_BYTE, entry + 4)) >>> 4);
                    names[k] = byNameOffset.computeIfAbsent(name, at -> boundedString(strings, at));
                    k++;
                }
                return sorted(offsets, sizes, ranks, names);
            } catch (IndexOutOfBoundsException e) {
                throw file.corrupt(e.getMessage());
            }
        }

        private boolean definedFunction(long entry) {
            int symbolType = symbols.get(JAVA_BYTE, entry + 4) & 0xf;
            return (symbolType == STT_FUNC || symbolType == STT_GNU_IFUNC) && u16(symbols, entry + 6) != SHN_UNDEF;
        }

        /**
         * The symbol at {@code entry} if its name (at string offset {@code name}) is the queried name: wanted when
         * its version fits the query too. Null for another name. Compares bytes in place.
         */
        private Match match(Query query, long entry, long name, boolean local, boolean indirect) {
            int after = byteAfter(strings, name, query.nameBytes());
            long version = -1;
            MemorySegment versionTable = strings;
            boolean defaultVersion = true;
            if (after < 0 || after != 0 && (after != '@' || versym != null)) {
                return null;
            }
            if (versym != null) {
                int v = u16(versym, entry / SYMBOL_SIZE * 2);
                Long versionName = versionNames.get(v & ~VERSYM_HIDDEN);
                version = versionName == null ? -1 : versionName;
                versionTable = versionStrings;
                defaultVersion = (v & VERSYM_HIDDEN) == 0;
            } else if (after == '@') { // .symtab spells versions out: name@V (hidden), name@@V (default)
                long at = name + query.nameBytes().length + 1;
                defaultVersion = strings.get(JAVA_BYTE, at) == '@';
                version = defaultVersion ? at + 1 : at;
            }
            boolean wanted = (query.version() == null || version >= 0
                    && byteAfter(versionTable, version, query.version()) == 0)
                    && (!query.mustBeDefault() || defaultVersion);
            return new Match(wanted, symbols.get(U64, entry + 8), (local ? 0 : 2) + (defaultVersion ? 1 : 0),
                    indirect, query.name(), version < 0 ? null : boundedString(versionTable, version),
                    defaultVersion);
        }

        /**
         * The file offset of {@code address} through the {@code PT_LOAD} segment that holds it; it must lie inside
         * the file.
         */
        private long toFileOffset(long address) {
            for (long header = 0; header + programHeaderSize <= programHeaders.byteSize();
                    header += programHeaderSize) {
                if (programHeaders.get(U32, header) != PT_LOAD) {
                    continue;
                }
                long fileOffset = programHeaders.get(U64, header + 0x08);
                long vaddr = programHeaders.get(U64, header + 0x10);
                long fileSize = programHeaders.get(U64, header + 0x20);
                if (Long.compareUnsigned(address, vaddr) >= 0 && Long.compareUnsigned(address - vaddr, fileSize) < 0) {
                    long offset = address - vaddr + fileOffset;
                    if (offset < 0 || offset >= file.size) {
                        throw file.corrupt("address 0x" + Long.toHexString(address) + " maps to file offset 0x"
                                + Long.toHexString(offset) + ", outside the file");
                    }
                    return offset;
                }
            }
            throw file.corrupt("address 0x" + Long.toHexString(address) + " lies in no loadable segment of the file");
        }
    }

    /**
     * A symbol with the queried name: whether its version fits the query, its address, its rank (global over local,
     * then default version over others), whether it is a GNU indirect function, and its name and version for
     * messages.
     */
    private record Match(boolean wanted, long address, int rank, boolean indirect, String name, String version,
            boolean defaultVersion) {

        /** {@return the name as readelf prints it: {@code name}, {@code name@VERSION} or {@code name@@VERSION}} */
        String versionedName() {
            return version == null ? name : name + (defaultVersion ? "@@" : "@") + version;
        }
    }

    /** Global (and GNU unique) symbols name a function before weak ones, weak ones before local ones. */
    private static int bindingRank(int binding) {
        return switch (binding) {
            case STB_GLOBAL, STB_GNU_UNIQUE -> 2;
            case STB_WEAK -> 1;
            default -> 0;
        };
    }

    /**
     * The functions sorted by offset, one per offset (the preferred alias: see {@link FunctionTable}), each ending
     * at offset + size, or for size 0 at the next function (the last covers its first byte only).
     */
    private static FunctionTable sorted(long[] offsets, long[] sizes, int[] ranks, String[] names) {
        Integer[] order = new Integer[offsets.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.<Integer>comparingLong(i -> offsets[i])
                .thenComparing(Comparator.<Integer>comparingInt(i -> ranks[i]).reversed())
                .thenComparingInt(i -> leadingUnderscores(names[i]))
                .thenComparingInt(i -> names[i].length())
                .thenComparing(i -> names[i]));
        int distinct = 0;
        for (int i = 0; i < order.length; i++) {
            if (i == 0 || offsets[order[i]] != offsets[order[i - 1]]) {
                order[distinct++] = order[i];
            }
        }
        long[] starts = new long[distinct];
        long[] ends = new long[distinct];
        String[] kept = new String[distinct];
        for (int i = 0; i < distinct; i++) {
            starts[i] = offsets[order[i]];
            kept[i] = names[order[i]];
        }
        for (int i = 0; i < distinct; i++) {
            long size = sizes[order[i]];
            long end = starts[i] + size;
            if (size == 0) {
                end = i + 1 < distinct ? starts[i + 1] : starts[i] + 1;
            } else if (Long.compareUnsigned(size, Long.MAX_VALUE - starts[i]) > 0) {
                end = Long.MAX_VALUE;
            }
            ends[i] = end;
        }
        return new FunctionTable(starts, ends, kept);
    }

    private static int leadingUnderscores(String name) {
        int n = 0;
        while (n < name.length() && name.charAt(n) == '_') {
            n++;
        }
        return n;
    }

    /**
     * The byte that follows {@code prefix} in the string at {@code at}, or -1 when the string does not start with
     * it. {@code at} lies in the table, the table ends with a NUL and {@code prefix} has none, so the comparison stops
     * at that NUL at the latest: the answer is 0 exactly when the string equals {@code prefix}.
     */
    private static int byteAfter(MemorySegment strings, long at, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (strings.get(JAVA_BYTE, at + i) != prefix[i]) {
                return -1;
            }
        }
        return Byte.toUnsignedInt(strings.get(JAVA_BYTE, at + prefix.length));
    }

    /** The string at {@code at}, or null when it is longer than {@link #MAX_NAME_BYTES}. */
    private static String nameIfShort(MemorySegment strings, long at) {
        long end = at;
        while (strings.get(JAVA_BYTE, end) != 0) {
            if (end - at >= MAX_NAME_BYTES) {
                return null;
            }
            end++;
        }
        return new String(strings.asSlice(at, end - at).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** The string at {@code at}, cut after {@link #MAX_NAME_BYTES} bytes (then ending in "..."). */
    private static String boundedString(MemorySegment strings, long at) {
        String whole = nameIfShort(strings, at);
        return whole != null ? whole : new String(strings.asSlice(at, MAX_NAME_BYTES).toArray(JAVA_BYTE),
                StandardCharsets.UTF_8) + "...";
    }

    /** The library's exception for {@code call} failing with {@code errno}, made by the counting package. */
    private static PerfEventException failure(int errno, String call, String hint) {
        return CountingAccess.counting().failure(errno, call, hint);
    }

    private static int u16(MemorySegment segment, long at) {
        return Short.toUnsignedInt(segment.get(U16, at));
    }
}
