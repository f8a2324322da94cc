package io.github.perfevent.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.PerfEventException;
import io.github.perfevent.internal.elf.ElfSymbols;
import io.github.perfevent.internal.elf.FunctionTable;
import io.github.perfevent.sampling.CallchainContext;
import io.github.perfevent.sampling.PerfRecord;
import io.github.perfevent.sys.Errno;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Symbolizer} on real processes and files: gcc-built programs (PIE, non-PIE, a shared library, stripped) whose
 * functions print their own addresses, the mappings of /proc/pid/maps and of MMAP2 records, /proc/kallsyms, perf maps
 * (crafted and HotSpot's own), and callchains with their context markers.
 */
class SymbolizerTest {

    private static final List<String> FUNCTIONS = List.of("main", "caller", "hot");

    @TempDir
    Path dir;

    /** Every function the program printed is named at its first byte and a few bytes in, in its own module. */
    private static void assertNamed(Symbolizer symbols, TargetPrograms.Build build, TargetPrograms.Running running) {
        for (String function : FUNCTIONS) {
            for (long delta : new long[] {0, 1, 4}) {
                Frame f = symbols.frame(running.pid(), running.address(function) + delta);
                assertEquals(new Frame(function, build.program().toString(), Frame.Kind.NATIVE), f,
                        function + " + " + delta);
            }
        }
        Frame inner = symbols.frame(running.pid(), running.address("lib_inner") + 2);
        assertEquals(new Frame("lib_inner", build.library().toString(), Frame.Kind.NATIVE), inner);
    }

    @Test
    void functionsOfAPieAndANonPieProgramAndOfItsLibraryAreNamedThroughProcMaps() throws Exception {
        List<Long> mains = new ArrayList<>();
        for (TargetPrograms.Build build : List.of(TargetPrograms.pie(), TargetPrograms.nonPie())) {
            try (TargetPrograms.Running running = build.start()) {
                Symbolizer symbols = new Symbolizer();
                symbols.loadProcess(running.pid());
                assertNamed(symbols, build, running);
                assertEquals("symbolize_targe", symbols.processName(running.pid()), "comm is cut at 15 bytes");
                mains.add(running.address("main"));
            }
        }
        assertTrue(mains.get(0) > 0x1000000L && mains.get(1) < 0x1000000L,
                "the premise: the PIE program is loaded at a random base, the non-PIE one at its link address");
    }

    @Test
    void theSameFunctionsAreNamedThroughMmap2RecordsBuiltFromTheMappings() throws Exception {
        TargetPrograms.Build build = TargetPrograms.pie();
        try (TargetPrograms.Running running = build.start()) {
            Symbolizer symbols = new Symbolizer();
            for (PerfRecord.Mmap2 m : mmap2Records(running.pid())) {
                symbols.accept(m);
            }
            assertNamed(symbols, build, running);
        }
    }

    /** The executable mappings of {@code pid} as the MMAP2 records the kernel would write for them. */
    private static List<PerfRecord.Mmap2> mmap2Records(int pid) throws IOException {
        List<PerfRecord.Mmap2> records = new ArrayList<>();
        try (BufferedReader maps = Files.newBufferedReader(Path.of("/proc/" + pid + "/maps"))) {
            for (String line : maps.lines().toList()) {
                String[] f = line.split("\\s+", 6);
                if (f[1].contains("x")) {
                    long start = Long.parseUnsignedLong(f[0].split("-")[0], 16);
                    long end = Long.parseUnsignedLong(f[0].split("-")[1], 16);
                    records.add(mmap2(pid, start, end - start, Long.parseUnsignedLong(f[2], 16),
                            Long.parseLong(f[4]), f.length == 6 ? f[5] : "//anon"));
                }
            }
        }
        return records;
    }

    private static PerfRecord.Mmap2 mmap2(int pid, long start, long length, long pgoff, long inode, String file) {
        return new PerfRecord.Mmap2(0, pid, pid, start, length, pgoff, 8, 1, inode, 0, null, 5, 2, file,
                PerfRecord.SampleId.NONE);
    }

    @Test
    void strippedProgramsAndLibrariesGiveUnknownFramesInTheirModule() throws Exception {
        TargetPrograms.Build build = TargetPrograms.stripped();
        try (TargetPrograms.Running running = build.start()) {
            Symbolizer symbols = new Symbolizer();
            symbols.loadProcess(running.pid());
            for (String function : FUNCTIONS) {
                assertEquals(new Frame(Frame.UNKNOWN_NAME, build.program().toString(), Frame.Kind.NATIVE),
                        symbols.frame(running.pid(), running.address(function)), function);
            }
            assertEquals(new Frame(Frame.UNKNOWN_NAME, build.library().toString(), Frame.Kind.NATIVE),
                    symbols.frame(running.pid(), running.address("lib_inner")),
                    "a local function is in no table of the stripped library, whose .dynsym has lib_work");
            assertTrue(ElfSymbols.functions(build.library()).size() >= 2, "the premise: .dynsym names lib_work");
        }
    }

    /** A file mapped at {@code base} as a PIE executable is: every page of it from offset 0. */
    private static PerfRecord.Mmap2 wholeFile(int pid, long base, Path file) throws IOException {
        return mmap2(pid, base, Files.size(file), 0, (Long) Files.getAttribute(file, "unix:ino"), file.toString());
    }

    @Test
    void forkCopiesTheParentsMappingsExecForgetsThemAndExitKeepsThem() throws IOException {
        Path program = TargetPrograms.pie().program();
        FunctionTable table = ElfSymbols.functions(program);
        long hot = table.offset(indexOfName(table, "hot"));
        long base = 0x5500_0000_0000L;
        Symbolizer symbols = new Symbolizer();
        symbols.accept(wholeFile(100, base, program));
        assertEquals("hot", symbols.frame(100, base + hot).name());
        symbols.accept(new PerfRecord.Fork(0, 101, 100, 101, 100, 1, PerfRecord.SampleId.NONE));
        assertEquals("hot", symbols.frame(101, base + hot).name(), "a forked child has its parent's mappings");
        symbols.accept(new PerfRecord.Fork(0, 100, 100, 102, 100, 2, PerfRecord.SampleId.NONE));
        assertEquals("hot", symbols.frame(100, base + hot).name(), "a new thread changes nothing");
        symbols.accept(new PerfRecord.Comm(0x2000, 101, 101, "other", PerfRecord.SampleId.NONE));
        assertEquals(Frame.Kind.UNKNOWN, symbols.frame(101, base + hot).kind(), "exec replaced the image");
        assertEquals("other", symbols.processName(101));
        assertEquals("hot", symbols.frame(100, base + hot).name(), "the parent is untouched");
        symbols.accept(new PerfRecord.Comm(0, 100, 100, "renamed", PerfRecord.SampleId.NONE));
        assertEquals("hot", symbols.frame(100, base + hot).name(), "a rename without exec keeps the mappings");
        symbols.accept(new PerfRecord.Exit(0, 100, 100, 102, 100, 3, PerfRecord.SampleId.NONE));
        symbols.accept(wholeFile(100, base + 0x1000_0000L, program));
        assertEquals("hot", symbols.frame(100, base + hot).name(), "a thread's exit leaves the process going");
        assertEquals(table.name(0), symbols.frame(100, base + table.offset(0)).name(), "the first function");
        symbols.accept(new PerfRecord.Exit(0, 100, 1, 100, 1, 3, PerfRecord.SampleId.NONE));
        assertEquals("hot", symbols.frame(100, base + hot).name(), "samples read after the exit are still named");
        symbols.accept(new PerfRecord.Fork(0, 100, 1, 100, 1, 4, PerfRecord.SampleId.NONE));
        assertEquals(Frame.Kind.UNKNOWN, symbols.frame(100, base + hot).kind(), "pid reused by a child of init");
    }

    @Test
    void aNewMappingReplacesWhatItOverlapsAndKeepsTheRestWithItsOffsets() throws IOException {
        Path program = TargetPrograms.pie().program();
        FunctionTable table = ElfSymbols.functions(program);
        long hot = table.offset(indexOfName(table, "hot"));
        long main = table.offset(indexOfName(table, "main"));
        long base = 0x5500_0000_0000L;
        Symbolizer symbols = new Symbolizer();
        symbols.accept(wholeFile(7, base, program));
        long page = hot & ~0xfffL;
        // an anonymous page over the one that holds hot: hot is gone, the pages around it stay with their offsets
        symbols.accept(mmap2(7, base + page, 0x1000, 0, 0, "//anon"));
        assertEquals(new Frame(Frame.UNKNOWN_NAME, "//anon", Frame.Kind.UNKNOWN), symbols.frame(7, base + hot));
        for (long function : new long[] {main, table.offset(indexOfName(table, "caller"))}) {
            if ((function & ~0xfffL) != page) {
                assertEquals(table.name(table.indexOf(function)), symbols.frame(7, base + function).name());
            }
        }
        assertEquals(Frame.Kind.UNKNOWN, symbols.frame(7, base - 1).kind(), "below every mapping");
        assertEquals(Frame.Kind.UNKNOWN, symbols.frame(8, base + hot).kind(), "another process");
        assertEquals(new Frame(Frame.UNKNOWN_NAME, Frame.UNKNOWN_NAME, Frame.Kind.UNKNOWN), symbols.frame(8, 0));
        symbols.accept(mmap2(7, base + page, 0x1000, page, 0, program.toString()));
        assertEquals("hot", symbols.frame(7, base + hot).name(), "mapped back");
    }

    @Test
    void aFileReplacedSinceItWasMappedNamesNothing() throws IOException {
        Path copy = Files.copy(TargetPrograms.pie().program(), dir.resolve("copy"));
        FunctionTable table = ElfSymbols.functions(copy);
        long hot = table.offset(indexOfName(table, "hot"));
        PerfRecord.Mmap2 mapped = wholeFile(9, 0x10000, copy);
        Files.move(copy, dir.resolve("old")); // kept, so that the new copy cannot get its inode number
        Files.copy(TargetPrograms.pie().program(), copy);
        assertNotEquals(mapped.ino(), Files.getAttribute(copy, "unix:ino"), "the premise: a new inode");
        Symbolizer symbols = new Symbolizer();
        symbols.accept(mapped);
        assertEquals(new Frame(Frame.UNKNOWN_NAME, copy.toString(), Frame.Kind.NATIVE),
                symbols.frame(9, 0x10000 + hot));
        Symbolizer notReadable = new Symbolizer();
        notReadable.accept(mmap2(9, 0x10000, 0x1000, 0, 0, dir.resolve("gone").toString()));
        assertEquals(Frame.UNKNOWN_NAME, notReadable.frame(9, 0x10010).name());
    }

    @Test
    void returnAddressesAreNamedOneByteBackAndContextMarkersChooseKernelOrUser() throws Exception {
        Path program = TargetPrograms.pie().program();
        FunctionTable table = ElfSymbols.functions(program);
        int caller = indexOfName(table, "caller");
        long base = 0x5600_0000_0000L;
        Symbolizer symbols = new Symbolizer(dir.resolve("no-kallsyms"));
        symbols.accept(wholeFile(5, base, program));
        long callerEnd = base + table.end(caller);
        assertNotEquals("caller", symbols.frame(5, callerEnd).name(), "the premise: caller ends there");
        long user = CallchainContext.USER.marker();
        long kernel = CallchainContext.KERNEL.marker();
        List<Frame> frames = symbols.callchain(5, new long[] {kernel, -0x1000L, user,
                base + table.offset(indexOfName(table, "hot")) + 3, callerEnd});
        assertEquals(List.of(new Frame(Frame.KERNEL_NAME, "[kernel.kallsyms]", Frame.Kind.KERNEL),
                new Frame("hot", program.toString(), Frame.Kind.NATIVE),
                new Frame("caller", program.toString(), Frame.Kind.NATIVE)), frames);
        List<Frame> deferred = symbols.callchain(5, new long[] {CallchainContext.USER_DEFERRED.marker(), base + 1,
                CallchainContext.GUEST.marker(), base + 2});
        assertEquals(List.of(new Frame(Frame.UNKNOWN_NAME, Frame.UNKNOWN_NAME, Frame.Kind.UNKNOWN)), deferred,
                "the cookie after USER_DEFERRED is no address; guest frames are unknown");
        assertEquals(List.of(new Frame(Frame.KERNEL_NAME, "[kernel.kallsyms]", Frame.Kind.KERNEL)),
                symbols.callchain(5, new long[] {-0x2000L}), "without a marker a kernel address is kernel");
    }

    @Test
    void aPerfMapNamesJitAndInterpreterCodeInAnonymousMappings() throws IOException {
        Path map = Files.writeString(dir.resolve("perf-42.map"), String.join("\n",
                "7f0000001000 100 Interpreter",
                "0x7f0000002000 0x40 void com.example.Hot.run(int)",
                "garbage line",
                "7f0000003000 zz broken",
                "7f0000002000 20 LHot;::replaced",
                "7f0000004000 0 empty",
                "") + "\r\n");
        Symbolizer symbols = new Symbolizer();
        symbols.usePerfMap(42, map);
        assertEquals(new Frame("Interpreter", map.toString(), Frame.Kind.INTERPRETER),
                symbols.frame(42, 0x7f00000010ffL));
        assertEquals(new Frame("LHot;::replaced", map.toString(), Frame.Kind.JIT), symbols.frame(42, 0x7f0000002010L),
                "the later line at one address wins");
        assertEquals(Frame.Kind.UNKNOWN, symbols.frame(42, 0x7f0000002020L).kind(), "past the later, shorter entry");
        assertEquals(Frame.Kind.UNKNOWN, symbols.frame(42, 0x7f0000004000L).kind(), "size 0 covers nothing");
        symbols.accept(mmap2(42, 0x7f0000000000L, 0x10000, 0, 0, "//anon"));
        assertEquals(Frame.Kind.JIT, symbols.frame(42, 0x7f0000002000L).kind(), "inside an anonymous mapping");
        assertEquals(new Frame(Frame.UNKNOWN_NAME, "//anon", Frame.Kind.UNKNOWN), symbols.frame(42, 0x7f0000005000L));
        assertEquals(Errno.ENOENT, assertThrows(PerfEventException.class,
                () -> symbols.usePerfMap(42, dir.resolve("missing.map"))).errno());
    }

    @Test
    void hotSpotsOwnPerfMapNamesItsCodeCacheFoundInProcMaps() throws Exception {
        int self = (int) ProcessHandle.current().pid();
        Path map = dir.resolve("perf-" + self + ".map");
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "compilerPerfmap", new Object[] {new String[] {map.toString()}},
                    new String[] {String[].class.getName()});
        } catch (javax.management.MBeanException | javax.management.ReflectionException e) {
            Assumptions.abort("skipped: this JVM has no Compiler.perfmap with a filename: " + e);
        }
        Map<Long, String> entries = new HashMap<>();
        for (String line : Files.readAllLines(map)) {
            String[] f = line.split(" ", 3);
            entries.put(Long.decode(f[0]), f[2]);
        }
        assertTrue(entries.size() > 100, "entries: " + entries.size());
        Symbolizer symbols = new Symbolizer();
        symbols.loadProcess(self);
        symbols.usePerfMap(self, map);
        int checked = 0;
        for (Map.Entry<Long, String> e : entries.entrySet()) {
            Frame f = symbols.frame(self, e.getKey());
            assertEquals(e.getValue(), f.name());
            assertEquals(e.getValue().equals("Interpreter") ? Frame.Kind.INTERPRETER : Frame.Kind.JIT, f.kind());
            checked++;
        }
        assertEquals(entries.size(), checked);
        assertTrue(entries.containsValue("Interpreter"), "HotSpot writes its interpreter as 'Interpreter'");
    }

    /** /proc/kallsyms as this process reads it; skipped when its addresses are hidden (all 0). */
    private static List<String[]> visibleKallsyms() throws IOException {
        List<String[]> text = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/kallsyms"))) {
            r.lines().map(l -> l.split("\\s+")).filter(f -> "tT".contains(f[1])).forEach(text::add);
        }
        Assumptions.assumeTrue(text.stream().anyMatch(f -> Long.parseUnsignedLong(f[0], 16) != 0),
                "skipped: /proc/kallsyms shows every address as 0 to this user (kptr_restrict; CAP_SYSLOG needed)");
        return text;
    }

    @Test
    void kernelAddressesAreNamedFromKallsymsWhenItsAddressesAreVisible() throws IOException {
        List<String[]> text = visibleKallsyms();
        Map<Long, Integer> perAddress = new HashMap<>();
        for (String[] f : text) {
            perAddress.merge(Long.parseUnsignedLong(f[0], 16), 1, Integer::sum);
        }
        Symbolizer symbols = new Symbolizer();
        int checked = 0;
        for (int i = 0; i < text.size(); i += Math.max(1, text.size() / 500)) {
            String[] f = text.get(i);
            long address = Long.parseUnsignedLong(f[0], 16);
            if (perAddress.get(address) != 1) {
                continue;
            }
            Frame frame = symbols.frame(-1, address);
            assertEquals(f[2], frame.name(), f[0]);
            assertEquals(Frame.Kind.KERNEL, frame.kind());
            assertEquals(f.length > 3 ? f[3] : "[kernel.kallsyms]", frame.module());
            checked++;
        }
        assertTrue(checked > 100, "checked " + checked);
    }

    @Test
    void hiddenKallsymsGiveKernelFramesWithoutNames() throws IOException {
        List<String> hidden = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/kallsyms"))) {
            r.lines().limit(1000).forEach(l -> hidden.add("0000000000000000" + l.substring(l.indexOf(' '))));
        }
        Path copy = Files.write(dir.resolve("kallsyms"), hidden);
        Symbolizer symbols = new Symbolizer(copy);
        assertEquals(new Frame(Frame.KERNEL_NAME, "[kernel.kallsyms]", Frame.Kind.KERNEL),
                symbols.frame(1, 0xffffffff81000000L));
        assertEquals(new Frame(Frame.KERNEL_NAME, "[kernel.kallsyms]", Frame.Kind.KERNEL),
                new Symbolizer(dir.resolve("absent")).frame(1, 0xffffffff81000000L), "an unreadable file too");
    }

    @Test
    void loadingAProcessThatDoesNotExistFailsWithTheErrnoOfTheOpen() {
        assertEquals(Errno.ENOENT, assertThrows(PerfEventException.class,
                () -> new Symbolizer().loadProcess(Integer.MAX_VALUE)).errno());
        assertThrows(NullPointerException.class, () -> new Symbolizer().usePerfMap(1, null));
        assertThrows(NullPointerException.class, () -> new Symbolizer().callchain(1, null));
        assertThrows(NullPointerException.class, () -> new Symbolizer().accept((PerfRecord) null));
    }

    private static int indexOfName(FunctionTable table, String name) {
        for (int i = 0; i < table.size(); i++) {
            if (table.name(i).equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no function " + name);
    }
}
