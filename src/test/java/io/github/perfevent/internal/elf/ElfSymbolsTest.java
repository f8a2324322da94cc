package io.github.perfevent.internal.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.perfevent.Counter;
import io.github.perfevent.Event;
import io.github.perfevent.PerfEventException;
import io.github.perfevent.ProbeTest;
import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Gcc;
import io.github.perfevent.sys.Libc;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ElfSymbols} against binutils' {@code readelf -sW} (symbols, with versions) and {@code readelf -lW} (LOAD
 * segments): every function of the libc this JVM runs on, by plain and by versioned name; a gcc-built library whose
 * one name has two versions, unstripped (versions spelt out in {@code .symtab}) and stripped (versions from
 * {@code .gnu.version}); GNU indirect functions refused. Then the offset at work: a uprobe and a uretprobe on libc's
 * {@code getpid} count exactly this thread's calls.
 */
class ElfSymbolsTest {

    private static final Pattern SYMBOL = Pattern.compile(
            "^\\s*\\d+: ([0-9a-f]+)\\s+\\d+\\s+(\\w+)\\s+(\\w+)\\s+\\w+\\s+(\\w+)\\s+(\\S+)");
    private static final Pattern LOAD = Pattern.compile(
            "(?m)^\\s+LOAD\\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x[0-9a-f]+ 0x([0-9a-f]+)");

    /** A symbol as readelf prints it. */
    record ReadelfSymbol(String name, long address, String type) {

        String baseName() {
            int at = name.indexOf('@');
            return at < 0 ? name : name.substring(0, at);
        }

        boolean isDefault() {
            return !name.contains("@") || name.contains("@@");
        }
    }

    @TempDir
    static Path work;
    private static Path libc;

    @BeforeAll
    static void needsBinutils() throws IOException {
        try {
            Assumptions.assumeTrue(Gcc.run(List.of("readelf", "--version"), null, null).exitCode() == 0,
                    "skipped: readelf does not run");
        } catch (IOException e) {
            Assumptions.abort("skipped: binutils' readelf is not on PATH: " + e.getMessage());
        }
        libc = loadedLibc();
    }

    /** The libc.so.6 this JVM has mapped, from /proc/self/maps (read through a reader). */
    private static Path loadedLibc() throws IOException {
        try (BufferedReader maps = Files.newBufferedReader(Path.of("/proc/self/maps"))) {
            return maps.lines().map(line -> line.substring(line.lastIndexOf(' ') + 1))
                    .filter(p -> p.endsWith("/libc.so.6")).findFirst().map(Path::of)
                    .orElseThrow(() -> new AssertionError("this JVM maps no libc.so.6"));
        }
    }

    /** The defined FUNC and IFUNC symbols of the table ElfSymbols reads: .symtab when there is one, else .dynsym. */
    static List<ReadelfSymbol> readelfFunctions(Path binary) throws IOException {
        Gcc.Result r = Gcc.run(List.of("readelf", "-sW", binary.toString()), null, null);
        assertEquals(0, r.exitCode(), r.stderr());
        Map<String, List<ReadelfSymbol>> tables = new LinkedHashMap<>();
        List<ReadelfSymbol> current = null;
        for (String line : r.stdout().split("\n")) {
            if (line.startsWith("Symbol table '")) {
                current = tables.computeIfAbsent(line.substring(14, line.indexOf('\'', 14)), k -> new ArrayList<>());
                continue;
            }
            Matcher m = SYMBOL.matcher(line);
            if (current != null && m.find() && !m.group(4).equals("UND")
                    && (m.group(2).equals("FUNC") || m.group(2).equals("IFUNC"))) {
                current.add(new ReadelfSymbol(m.group(5), Long.parseUnsignedLong(m.group(1), 16), m.group(2)));
            }
        }
        return tables.containsKey(".symtab") ? tables.get(".symtab") : tables.getOrDefault(".dynsym", List.of());
    }

    /** The LOAD segments of {@code readelf -lW}: {offset, vaddr, filesz} each. */
    static List<long[]> loadSegments(Path binary) throws IOException {
        Gcc.Result r = Gcc.run(List.of("readelf", "-lW", binary.toString()), null, null);
        assertEquals(0, r.exitCode(), r.stderr());
        List<long[]> segments = new ArrayList<>();
        Matcher load = LOAD.matcher(r.stdout());
        while (load.find()) {
            segments.add(new long[] {Long.parseUnsignedLong(load.group(1), 16), Long.parseUnsignedLong(load.group(2), 16),
                    Long.parseUnsignedLong(load.group(3), 16)});
        }
        assertTrue(!segments.isEmpty(), "readelf -lW lists LOAD segments:\n" + r.stdout());
        return segments;
    }

    /** The file offset of {@code address} through the LOAD segment that holds it. */
    static long fileOffset(List<long[]> segments, long address) {
        for (long[] s : segments) {
            if (address >= s[1] && address < s[1] + s[2]) {
                return address - s[1] + s[0];
            }
        }
        throw new AssertionError("no LOAD segment holds 0x" + Long.toHexString(address));
    }

    static long fileOffset(Path binary, long address) throws IOException {
        return fileOffset(loadSegments(binary), address);
    }

    /**
     * Every symbol by its versioned name, and every name with a default version by its plain name, resolves to the
     * offset readelf gives (an IFUNC to EINVAL); returns how many were checked.
     */
    private static int assertEveryFunctionAgreesWithReadelf(Path binary) throws IOException {
        List<ReadelfSymbol> symbols = readelfFunctions(binary);
        assertTrue(symbols.size() > 1, binary + " has functions: " + symbols);
        Map<String, ReadelfSymbol> byQuery = new LinkedHashMap<>();
        for (ReadelfSymbol s : symbols) {
            byQuery.put(s.name(), s);
        }
        for (ReadelfSymbol s : symbols) {
            if (s.isDefault()) {
                byQuery.putIfAbsent(s.baseName(), s);
            }
        }
        List<long[]> segments = loadSegments(binary);
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, ReadelfSymbol> q : byQuery.entrySet()) {
            ReadelfSymbol s = q.getValue();
            if (s.type().equals("IFUNC")) {
                PerfEventException e = assertThrows(PerfEventException.class,
                        () -> ElfSymbols.fileOffset(binary, q.getKey()), q.getKey());
                if (e.errno() != Errno.EINVAL || !e.hint().contains("STT_GNU_IFUNC")) {
                    wrong.add(q.getKey() + ": " + e.getMessage());
                }
                continue;
            }
            long expected = fileOffset(segments, s.address());
            long actual;
            try {
                actual = ElfSymbols.fileOffset(binary, q.getKey());
            } catch (PerfEventException e) {
                wrong.add(q.getKey() + ": " + e.getMessage());
                continue;
            }
            if (actual != expected) {
                wrong.add(q.getKey() + ": readelf 0x" + Long.toHexString(expected) + " (" + s.name() + "), ElfSymbols 0x"
                        + Long.toHexString(actual));
            }
        }
        if (!wrong.isEmpty()) {
            fail(wrong.size() + " of " + byQuery.size() + " names of " + binary + " disagree with readelf:\n"
                    + String.join("\n", wrong.subList(0, Math.min(40, wrong.size()))));
        }
        return byQuery.size();
    }

    @Test
    void everyFunctionOfLibcHasTheOffsetReadelfGivesWithDefaultVersionsForPlainNames() throws IOException {
        int checked = assertEveryFunctionAgreesWithReadelf(libc);
        assertTrue(checked > 1000, "libc's .dynsym has thousands of functions: " + checked);
        List<ReadelfSymbol> symbols = readelfFunctions(libc);
        // The test's premise, on glibc: some names have two versions at different addresses (posix_spawn@GLIBC_2.2.5
        // and posix_spawn@@GLIBC_2.15); a plain name must reach the default one, which the loop above checked.
        assertTrue(symbols.stream().anyMatch(s -> !s.isDefault() && symbols.stream().anyMatch(d -> d.isDefault()
                && d.baseName().equals(s.baseName()) && d.address() != s.address())), "libc has two-version names");
    }

    @Test
    void twoVersionsOfOneNameInALibraryBuiltHereUnstrippedAndStripped() throws IOException {
        String reason = Gcc.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "skipped: " + reason);
        Path map = Files.writeString(work.resolve("versions.map"),
                "V1 { global: twice; local: *; };\nV2 { global: twice; plain; } V1;\n");
        Path library = work.resolve("libversioned.so");
        Gcc.compile(Path.of("src/test/c/versioned_lib.c"), library,
                List.of("-shared", "-fPIC", "-Wl,--version-script=" + map));
        Path stripped = work.resolve("libversioned-stripped.so");
        Gcc.Result strip = Gcc.run(List.of("strip", "--strip-all", "-o", stripped.toString(), library.toString()),
                null, null);
        assertEquals(0, strip.exitCode(), strip.stderr());
        for (Path binary : List.of(library, stripped)) {
            Map<String, Long> address = new LinkedHashMap<>();
            readelfFunctions(binary).forEach(s -> address.putIfAbsent(s.name(), s.address()));
            assertTrue(address.containsKey("twice@V1") && address.containsKey("twice@@V2"), binary + ": " + address);
            long v1 = fileOffset(binary, address.get("twice@V1"));
            long v2 = fileOffset(binary, address.get("twice@@V2"));
            assertTrue(v1 != v2, "two functions");
            assertEquals(v2, ElfSymbols.fileOffset(binary, "twice"), binary + ": a plain name is the default version");
            assertEquals(v2, ElfSymbols.fileOffset(binary, "twice@@V2"));
            assertEquals(v2, ElfSymbols.fileOffset(binary, "twice@V2"), "@ takes the default version too");
            assertEquals(v1, ElfSymbols.fileOffset(binary, "twice@V1"));
            IllegalArgumentException notDefault = assertThrows(IllegalArgumentException.class,
                    () -> ElfSymbols.fileOffset(binary, "twice@@V1"));
            assertTrue(notDefault.getMessage().contains("It defines twice@@V2, twice@V1.")
                    || notDefault.getMessage().contains("It defines twice@V1, twice@@V2."), notDefault.getMessage());
            assertTrue(assertThrows(IllegalArgumentException.class, () -> ElfSymbols.fileOffset(binary, "twice@V3"))
                    .getMessage().startsWith(binary + " defines no function twice@V3."));
            assertEquals(fileOffset(binary, readelfFunctions(binary).stream()
                    .filter(s -> s.baseName().equals("plain")).findFirst().orElseThrow().address()),
                    ElfSymbols.fileOffset(binary, "plain"));
            assertEveryFunctionAgreesWithReadelf(binary);
        }
    }

    @Test
    void aNonPieExecutableTranslatesAddressesToFileOffsetsThroughItsLoadSegments() throws IOException {
        String reason = Gcc.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "skipped: " + reason);
        Path nonPie = work.resolve("uprobe_target-no-pie");
        Gcc.compile(Path.of("src/test/c/uprobe_target.c"), nonPie, List.of("-no-pie"));
        long address = readelfFunctions(nonPie).stream().filter(s -> s.name().equals("probed")).findFirst()
                .orElseThrow().address();
        long offset = fileOffset(nonPie, address);
        assertTrue(offset != address, "the premise: a non-PIE executable is linked at 0x400000, so offset 0x"
                + Long.toHexString(offset) + " differs from address 0x" + Long.toHexString(address));
        assertEquals(offset, ElfSymbols.fileOffset(nonPie, "probed"));
        assertEquals(offset, ProbeTest.offsetFromBinutils(nonPie, "probed"), "readelf -s and nm agree");
        assertEveryFunctionAgreesWithReadelf(nonPie);
    }

    @Test
    void anObjectFileLoadsNothingSoItsFunctionsHaveNoFileOffset() throws IOException {
        String reason = Gcc.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "skipped: " + reason);
        Path object = work.resolve("uprobe_target.o");
        Gcc.compile(Path.of("src/test/c/uprobe_target.c"), object, List.of("-c"));
        assertTrue(readelfFunctions(object).stream().anyMatch(s -> s.name().equals("probed")), "the premise");
        PerfEventException e = assertThrows(PerfEventException.class, () -> ElfSymbols.fileOffset(object, "probed"));
        assertEquals(Errno.ENOEXEC, e.errno());
        assertTrue(e.hint().contains("lies in no loadable segment"), e.getMessage());
    }

    @Test
    void aGlobalFunctionWinsOverALocalOneOfTheSameNameListedBeforeIt() throws IOException {
        String reason = Gcc.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "skipped: " + reason);
        Path program = work.resolve("ranking");
        Gcc.compile(Path.of("src/test/c/ranking_local.c"), program, List.of("src/test/c/ranking_global.c"));
        Gcc.Result r = Gcc.run(List.of("readelf", "-sW", program.toString()), null, null);
        assertEquals(0, r.exitCode(), r.stderr());
        Map<String, Long> twins = new LinkedHashMap<>();
        for (String line : r.stdout().split("\n")) {
            Matcher m = SYMBOL.matcher(line);
            if (m.find() && m.group(5).equals("twin")) {
                twins.put(m.group(3), Long.parseUnsignedLong(m.group(1), 16));
            }
        }
        assertEquals(List.of("LOCAL", "GLOBAL"), List.copyOf(twins.keySet()),
                "the premise: .symtab lists the local twin first, as it lists every local first");
        assertTrue(!twins.get("LOCAL").equals(twins.get("GLOBAL")), "two functions: " + twins);
        assertEquals(fileOffset(program, twins.get("GLOBAL")), ElfSymbols.fileOffset(program, "twin"));
    }

    @Test
    void aGnuIndirectFunctionIsRefusedBecauseItsSymbolIsTheResolver() throws IOException {
        ReadelfSymbol ifunc = readelfFunctions(libc).stream().filter(s -> s.type().equals("IFUNC") && s.isDefault())
                .findFirst().orElse(null);
        Assumptions.assumeTrue(ifunc != null, "skipped: this libc has no IFUNC");
        PerfEventException e = assertThrows(PerfEventException.class, () -> ElfSymbols.fileOffset(libc, ifunc.baseName()));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.hint().startsWith(ifunc.name() + " is a GNU indirect function (STT_GNU_IFUNC)"), e.getMessage());
    }

    @Test
    void aUprobeAndAUretprobeOnLibcGetpidCountExactlyThisThreadsCalls() {
        int calls = 1234;
        for (Event event : List.of(Event.uprobe(libc, "getpid"), Event.uretprobe(libc, "getpid"))) {
            try (Counter counter = Counter.open(event)) {
                counter.enable();
                for (int i = 0; i < calls; i++) {
                    Libc.getpid();
                }
                counter.disable();
                assertEquals(calls, counter.read(), event.name() + ": one hit per getpid() downcall of this thread");
            }
        }
    }

    @Test
    void whatIsNotAnElfFunctionIsRefusedWithTheReason(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("text"), "x".repeat(100));
        PerfEventException notElf = assertThrows(PerfEventException.class, () -> ElfSymbols.fileOffset(text, "main"));
        assertEquals(Errno.ENOEXEC, notElf.errno());
        assertTrue(notElf.hint().endsWith("is not an ELF file"), notElf.getMessage());
        byte[] elf32 = new byte[64];
        elf32[0] = 0x7f;
        elf32[1] = 'E';
        elf32[2] = 'L';
        elf32[3] = 'F';
        elf32[4] = 1; // ELFCLASS32
        elf32[5] = 1;
        Path small = Files.write(dir.resolve("elf32"), elf32);
        assertTrue(assertThrows(PerfEventException.class, () -> ElfSymbols.fileOffset(small, "main")).hint()
                .endsWith("is not a 64-bit little-endian ELF file"));
        byte[] truncated = Files.readAllBytes(libc);
        Path cut = Files.write(dir.resolve("cut.so"), java.util.Arrays.copyOf(truncated, 4096));
        PerfEventException corrupt = assertThrows(PerfEventException.class, () -> ElfSymbols.fileOffset(cut, "getpid"));
        assertEquals(Errno.ENOEXEC, corrupt.errno());
        assertTrue(corrupt.hint().contains("truncated or corrupt"), corrupt.getMessage());
        PerfEventException missing = assertThrows(PerfEventException.class,
                () -> ElfSymbols.fileOffset(dir.resolve("missing"), "main"));
        assertEquals(Errno.ENOENT, missing.errno());
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> ElfSymbols.fileOffset(libc, "getpdi"));
        assertTrue(typo.getMessage().contains("Did you mean getpid"), typo.getMessage());
    }
}
