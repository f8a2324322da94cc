package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.internal.elf.ElfSymbols;
import io.github.perfevent.sys.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Pmu} against this machine's sysfs, and its format encoding against a sysfs tree the test writes (formats
 * with several bit ranges, as real PMUs have: {@code config1:0-7,32-35}); {@link ElfSymbols}' errors.
 */
class PmuTest {

    @TempDir
    Path sysfs;

    @Test
    void everyPmuOfThisMachineIsReadFromSysfs() throws IOException {
        List<String> dirs;
        try (Stream<Path> entries = Files.list(Pmu.DEVICES)) {
            dirs = entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
        List<Pmu> pmus = Pmu.all();
        assertEquals(dirs, pmus.stream().map(Pmu::name).toList());
        for (Pmu pmu : pmus) {
            assertEquals(Integer.parseInt(Files.readAllLines(Pmu.DEVICES.resolve(pmu.name()).resolve("type")).get(0)),
                    pmu.type(), pmu.name());
            for (Map.Entry<String, String> format : pmu.formats().entrySet()) {
                assertEquals(Files.readAllLines(Pmu.DEVICES.resolve(pmu.name()).resolve("format")
                        .resolve(format.getKey())).get(0).strip(), format.getValue());
            }
        }
        assertTrue(pmus.stream().anyMatch(p -> p.name().equals("software")), "every kernel has the software PMU");
    }

    @Test
    void fieldsAreSpreadOverTheirBitRangesLowBitsFirst() throws IOException {
        Path pmu = fakePmu("fake", 42, Map.of("event", "config:0-7", "umask", "config:8-15", "split", "config1:0-7,32-35",
                "flag", "config2:63", "wide", "config3:0-63"), Map.of("loads", "event=0x3c,umask=0x01",
                "loads.scale", "1", "nested", "loads,flag"));
        Pmu fake = Pmu.named(sysfs, "fake");
        assertEquals(42, fake.type());
        assertEquals(Map.of("loads", "event=0x3c,umask=0x01", "nested", "loads,flag"), fake.events(),
                ".scale and .unit files are attributes of events, not events");
        Event loads = fake.event("loads");
        assertEquals(0x013c, loads.config());
        assertEquals("fake/loads/", loads.name());
        Event split = fake.event("split=0xabc");
        assertEquals(0xbcL | 0xaL << 32, split.config1(), "low 8 bits in 0-7, the next 4 in 32-35");
        assertEquals(1L << 63, fake.event("flag").config2(), "a lone field means 1");
        assertEquals(-1L, fake.event("wide=0xffffffffffffffff").config3());
        assertEquals(0x013c, fake.event("nested").config());
        assertEquals(1L << 63, fake.event("nested").config2());
        assertEquals(7, fake.event("event=1,event=7").config(), "a later term replaces an earlier one");
        assertEquals(0x100, fake.event("umask=0xff,umask=0x01").config(), "... in bits above 0 too");
        assertEquals(Map.of("event", "config:0-7", "umask", "config:8-15", "split", "config1:0-7,32-35",
                "flag", "config2:63", "wide", "config3:0-63"), fake.formats());
        assertEquals(0x55, fake.event("config4=0x55").config4(), "configN are terms of every PMU");
        EventNameException tooWide = assertThrows(EventNameException.class, () -> fake.event("split=0x1000"));
        assertTrue(tooWide.reason().contains("does not fit in field split (12 bits"), tooWide.reason());
        EventNameException unknown = assertThrows(EventNameException.class, () -> fake.event("event=1, umsk=1"));
        assertTrue(unknown.reason().contains("Did you mean umask?"), unknown.reason());
        assertEquals(List.of("umask"), unknown.suggestions());
        assertEquals(9, unknown.position().orElseThrow(), "the index of the unknown term, after its blank");
        assertEquals(8, assertThrows(EventNameException.class, () -> fake.event("event=1,,umask=2")).position()
                .orElseThrow());
        assertTrue(assertThrows(EventNameException.class, () -> fake.event("=5")).reason().startsWith("an empty term"));
        assertEquals("Pmu[fake, type 42, formats " + fake.formats() + ", events " + fake.events() + "]",
                fake.toString());
        assertTrue(Files.isDirectory(pmu));
    }

    @Test
    void anUnknownPmuListsTheNearestAndAllPmus() throws IOException {
        fakePmu("cpu_core", 10, Map.of(), Map.of());
        fakePmu("msr", 9, Map.of(), Map.of());
        for (String notAPmu : List.of("..", ".", "", "msr/..")) {
            assertThrows(EventNameException.class, () -> Pmu.named(sysfs, notAPmu), notAPmu);
        }
        EventNameException e = assertThrows(EventNameException.class, () -> Pmu.named(sysfs, "cpu_cor"));
        assertTrue(e.reason().contains("Did you mean cpu_core?") && e.reason().contains("PMUs here: cpu_core, msr"),
                e.reason());
    }

    @Test
    void sysfsThatCannotBeReadIsAnErrnoOfTheFailedAccessNotAnUnknownName() throws IOException {
        PerfEventException missing = assertThrows(PerfEventException.class,
                () -> Pmu.named(sysfs.resolve("no-sysfs"), "msr"));
        assertEquals(Errno.ENOENT, missing.errno(), missing.getMessage());
        assertTrue(missing.call().startsWith("list " + sysfs.resolve("no-sysfs")), missing.call());
        Path file = Files.writeString(sysfs.resolve("a-file"), "");
        assertEquals(Errno.ENOTDIR, assertThrows(PerfEventException.class, () -> Pmu.named(file, "msr")).errno());
        Path pmu = fakePmu("odd", 12, Map.of("event", "config:0-7"), Map.of());
        Files.createDirectories(pmu.resolve("events/a-directory"));
        PerfEventException directory = assertThrows(PerfEventException.class, () -> Pmu.named(sysfs, "odd"));
        assertEquals("EISDIR", directory.errnoName(), "read(2) of a directory: " + directory.getMessage());
        assertEquals("read " + pmu.resolve("events/a-directory"), directory.call());
        Files.writeString(fakePmu("typeless", 0, Map.of(), Map.of()).resolve("type"), "x\n");
        assertTrue(assertThrows(UnsupportedOperationException.class, () -> Pmu.named(sysfs, "typeless")).getMessage()
                .contains("holds 'x'"));
    }

    @Test
    void aFormatThisLibraryCannotReadIsUnsupportedNotTheCallersFault() throws IOException {
        fakePmu("formats", 13, Map.of("word", "config9:0-3", "letters", "config:a-b", "reversed", "config:7-3",
                "wide", "config:0-64", "bare", "config", "negative", "config:-1", "good", "config1:4-7"), Map.of());
        Pmu formats = Pmu.named(sysfs, "formats");
        for (String field : List.of("word", "letters", "reversed", "wide", "bare", "negative")) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> formats.event(field + "=1"), field);
            assertTrue(e.getMessage().startsWith("field " + field + " of PMU formats has a format"), e.getMessage());
        }
        assertEquals(0xf0, formats.event("good=15").config1());
        assertEquals(0x10, formats.event("good").config1(), "a lone field is 1");
        EventNameException tooWide = assertThrows(EventNameException.class, () -> formats.event("good=16"));
        assertTrue(tooWide.reason().equals("value 0x10 does not fit in field good (4 bits: config1:4-7)"),
                tooWide.reason());
        assertEquals(0, tooWide.position().orElseThrow());
        assertEquals(-1L, formats.event("config=0xffffffffffffffff").config());
        assertEquals(-1L, formats.event("config=18446744073709551615").config());
        assertEquals(0, formats.event(" ").config(), "blank terms: config 0");
        assertEquals("formats/ /", formats.event(" ").name());
        EventNameException hex = assertThrows(EventNameException.class, () -> formats.event("good=0x"));
        assertTrue(hex.reason().startsWith("'0x' is not a number"), hex.reason());
    }

    @Test
    void aNamedEventThatNamesItselfIsRefusedAtTheTermThatLeadsThere() throws IOException {
        fakePmu("loop", 14, Map.of("event", "config:0-7"), Map.of("a", "b", "b", "a", "ok", "event=3"));
        Pmu loop = Pmu.named(sysfs, "loop");
        EventNameException e = assertThrows(EventNameException.class, () -> loop.event("ok, a"));
        assertTrue(e.reason().contains("refers to itself"), e.reason());
        assertEquals(4, e.position().orElseThrow(), "the term a, after ', '");
        assertEquals(3, loop.event("ok").config());
        fakePmu("chain", 15, Map.of("event", "config:0-7"), Map.of("a", "b", "b", "c", "c", "event=9"));
        assertEquals(9, Pmu.named(sysfs, "chain").event("a").config(), "three named events deep is no loop");
        fakePmu("bare", 16, Map.of(), Map.of());
        EventNameException bare = assertThrows(EventNameException.class, () -> Pmu.named(sysfs, "bare").event("x"));
        assertTrue(bare.reason().endsWith("It has no fields or named events."), bare.reason());
        assertThrows(EventNameException.class, () -> Pmu.named(sysfs, sysfs.resolve("chain").toString()),
                "an absolute path is no PMU name, even one that leads to a PMU");
        assertThrows(EventNameException.class, () -> Pmu.named(sysfs, "\0chain"));
        EventNameException none = assertThrows(EventNameException.class,
                () -> Pmu.named(sysfs, "x".repeat(16384)));
        assertEquals(List.of(), none.suggestions(), "no suggestions for a name this long");
        assertTrue(none.reason().endsWith("PMUs here: bare, chain, loop (nearest first)"), "by name: " + none.reason());
    }

    @Test
    void elfSymbolsRefuseWhatIsNotAnElfFunction(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("text"), "not an ELF file, just text long enough to have a header....."
                + "................................................................................");
        assertEquals(Errno.ENOEXEC, assertThrows(PerfEventException.class,
                () -> ElfSymbols.fileOffset(text, "main")).errno());
        assertEquals(Errno.ENOENT, assertThrows(PerfEventException.class,
                () -> ElfSymbols.fileOffset(dir.resolve("missing"), "main")).errno());
        Path program = Programs.compiled("uprobe_target");
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> ElfSymbols.fileOffset(program, "probd"));
        assertTrue(typo.getMessage().contains("Did you mean probed?"), typo.getMessage());
        Path libc = Path.of("/lib/x86_64-linux-gnu/libc.so.6");
        if (Files.isReadable(libc)) {
            long offset = ElfSymbols.fileOffset(libc, "getpid");
            assertTrue(offset > 0, "libc's getpid, from .dynsym: " + offset);
        }
    }

    private Path fakePmu(String name, int type, Map<String, String> formats, Map<String, String> events)
            throws IOException {
        Path dir = Files.createDirectories(sysfs.resolve(name));
        Files.writeString(dir.resolve("type"), type + "\n");
        Files.createDirectories(dir.resolve("format"));
        for (var f : formats.entrySet()) {
            Files.writeString(dir.resolve("format").resolve(f.getKey()), f.getValue() + "\n");
        }
        Files.createDirectories(dir.resolve("events"));
        for (var e : events.entrySet()) {
            Files.writeString(dir.resolve("events").resolve(e.getKey()), e.getValue() + "\n");
        }
        return dir;
    }
}
