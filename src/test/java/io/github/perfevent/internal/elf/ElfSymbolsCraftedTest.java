package io.github.perfevent.internal.elf;

import static io.github.perfevent.internal.elf.CraftedElf.GLOBAL_FUNC;
import static io.github.perfevent.internal.elf.CraftedElf.GLOBAL_IFUNC;
import static io.github.perfevent.internal.elf.CraftedElf.LOCAL_FUNC;
import static io.github.perfevent.internal.elf.CraftedElf.SHT_DYNSYM;
import static io.github.perfevent.internal.elf.CraftedElf.SHT_GNU_VERDEF;
import static io.github.perfevent.internal.elf.CraftedElf.SHT_GNU_VERSYM;
import static io.github.perfevent.internal.elf.CraftedElf.SHT_STRTAB;
import static io.github.perfevent.internal.elf.CraftedElf.SHT_SYMTAB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.PerfEventException;
import io.github.perfevent.Programs;
import io.github.perfevent.sys.Errno;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.management.JMException;
import javax.management.ObjectName;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ElfSymbols} on files written byte by byte ({@link CraftedElf}) to reproduce what the hardening issue found:
 * names that all point at one huge string, a {@code .gnu.version_d} chain that loops, a file truncated or rewritten
 * while it is read, paths that name no regular file; and every corrupt table refused as ENOEXEC, in bounded time.
 */
class ElfSymbolsCraftedTest {

    /** Generous: each of these inputs takes milliseconds now (the first two took 13 s and 217 s before). */
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final long TEXT = 0x401000;

    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] strings(String... names) {
        return ("\0" + String.join("\0", names) + "\0").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A file with a .symtab of {@code symbols} over the string table {@code strings}, its start loaded at TEXT. */
    private Path symtabFile(String name, byte[] strings, long[]... symbols) {
        CraftedElf elf = new CraftedElf().load(0, TEXT, 0x2000);
        int strtab = elf.add(SHT_STRTAB, strings, 0, 0, 0);
        elf.add(SHT_SYMTAB, CraftedElf.symbols(symbols), strtab, 1, 24);
        return write(name, elf.bytes());
    }

    private static PerfEventException assertEnoexec(Path file, String symbol, String why) {
        PerfEventException e = assertTimeoutPreemptively(BOUND,
                () -> assertThrows(PerfEventException.class, () -> ElfSymbols.fileOffset(file, symbol)));
        assertEquals(Errno.ENOEXEC, e.errno(), e::getMessage);
        assertTrue(e.hint().contains(why), () -> "expected \"" + why + "\" in: " + e.getMessage());
        return e;
    }

    private static IllegalArgumentException assertRefused(Path file, String symbol, String why) {
        IllegalArgumentException e = assertTimeoutPreemptively(BOUND,
                () -> assertThrows(IllegalArgumentException.class, () -> ElfSymbols.fileOffset(file, symbol)));
        assertTrue(e.getMessage().contains(why), () -> "expected \"" + why + "\" in: " + e.getMessage());
        return e;
    }

    /**
     * Bytes this thread allocates on the Java heap while {@code work} runs, from the platform's Threading MBean
     * (its {@code getThreadAllocatedBytes} operation: com.sun.management is not readable from this module).
     */
    private static long allocatedBy(Executable work) throws Throwable {
        long before = allocatedByThisThread();
        work.execute();
        return allocatedByThisThread() - before;
    }

    private static long allocatedByThisThread() throws JMException {
        return (long) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName(ManagementFactory.THREAD_MXBEAN_NAME), "getThreadAllocatedBytes",
                new Object[] {Thread.currentThread().threadId()}, new String[] {"long"});
    }

    @Test
    void twentyThousandFunctionsNamedByOneMegabyteStringAreLookedUpWithoutBuildingTheirNames() throws Throwable {
        String huge = "m".repeat(1 << 20);
        long[][] symbols = new long[20_001][];
        for (int i = 0; i < 20_000; i++) {
            symbols[i] = new long[] {1, GLOBAL_FUNC, 1, TEXT + 16 * (i % 100)};
        }
        symbols[20_000] = new long[] {1 + huge.length() + 1, GLOBAL_FUNC, 1, TEXT + 0x123};
        Path file = symtabFile("huge-names", strings(huge, "main"), symbols);
        long[] offset = new long[1];
        long allocated = assertTimeoutPreemptively(BOUND,
                () -> allocatedBy(() -> offset[0] = ElfSymbols.fileOffset(file, "main")));
        assertEquals(0x123, offset[0], "main, behind 20,000 symbols of a 1 MB name");
        assertTrue(allocated < 16 << 20, "heap allocated for the lookup: " + allocated + " bytes");
        long[] typo = new long[1];
        allocated = assertTimeoutPreemptively(BOUND, () -> allocatedBy(() -> typo[0] = assertThrows(
                IllegalArgumentException.class, () -> ElfSymbols.fileOffset(file, "mian")).getMessage().length()));
        assertTrue(allocated < 16 << 20, "heap allocated for the suggestions: " + allocated + " bytes");
        assertRefused(file, "mian", "Did you mean main?");
        assertEquals(file + " defines no function mx.", assertThrows(IllegalArgumentException.class,
                () -> ElfSymbols.fileOffset(file, "mx")).getMessage(), "a name too long to build is never suggested");
        assertTrue(typo[0] < 1000, "the message shows no megabyte name: " + typo[0] + " characters");
    }

    @Test
    void aStringTableWithoutFinalNulIsCorrupt() {
        byte[] noNul = ("\0main\0" + "m".repeat(1 << 20)).getBytes(StandardCharsets.ISO_8859_1);
        long[][] symbols = new long[20_000][];
        for (int i = 0; i < symbols.length; i++) {
            symbols[i] = new long[] {6, GLOBAL_FUNC, 1, TEXT};
        }
        assertEnoexec(symtabFile("no-nul", noNul, symbols), "main", "does not end with a NUL byte");
    }

    /** The issue's 498-byte file: two .gnu.version_d entries whose vd_next are +28 and -28, sh_info 0x7fffffff. */
    @Test
    void versionDefinitionsThatPointAtEachOtherEndAtOnce() {
        byte[] verdef = CraftedElf.versionDefinitions(new long[] {1, 1, 1, 28}, new long[] {0, 2, 5, -28});
        CraftedElf elf = new CraftedElf().load(0, TEXT, 0x1000);
        int dynstr = elf.add(SHT_STRTAB, strings("lib", "V1", "f"), 0, 0, 0);
        int dynsym = elf.add(SHT_DYNSYM, CraftedElf.symbols(new long[] {8, GLOBAL_FUNC, 1, TEXT}), dynstr, 1, 24);
        elf.add(SHT_GNU_VERSYM, CraftedElf.versions(0, 2), dynsym, 0, 2);
        elf.add(SHT_GNU_VERDEF, verdef, dynstr, 0x7fffffff, 0);
        Path file = write("verdef-loop", elf.bytes());
        assertEnoexec(file, "f", "version definition 2 (at 4294967296) lies outside .gnu.version_d");
        assertTrue(elf.bytes().length < 600, "as small as the issue's file: " + elf.bytes().length + " bytes");
        // A step that lands on an entry which starts inside the section but ends past it.
        byte[] partial = CraftedElf.versionDefinitions(new long[] {1, 1, 1, 50}, new long[] {0, 2, 5, 0});
        CraftedElf overlapping = new CraftedElf().load(0, TEXT, 0x1000);
        int strtab = overlapping.add(SHT_STRTAB, strings("lib", "V1", "f"), 0, 0, 0);
        int symtab = overlapping.add(SHT_DYNSYM, CraftedElf.symbols(new long[] {8, GLOBAL_FUNC, 1, TEXT}), strtab, 1,
                24);
        overlapping.add(SHT_GNU_VERSYM, CraftedElf.versions(0, 2), symtab, 0, 2);
        overlapping.add(SHT_GNU_VERDEF, partial, strtab, 2, 0);
        assertEnoexec(write("verdef-partial", overlapping.bytes()), "f",
                "version definition 1 (at 50) lies outside .gnu.version_d");
    }

    @Test
    void versionDefinitionsStopAtTheDeclaredCountAndAtANextOfZero() {
        // Three definitions chained, but sh_info declares two (the base and V1): V2 is not read.
        byte[] verdef = CraftedElf.versionDefinitions(new long[] {1, 1, 1, 28}, new long[] {0, 2, 5, 28},
                new long[] {0, 3, 8, 0});
        CraftedElf elf = new CraftedElf().load(0, TEXT, 0x1000);
        int dynstr = elf.add(SHT_STRTAB, strings("lib", "V1", "V2", "f", "g"), 0, 0, 0);
        int dynsym = elf.add(SHT_DYNSYM, CraftedElf.symbols(new long[] {11, GLOBAL_FUNC, 1, TEXT + 1},
                new long[] {13, GLOBAL_FUNC, 1, TEXT + 2}), dynstr, 1, 24);
        elf.add(SHT_GNU_VERSYM, CraftedElf.versions(0, 2, 3), dynsym, 0, 2);
        int verdefIndex = elf.add(SHT_GNU_VERDEF, verdef, dynstr, 2, 0);
        Path twoDeclared = write("verdef-count", elf.bytes());
        assertEquals(0x1, ElfSymbols.fileOffset(twoDeclared, "f@V1"));
        assertEquals(0x1, ElfSymbols.fileOffset(twoDeclared, "f@@V1"));
        assertEquals(0x2, ElfSymbols.fileOffset(twoDeclared, "g"), "g's version index 3 has no name");
        assertRefused(twoDeclared, "g@V2", "defines no function g@V2. It defines g.");
        // Declared as three: V2 is read, and the walk ends at vd_next = 0 even with a larger count.
        for (int count : new int[] {3, 1000}) {
            byte[] bytes = elf.bytes();
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(sectionHeader(bytes, verdefIndex) + 0x2c,
                    count);
            Path file = write("verdef-count-" + count, bytes);
            assertEquals(0x2, ElfSymbols.fileOffset(file, "g@@V2"));
            assertRefused(file, "g@V1", "It defines g@@V2.");
        }
    }

    @Test
    void aVersionNamedByTheEmptyStringAtOffsetZeroIsAVersion() {
        byte[] verdef = CraftedElf.versionDefinitions(new long[] {1, 1, 1, 28}, new long[] {0, 2, 0, 0});
        CraftedElf elf = new CraftedElf().load(0, TEXT, 0x1000);
        int dynstr = elf.add(SHT_STRTAB, strings("lib", "f"), 0, 0, 0);
        int dynsym = elf.add(SHT_DYNSYM, CraftedElf.symbols(new long[] {5, GLOBAL_FUNC, 1, TEXT + 7}), dynstr, 1, 24);
        elf.add(SHT_GNU_VERSYM, CraftedElf.versions(0, 2), dynsym, 0, 2);
        elf.add(SHT_GNU_VERDEF, verdef, dynstr, 2, 0);
        Path file = write("empty-version", elf.bytes());
        assertEquals(7, ElfSymbols.fileOffset(file, "f@"));
        assertEquals(7, ElfSymbols.fileOffset(file, "f@@"));
        assertRefused(file, "f@V1", "It defines f@@.");
    }

    @Test
    void aVersionNamePastItsStringTableIsCorrupt() {
        byte[] dynstr = strings("lib", "f");
        byte[] verdef = CraftedElf.versionDefinitions(new long[] {1, 1, 1, 28}, new long[] {0, 2, dynstr.length, 0});
        CraftedElf elf = new CraftedElf().load(0, TEXT, 0x1000);
        int strtab = elf.add(SHT_STRTAB, dynstr, 0, 0, 0);
        int dynsym = elf.add(SHT_DYNSYM, CraftedElf.symbols(new long[] {5, GLOBAL_FUNC, 1, TEXT}), strtab, 1, 24);
        elf.add(SHT_GNU_VERSYM, CraftedElf.versions(0, 2), dynsym, 0, 2);
        elf.add(SHT_GNU_VERDEF, verdef, strtab, 2, 0);
        assertEnoexec(write("version-past", elf.bytes()), "f", "version definition 1 names string " + dynstr.length
                + ", past its table");
    }

    @Test
    void aMessageListsAtMostTwentyVersionsOfAName() {
        List<String> names = new ArrayList<>();
        List<long[]> symbols = new ArrayList<>();
        int at = 1;
        for (int v = 1; v <= 25; v++) {
            names.add("f@V" + v);
            symbols.add(new long[] {at, GLOBAL_FUNC, 1, TEXT + v});
            at += names.getLast().length() + 1;
        }
        Path file = symtabFile("versions", strings(names.toArray(String[]::new)), symbols.toArray(long[][]::new));
        String message = assertRefused(file, "f@V99", "It defines f@V1, ").getMessage();
        assertTrue(message.endsWith(", f@V20."), message);
    }

    @Test
    void suggestionsComeFromAtMostTheFirstHundredThousandNamesOfAtMost256Bytes() {
        int far = ElfSymbols.MAX_SUGGESTION_CANDIDATES;
        StringBuilder names = new StringBuilder("\0");
        long[][] symbols = new long[far + 1][];
        for (int i = 0; i < far; i++) {
            symbols[i] = new long[] {names.length(), GLOBAL_FUNC, 1, TEXT};
            names.append("a").append(i).append("bcdefgh").append('\0');
        }
        symbols[far] = new long[] {names.length(), GLOBAL_FUNC, 1, TEXT};
        names.append("zzz").append('\0');
        Path file = symtabFile("many", names.toString().getBytes(StandardCharsets.ISO_8859_1), symbols);
        assertEquals(file + " defines no function zzx.", assertThrows(IllegalArgumentException.class,
                () -> ElfSymbols.fileOffset(file, "zzx")).getMessage(), "zzz comes after the first 100,000 names");
        // The longest name offered is 256 bytes long.
        String longest = "q".repeat(ElfSymbols.MAX_NAME_BYTES);
        Path longNames = symtabFile("long-names", strings(longest, longest + "r"),
                new long[] {1, GLOBAL_FUNC, 1, TEXT}, new long[] {2 + longest.length(), GLOBAL_FUNC, 1, TEXT});
        // The query is 256 characters (Suggestions compares no longer name), one edit from both names in the file.
        String query = "q".repeat(ElfSymbols.MAX_NAME_BYTES - 1) + "r";
        String message = assertRefused(longNames, query, "Did you mean").getMessage();
        assertTrue(message.endsWith(". Did you mean " + longest + "?"), "a 257-byte name is not offered: " + message);
    }

    /** The offset of section {@code index}'s header in {@code elf}. */
    private static int sectionHeader(byte[] elf, int index) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        return (int) (b.getLong(0x28) + 64L * index);
    }

    @Test
    void aFileTruncatedOrRewrittenWhileItIsReadIsRefusedAsCorruptNeverAFault() throws IOException {
        Path program = Programs.compiled("uprobe_target");
        long offset = ElfSymbols.fileOffset(program, "probed");
        Path copy = Files.copy(program, dir.resolve("copy"));
        assertEquals(offset, ElfSymbols.fileOffset(copy, "probed", () -> {
        }), "the hook that does nothing changes nothing");
        // cp over an existing file truncates it, then writes: caught between the open and the reads. A mapping of
        // the file faulted here (SIGBUS: InternalError "a fault occurred in an unsafe memory access operation").
        long cut = Files.size(copy) - 10; // inside the section headers, which gcc's linker writes last
        Runnable truncate = () -> {
            try (FileChannel c = FileChannel.open(copy, StandardOpenOption.WRITE)) {
                c.truncate(cut);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        PerfEventException truncated = assertThrows(PerfEventException.class,
                () -> ElfSymbols.fileOffset(copy, "probed", truncate));
        assertEquals(Errno.ENOEXEC, truncated.errno());
        assertTrue(truncated.hint().contains("the file ended at byte " + cut + ", in the middle of the section "
                + "headers: it was truncated or rewritten meanwhile"), truncated.getMessage());
        // Rewritten in place to the same size: the modification time tells.
        Files.copy(program, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Runnable rewrite = () -> {
            try {
                Files.write(copy, Files.readAllBytes(program));
                Files.setLastModifiedTime(copy, FileTime.fromMillis(Files.getLastModifiedTime(copy).toMillis() + 1));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        PerfEventException rewritten = assertThrows(PerfEventException.class,
                () -> ElfSymbols.fileOffset(copy, "probed", rewrite));
        assertEquals(Errno.ENOEXEC, rewritten.errno());
        assertTrue(rewritten.hint().contains("changed while it was read"), rewritten.getMessage());
        assertEquals(offset, ElfSymbols.fileOffset(copy, "probed"), "read again once written");
    }

    @Test
    void pathsThatNameNoRegularFileAreTheCallersInputAndSaySoWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor(), "mkfifo");
        assertRefused(fifo, "main", fifo + " is a FIFO (named pipe), not a regular file");
        assertRefused(dir, "main", dir + " is a directory, not a regular file");
        assertRefused(Path.of(""), "main", " is a directory, not a regular file"); // the current directory
        assertRefused(Path.of("/dev/null"), "main", "/dev/null is a character device");
        Path socket = dir.resolve("socket");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            assertRefused(socket, "main", socket + " is a socket"); // open(2) says ENXIO; statx says why
        }
        Path link = Files.createSymbolicLink(dir.resolve("link"), dir.resolve("missing"));
        for (Path missing : List.of(dir.resolve("missing"), link)) {
            PerfEventException e = assertThrows(PerfEventException.class, () -> ElfSymbols.fileOffset(missing, "f"));
            assertEquals(Errno.ENOENT, e.errno(), e::getMessage);
            assertTrue(e.hint().equals("there is no file " + missing), e.getMessage());
        }
        Path notADirectory = write("file", new byte[10]).resolve("below");
        assertEquals(Errno.ENOTDIR, assertThrows(PerfEventException.class,
                () -> ElfSymbols.fileOffset(notADirectory, "f")).errno(), "the errno open really gave");
    }

    @Test
    void noOutcomeLeavesAFileDescriptorOpen() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor(), "mkfifo");
        Path good = symtabFile("good", strings("f"), new long[] {1, GLOBAL_FUNC, 1, TEXT});
        Path corrupt = symtabFile("corrupt", strings("f"), new long[] {1, GLOBAL_FUNC, 1, 0x10});
        Path[] paths = {good, corrupt, fifo, dir, dir.resolve("missing")};
        for (int i = 0; i < 500; i++) {
            Path path = paths[i % paths.length];
            try {
                ElfSymbols.fileOffset(path, i % 2 == 0 ? "f" : "g");
            } catch (IllegalArgumentException | PerfEventException expected) {
                // each path's outcome is tested above; here only what stays open counts
            }
        }
        assertEquals(List.of(), fdsOpenIn(dir.toRealPath()), "fds left open on the files of 500 lookups");
    }

    /** The targets of this process's fds (from /proc/self/fd) that lie in {@code directory}. */
    private static List<Path> fdsOpenIn(Path directory) throws IOException {
        List<Path> open = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.startsWith(directory)) {
                        open.add(target);
                    }
                } catch (IOException closedMeanwhile) {
                    // an fd of another thread, closed between the listing and the readlink
                }
            }
        }
        return open;
    }

    @Test
    void anUnreadableFileIsEaccesFromTheOpen() throws IOException {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
                "skipped: root reads a file without read permission");
        Path file = write("unreadable", new byte[100]);
        Files.setPosixFilePermissions(file, java.util.Set.of());
        PerfEventException e = assertThrows(PerfEventException.class, () -> ElfSymbols.fileOffset(file, "f"));
        assertEquals(Errno.EACCES, e.errno());
        assertTrue(e.hint().contains("is not readable by this user"), e.getMessage());
    }

    @Test
    void aQueryWithoutANameIsRefusedAndNullsAreNamed() {
        Path file = symtabFile("small", strings("f"), new long[] {1, GLOBAL_FUNC, 1, TEXT});
        assertEquals(0x0, ElfSymbols.fileOffset(file, "f"));
        assertRefused(file, "", "the symbol has no name");
        assertRefused(file, "@@V1", "the symbol has no name");
        assertRefused(file, "f\0g", "cannot contain a NUL");
        assertRefused(file, "\0", "cannot contain a NUL");
        assertEquals("binary", assertThrows(NullPointerException.class, () -> ElfSymbols.fileOffset(null, "f"))
                .getMessage());
        assertEquals("symbol", assertThrows(NullPointerException.class, () -> ElfSymbols.fileOffset(file, null))
                .getMessage());
    }

    @Test
    void aGlobalWinsOverALocalOfTheSameNameWhereverEachStands() {
        for (boolean localFirst : new boolean[] {true, false}) {
            long[] local = {1, LOCAL_FUNC, 1, TEXT + 0x10};
            long[] global = {1, GLOBAL_FUNC, 1, TEXT + 0x20};
            Path file = symtabFile("ranked-" + localFirst, strings("twin"), localFirst ? local : global,
                    localFirst ? global : local);
            assertEquals(0x20, ElfSymbols.fileOffset(file, "twin"), "local first: " + localFirst);
        }
        Path twoLocals = symtabFile("two-locals", strings("twin"), new long[] {1, LOCAL_FUNC, 1, TEXT + 0x10},
                new long[] {1, LOCAL_FUNC, 1, TEXT + 0x20});
        assertEquals(0x10, ElfSymbols.fileOffset(twoLocals, "twin"), "of equals, the first");
        Path ifunc = symtabFile("ifunc", strings("pick"), new long[] {1, GLOBAL_IFUNC, 1, TEXT});
        PerfEventException e = assertThrows(PerfEventException.class, () -> ElfSymbols.fileOffset(ifunc, "pick"));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.hint().startsWith("pick is a GNU indirect function"), e.getMessage());
    }

    @Test
    void symtabVersionsSpeltInTheNameAreMatchedInPlace() {
        Path file = symtabFile("spelt", strings("twice@V1", "twice@@V2", "other@@V2", "main@", "@x"),
                new long[] {1, GLOBAL_FUNC, 1, TEXT + 1}, new long[] {10, GLOBAL_FUNC, 1, TEXT + 2},
                new long[] {20, GLOBAL_FUNC, 1, TEXT + 3}, new long[] {30, GLOBAL_FUNC, 1, TEXT + 4},
                new long[] {36, GLOBAL_FUNC, 1, TEXT + 5});
        assertRefused(file, "x", "Did you mean @x?"); // a name that starts with @ is a name, not a version
        assertEquals(0x2, ElfSymbols.fileOffset(file, "twice"));
        assertEquals(0x1, ElfSymbols.fileOffset(file, "twice@V1"));
        assertEquals(0x2, ElfSymbols.fileOffset(file, "twice@V2"));
        assertEquals(0x4, ElfSymbols.fileOffset(file, "main@"), "an empty version");
        assertRefused(file, "twice@@V1", "It defines twice@V1, twice@@V2.");
        assertRefused(file, "twic", "Did you mean twice?"); // suggested without the version
        assertRefused(file, "twice@V", "It defines");
        assertRefused(file, "twice@V12", "It defines");
    }

    @Test
    void everyTableMustLieInsideTheFileAndBeWellFormed() {
        long[] f = {1, GLOBAL_FUNC, 1, TEXT};
        assertEnoexec(write("empty", new byte[0]), "f", "is not an ELF file");
        byte[] good = new CraftedElf().load(0, TEXT, 0x1000).bytes();
        byte[] big = good.clone();
        big[5] = 2;
        assertEnoexec(write("big-endian", big), "f", "is not a 64-bit little-endian ELF file");
        byte[] elf32 = good.clone();
        elf32[4] = 1;
        assertEnoexec(write("elf32", elf32), "f", "is not a 64-bit little-endian ELF file");
        assertRefused(write("no-sections", good), "f", "It has no symbol table (stripped?)");
        byte[] smallEntries = new CraftedElf().entrySizes(56, 40).bytes();
        assertEnoexec(write("small-sections", smallEntries), "f", "section header entries of 40 bytes");
        assertEnoexec(write("small-phdrs", new CraftedElf().entrySizes(50, 64).bytes()), "f",
                "program header entries of 50 bytes");
        // A symbol whose name lies past its table, a table past the end of the file, a link to no section.
        assertEnoexec(symtabFile("name-past", strings("f"), new long[] {3, GLOBAL_FUNC, 1, TEXT}), "f",
                "symbol 1 names string 3, past its table of 3 bytes");
        symtabFile("x", strings("f"), f);
        byte[] past = bytesOf("x");
        ByteBuffer.wrap(past).order(ByteOrder.LITTLE_ENDIAN).putLong(sectionHeader(past, 2) + 0x20, 1L << 40);
        assertEnoexec(write("table-past", past), "f", "does not lie inside the file");
        byte[] justPast = bytesOf("x");
        ByteBuffer.wrap(justPast).order(ByteOrder.LITTLE_ENDIAN).putLong(sectionHeader(justPast, 2) + 0x20,
                justPast.length);
        assertEnoexec(write("table-just-past", justPast), "f", "does not lie inside the file");
        byte[] hugeOffset = bytesOf("x");
        ByteBuffer.wrap(hugeOffset).order(ByteOrder.LITTLE_ENDIAN).putLong(sectionHeader(hugeOffset, 2) + 0x18, -8);
        assertEnoexec(write("offset-negative", hugeOffset), "f", "does not lie inside the file");
        byte[] badLink = bytesOf("x");
        ByteBuffer.wrap(badLink).order(ByteOrder.LITTLE_ENDIAN).putInt(sectionHeader(badLink, 2) + 0x28, 7);
        assertEnoexec(write("bad-link", badLink), "f", "links to section 7, which does not exist");
        ByteBuffer.wrap(badLink).order(ByteOrder.LITTLE_ENDIAN).putInt(sectionHeader(badLink, 2) + 0x28, 3);
        assertEnoexec(write("link-to-shnum", badLink), "f", "links to section 3, which does not exist");
        // No program headers (as in an object file): nothing is loaded, so no address has a file offset.
        byte[] noPhdrs = bytesOf("x");
        ByteBuffer.wrap(noPhdrs).order(ByteOrder.LITTLE_ENDIAN).putShort(0x36, (short) 0).putShort(0x38, (short) 0);
        assertEnoexec(write("no-phdrs", noPhdrs), "f", "lies in no loadable segment");
        byte[] noSections = bytesOf("x");
        ByteBuffer.wrap(noSections).order(ByteOrder.LITTLE_ENDIAN).putShort(0x3a, (short) 0).putShort(0x3c, (short) 0);
        assertRefused(write("no-shdrs", noSections), "f", "It has no symbol table (stripped?)");
        // Addresses: in no loadable segment, or mapped outside the file.
        assertEnoexec(symtabFile("no-segment", strings("f"), new long[] {1, GLOBAL_FUNC, 1, 0x10}), "f",
                "lies in no loadable segment");
        assertEnoexec(symtabFile("segment-end", strings("f"), new long[] {1, GLOBAL_FUNC, 1, TEXT + 0x2000}), "f",
                "address 0x403000 lies in no loadable segment"); // one past the segment's p_filesz
        CraftedElf outside = new CraftedElf().load(1L << 40, TEXT, 0x1000);
        outside.add(SHT_SYMTAB, CraftedElf.symbols(f), outside.add(SHT_STRTAB, strings("f"), 0, 0, 0), 1, 24);
        assertEnoexec(write("outside", outside.bytes()), "f", "outside the file");
        long size = bytesOf("x").length;
        assertEnoexec(symtabFile("at-end", strings("f"), new long[] {1, GLOBAL_FUNC, 1, TEXT + size}), "f",
                "maps to file offset 0x" + Long.toHexString(size) + ", outside the file");
        assertEquals(size - 1, ElfSymbols.fileOffset(symtabFile("last-byte", strings("f"),
                new long[] {1, GLOBAL_FUNC, 1, TEXT + size - 1}), "f"));
        // A symbol table whose version table is too short for it.
        CraftedElf shortVersions = new CraftedElf().load(0, TEXT, 0x1000);
        int dynstr = shortVersions.add(SHT_STRTAB, strings("f"), 0, 0, 0);
        int dynsym = shortVersions.add(SHT_DYNSYM, CraftedElf.symbols(f), dynstr, 1, 24);
        shortVersions.add(SHT_GNU_VERSYM, CraftedElf.versions(0), dynsym, 0, 2);
        assertEnoexec(write("short-versym", shortVersions.bytes()), "f", "truncated or corrupt");
    }

    private byte[] bytesOf(String name) {
        try {
            return Files.readAllBytes(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aTableOverTheBoundIsRefusedBeforeAnythingIsAllocated() throws Throwable {
        long tableSize = ElfSymbols.MAX_TABLE_BYTES + 24;
        Path file = symtabFile("bounded", strings("f"), new long[] {1, GLOBAL_FUNC, 1, TEXT});
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(sectionHeader(bytes, 2) + 0x20, tableSize);
        Files.write(file, bytes);
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(tableSize + (1 << 20)); // a hole: no disk or memory is used
        }
        long allocated = allocatedBy(() -> assertEnoexec(file, "f", "has " + tableSize + " bytes, more than the "
                + ElfSymbols.MAX_TABLE_BYTES + " this reader reads"));
        assertTrue(allocated < 16 << 20, "allocated: " + allocated);
    }

    @Test
    void manyNearNamesAreSuggestedFromABoundedSet() {
        List<long[]> symbols = new ArrayList<>();
        StringBuilder names = new StringBuilder("\0");
        for (int i = 0; i < 2000; i++) {
            symbols.add(new long[] {names.length(), GLOBAL_FUNC, 1, TEXT + i});
            names.append("fn").append(i).append('\0');
        }
        Path file = symtabFile("near", names.toString().getBytes(StandardCharsets.ISO_8859_1),
                symbols.toArray(long[][]::new));
        assertEquals(1999, ElfSymbols.fileOffset(file, "fn1999"));
        assertRefused(file, "fn19999", "Did you mean fn1999");
    }
}
