package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertEquals(0x55, fake.event("config4=0x55").config4(), "configN are terms of every PMU");
        PerfEventException tooWide = assertThrows(PerfEventException.class, () -> fake.event("split=0x1000"));
        assertEquals(Errno.EINVAL, tooWide.errno());
        assertTrue(tooWide.hint().contains("does not fit in field split (12 bits"), tooWide.hint());
        PerfEventException unknown = assertThrows(PerfEventException.class, () -> fake.event("umsk=1"));
        assertEquals(Errno.ENOENT, unknown.errno());
        assertTrue(unknown.hint().contains("Did you mean umask?"), unknown.hint());
        assertEquals(Errno.EINVAL, assertThrows(PerfEventException.class, () -> fake.event("event=1,,umask=2")).errno());
        assertTrue(Files.isDirectory(pmu));
    }

    @Test
    void anUnknownPmuListsTheNearestAndAllPmus() throws IOException {
        fakePmu("cpu_core", 10, Map.of(), Map.of());
        fakePmu("msr", 9, Map.of(), Map.of());
        for (String notAPmu : List.of("..", ".", "", "msr/..")) {
            assertEquals(Errno.ENOENT, assertThrows(PerfEventException.class, () -> Pmu.named(sysfs, notAPmu)).errno(),
                    notAPmu);
        }
        PerfEventException e = assertThrows(PerfEventException.class, () -> Pmu.named(sysfs, "cpu_cor"));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.hint().contains("Did you mean cpu_core?") && e.hint().contains("PMUs here: cpu_core, msr"),
                e.hint());
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
