package io.github.perfevent.internal.elf;

import static io.github.perfevent.internal.elf.CraftedElf.GLOBAL_FUNC;
import static io.github.perfevent.internal.elf.CraftedElf.GLOBAL_IFUNC;
import static io.github.perfevent.internal.elf.CraftedElf.LOCAL_FUNC;
import static io.github.perfevent.internal.elf.CraftedElf.SHT_DYNSYM;
import static io.github.perfevent.internal.elf.CraftedElf.SHT_STRTAB;
import static io.github.perfevent.internal.elf.CraftedElf.SHT_SYMTAB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.perfevent.PerfEventException;
import io.github.perfevent.Programs;
import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Gcc;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ElfSymbols#functions}: the function table of real binaries agrees with readelf (every FUNC and IFUNC symbol
 * at the file offset its LOAD segment gives, with its size), and crafted files pin down the choices readelf cannot
 * show: aliases, functions of size 0, offsets between functions, and the verdicts on corrupt tables.
 */
class FunctionTableTest {

    private static final Pattern SYMBOL = Pattern.compile(
            "^\\s*\\d+: ([0-9a-f]+)\\s+(\\d+|0x[0-9a-f]+)\\s+(\\w+)\\s+(\\w+)\\s+\\w+\\s+(\\w+)\\s+(\\S+)");
    private static final long TEXT = 0x401000;

    @TempDir
    Path dir;

    /** A FUNC or IFUNC symbol as readelf prints it: name, address, size. */
    record Symbol(String name, long address, long size) {
    }

    @BeforeAll
    static void needsBinutils() {
        try {
            Assumptions.assumeTrue(Gcc.run(List.of("readelf", "--version"), null, null).exitCode() == 0,
                    "skipped: readelf does not run");
        } catch (IOException e) {
            Assumptions.abort("skipped: binutils' readelf is not on PATH: " + e.getMessage());
        }
    }

    /** The defined FUNC and IFUNC symbols of .symtab when there is one, else of .dynsym, with their sizes. */
    private static List<Symbol> readelfFunctions(Path binary) throws IOException {
        Gcc.Result r = Gcc.run(List.of("readelf", "-sW", binary.toString()), null, null);
        assertEquals(0, r.exitCode(), r.stderr());
        Map<String, List<Symbol>> tables = new HashMap<>();
        List<Symbol> current = null;
        for (String line : r.stdout().split("\n")) {
            if (line.startsWith("Symbol table '")) {
                current = tables.computeIfAbsent(line.substring(14, line.indexOf('\'', 14)), k -> new ArrayList<>());
                continue;
            }
            Matcher m = SYMBOL.matcher(line);
            if (current != null && m.find() && !m.group(5).equals("UND")
                    && (m.group(3).equals("FUNC") || m.group(3).equals("IFUNC"))) {
                String size = m.group(2);
                current.add(new Symbol(m.group(6), Long.parseUnsignedLong(m.group(1), 16),
                        size.startsWith("0x") ? Long.parseLong(size.substring(2), 16) : Long.parseLong(size)));
            }
        }
        return tables.containsKey(".symtab") ? tables.get(".symtab") : tables.getOrDefault(".dynsym", List.of());
    }

    /** Every readelf function starts a function of the table, named by one of the names at that offset. */
    private static int assertAgreesWithReadelf(Path binary) throws IOException {
        List<Symbol> symbols = readelfFunctions(binary);
        List<long[]> segments = ElfSymbolsTest.loadSegments(binary);
        FunctionTable table = ElfSymbols.functions(binary);
        Map<Long, Set<String>> namesAt = new HashMap<>();
        Map<String, Long> sizeOf = new HashMap<>();
        for (Symbol s : symbols) {
            namesAt.computeIfAbsent(ElfSymbolsTest.fileOffset(segments, s.address()), k -> new LinkedHashSet<>())
                    .add(s.name());
            sizeOf.merge(s.name() + "@" + ElfSymbolsTest.fileOffset(segments, s.address()), s.size(), Math::max);
        }
        assertEquals(namesAt.size(), table.size(), binary + ": one function per distinct offset");
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<Long, Set<String>> e : namesAt.entrySet()) {
            int index = table.indexOf(e.getKey());
            if (index < 0 || table.offset(index) != e.getKey() || !oneOf(table.name(index), e.getValue())) {
                wrong.add("0x" + Long.toHexString(e.getKey()) + " " + e.getValue() + ": "
                        + (index < 0 ? "none" : table.name(index) + " at 0x" + Long.toHexString(table.offset(index))));
                continue;
            }
            long size = e.getValue().stream().filter(n -> oneOf(table.name(index), Set.of(n)))
                    .mapToLong(n -> sizeOf.get(n + "@" + e.getKey())).max().orElseThrow();
            if (size > 0 && table.end(index) != e.getKey() + size) {
                wrong.add(table.name(index) + ": ends at 0x" + Long.toHexString(table.end(index)) + ", size " + size);
            }
        }
        if (!wrong.isEmpty()) {
            fail(wrong.size() + " of " + namesAt.size() + " functions of " + binary + " disagree with readelf:\n"
                    + String.join("\n", wrong.subList(0, Math.min(30, wrong.size()))));
        }
        return table.size();
    }

    /**
     * Whether {@code name} is one of {@code names} as the table spells it: readelf adds the version of a .dynsym
     * symbol ({@code isprint@@GLIBC_2.2.5}) that the table leaves out, and the table cuts names after 256 bytes.
     */
    private static boolean oneOf(String name, Set<String> names) {
        for (String n : names) {
            String plain = n.contains("@") && !name.contains("@") ? n.substring(0, n.indexOf('@')) : n;
            if (name.equals(plain) || name.endsWith("...") && name.length() == ElfSymbols.MAX_NAME_BYTES + 3
                    && plain.startsWith(name.substring(0, ElfSymbols.MAX_NAME_BYTES))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyFunctionOfAPieAndANonPieProgramAndOfLibcIsWhereReadelfPutsIt() throws IOException {
        Path pie = Programs.compiled("uprobe_target");
        Path nonPie = dir.resolve("uprobe_target-no-pie");
        Gcc.compile(Path.of("src/test/c/uprobe_target.c"), nonPie, List.of("-no-pie"));
        assertTrue(assertAgreesWithReadelf(pie) > 3);
        assertTrue(assertAgreesWithReadelf(nonPie) > 3);
        assertTrue(assertAgreesWithReadelf(loadedLibrary("/libc.so.6")) > 1000, "libc's .dynsym");
    }

    @Test
    void everySharedLibraryThisJvmMapsAgreesWithReadelf() throws IOException {
        Set<Path> libraries = new LinkedHashSet<>();
        try (BufferedReader maps = Files.newBufferedReader(Path.of("/proc/self/maps"))) {
            maps.lines().map(line -> line.substring(line.lastIndexOf(' ') + 1)).filter(p -> p.endsWith(".so")
                    || p.contains(".so.")).forEach(p -> libraries.add(Path.of(p)));
        }
        assertTrue(libraries.size() >= 3, "libraries: " + libraries);
        int functions = 0;
        for (Path library : libraries) {
            functions += assertAgreesWithReadelf(library);
        }
        assertTrue(functions > 5000, "functions: " + functions);
    }

    @Test
    void aFullyStrippedFileHasNoFunctions() throws IOException {
        Path stripped = dir.resolve("stripped");
        Gcc.compile(Path.of("src/test/c/uprobe_target.c"), stripped, List.of());
        assertEquals(0, Gcc.run(List.of("strip", "--strip-all", stripped.toString()), null, null).exitCode());
        assertEquals(List.of(), readelfFunctions(stripped), "the premise: stripped, .dynsym defines no function");
        FunctionTable table = ElfSymbols.functions(stripped);
        assertEquals(0, table.size());
        assertEquals(-1, table.indexOf(0x1000));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] strings(String... names) {
        return ("\0" + String.join("\0", names) + "\0").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A file whose .symtab holds {@code symbols} over {@code strings}, its start loaded at TEXT. */
    private Path symtabFile(String name, byte[] strings, long[]... symbols) throws IOException {
        CraftedElf elf = new CraftedElf().load(0, TEXT, 0x2000);
        int strtab = elf.add(SHT_STRTAB, strings, 0, 0, 0);
        elf.add(SHT_SYMTAB, CraftedElf.symbols(symbols), strtab, 1, 24);
        return write(name, elf.bytes());
    }

    @Test
    void functionsCoverTheirSizeAndFunctionsOfSizeZeroReachTheNextOne() throws IOException {
        // "\0a\0b\0c\0d\0": a at 1, b at 3, c at 5, d at 7
        Path file = symtabFile("sizes", strings("a", "b", "c", "d"),
                new long[] {1, GLOBAL_FUNC, 1, TEXT + 0x10, 4},
                new long[] {3, GLOBAL_FUNC, 1, TEXT + 0x20, 0},
                new long[] {5, GLOBAL_IFUNC, 1, TEXT + 0x30, 8},
                new long[] {7, GLOBAL_FUNC, 1, TEXT + 0x40, 0});
        FunctionTable table = ElfSymbols.functions(file);
        assertEquals(4, table.size());
        assertEquals("a", table.name(table.indexOf(0x10)));
        assertEquals("a", table.name(table.indexOf(0x13)));
        assertEquals(-1, table.indexOf(0x14), "between a's end and b");
        assertEquals(-1, table.indexOf(0xf), "before the first function");
        assertEquals("b", table.name(table.indexOf(0x2f)), "b has no size: it reaches c");
        assertEquals("c", table.name(table.indexOf(0x37)), "an indirect function is a function here");
        assertEquals(-1, table.indexOf(0x38));
        assertEquals("d", table.name(table.indexOf(0x40)), "the last function of size 0 covers its first byte");
        assertEquals(-1, table.indexOf(0x41));
        assertEquals(0x41, table.end(table.indexOf(0x40)));
    }

    @Test
    void ofAliasesTheGlobalThenTheWeakThenTheFewestUnderscoresThenTheShortestNameIsKept() throws IOException {
        int weakFunc = 0x22;
        // offsets: "\0" then names in order
        // Each pair is decided by one rule only: the rules after it would choose the other name.
        String[] names = {"g_long_global", "l", "__x", "_y_long", "bbb", "cc", "zz", "aa", "w_long_weak", "k"};
        int[] at = new int[names.length];
        int offset = 1;
        for (int i = 0; i < names.length; i++) {
            at[i] = offset;
            offset += names[i].length() + 1;
        }
        Path file = symtabFile("aliases", strings(names),
                new long[] {at[0], GLOBAL_FUNC, 1, TEXT + 0x10, 8},
                new long[] {at[1], LOCAL_FUNC, 1, TEXT + 0x10, 8},
                new long[] {at[2], GLOBAL_FUNC, 1, TEXT + 0x20, 8},
                new long[] {at[3], GLOBAL_FUNC, 1, TEXT + 0x20, 8},
                new long[] {at[4], GLOBAL_FUNC, 1, TEXT + 0x30, 8},
                new long[] {at[5], GLOBAL_FUNC, 1, TEXT + 0x30, 8},
                new long[] {at[6], GLOBAL_FUNC, 1, TEXT + 0x40, 8},
                new long[] {at[7], GLOBAL_FUNC, 1, TEXT + 0x40, 8},
                new long[] {at[8], weakFunc, 1, TEXT + 0x50, 8},
                new long[] {at[9], LOCAL_FUNC, 1, TEXT + 0x50, 8});
        FunctionTable table = ElfSymbols.functions(file);
        assertEquals(5, table.size());
        assertEquals("g_long_global", table.name(table.indexOf(0x10)), "global over local");
        assertEquals("_y_long", table.name(table.indexOf(0x20)), "fewer leading underscores");
        assertEquals("cc", table.name(table.indexOf(0x30)), "shorter");
        assertEquals("aa", table.name(table.indexOf(0x40)), "same length: byte order");
        assertEquals("w_long_weak", table.name(table.indexOf(0x50)), "weak over local");
    }

    @Test
    void undefinedSymbolsAndOtherTypesAreNotFunctionsAndDynsymServesWhenThereIsNoSymtab() throws IOException {
        int object = 0x11;
        CraftedElf elf = new CraftedElf().load(0, TEXT, 0x2000);
        int dynstr = elf.add(SHT_STRTAB, strings("f", "undef", "data"), 0, 0, 0);
        elf.add(SHT_DYNSYM, CraftedElf.symbols(new long[] {1, GLOBAL_FUNC, 1, TEXT + 0x10, 4},
                new long[] {3, GLOBAL_FUNC, 0, 0, 0}, new long[] {9, object, 1, TEXT + 0x20, 4}), dynstr, 1, 24);
        FunctionTable table = ElfSymbols.functions(write("dynsym", elf.bytes()));
        assertEquals(1, table.size());
        assertEquals("f", table.name(0));
        assertEquals(0x10, table.offset(0));
    }

    @Test
    void aLongNameIsCutWithAnEllipsis() throws IOException {
        String longName = "n".repeat(ElfSymbols.MAX_NAME_BYTES + 10);
        Path file = symtabFile("long", strings(longName), new long[] {1, GLOBAL_FUNC, 1, TEXT + 0x10, 4});
        FunctionTable table = ElfSymbols.functions(file);
        assertEquals("n".repeat(ElfSymbols.MAX_NAME_BYTES) + "...", table.name(0));
    }

    @Test
    void corruptTablesAndFilesThatAreNotElfAreRefusedAsEnoexec() throws IOException {
        Path pastStrings = symtabFile("past", strings("f"), new long[] {100, GLOBAL_FUNC, 1, TEXT + 0x10, 4});
        assertTrue(enoexec(pastStrings).hint().contains("symbol 1 names string 100, past its table of 3 bytes"));
        Path outside = symtabFile("outside", strings("f"), new long[] {1, GLOBAL_FUNC, 1, 0x10, 4});
        assertTrue(enoexec(outside).hint().contains("lies in no loadable segment"));
        Path text = Files.writeString(dir.resolve("text"), "not an ELF file at all, but long enough for a header.....");
        assertTrue(enoexec(text).hint().endsWith("is not an ELF file"));
        assertEquals(Errno.ENOENT, assertThrows(PerfEventException.class,
                () -> ElfSymbols.functions(dir.resolve("missing"))).errno());
        assertThrows(IllegalArgumentException.class, () -> ElfSymbols.functions(dir));
        assertThrows(NullPointerException.class, () -> ElfSymbols.functions(null));
    }

    @Test
    void aFileTruncatedWhileItIsReadIsRefusedAndReadAgainOnceWhole() throws IOException {
        Path copy = Files.copy(Programs.compiled("uprobe_target"), dir.resolve("copy"));
        int whole = ElfSymbols.functions(copy).size();
        byte[] original = Files.readAllBytes(copy);
        PerfEventException e = assertThrows(PerfEventException.class, () -> ElfSymbols.functions(copy, () -> {
            try (FileChannel c = FileChannel.open(copy, StandardOpenOption.WRITE)) {
                c.truncate(original.length / 2);
            } catch (IOException x) {
                throw new AssertionError(x);
            }
        }));
        assertEquals(Errno.ENOEXEC, e.errno(), e.getMessage());
        Files.write(copy, original);
        assertEquals(whole, ElfSymbols.functions(copy).size());
    }

    private static PerfEventException enoexec(Path file) {
        PerfEventException e = assertThrows(PerfEventException.class, () -> ElfSymbols.functions(file));
        assertEquals(Errno.ENOEXEC, e.errno(), e.getMessage());
        return e;
    }

    private static Path loadedLibrary(String suffix) throws IOException {
        try (BufferedReader maps = Files.newBufferedReader(Path.of("/proc/self/maps"))) {
            return maps.lines().map(line -> line.substring(line.lastIndexOf(' ') + 1)).filter(p -> p.endsWith(suffix))
                    .findFirst().map(Path::of).orElseThrow(() -> new AssertionError("this JVM maps no " + suffix));
        }
    }
}
