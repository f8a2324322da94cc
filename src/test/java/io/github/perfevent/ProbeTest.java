package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.internal.elf.ElfSymbols;
import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Gcc;
import io.github.perfevent.sys.Libc;
import io.github.perfevent.sys.Tracefs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact counts from events found by name: a tracepoint counts every system call of this thread, and uprobes and
 * uretprobes on a function of a gcc-compiled program (found by symbol, and by the file offset that binutils gives;
 * PIE and non-PIE) count every call and return of it in a {@link ChildProcess}. What names no regular file or no
 * function of it is refused as the caller's input.
 */
public class ProbeTest {

    private static final int CALLS = 777;

    private static Path program;

    @BeforeAll
    static void compileTheProgram() {
        program = Programs.compiled("uprobe_target");
    }

    @Test
    void theGetpidTracepointCountsExactlyEveryGetpidOfThisThread() throws Exception {
        Tracefs tracefs = Tracefs.acquire();
        try (Counter getpids = Counter.open(Event.parse("syscalls:sys_enter_getpid"))) {
            getpids.enable();
            for (int i = 0; i < CALLS; i++) {
                Libc.getpid();
            }
            getpids.disable();
            assertEquals(CALLS, getpids.read(), "one sys_enter_getpid per getpid() downcall");
        } finally {
            tracefs.release();
        }
    }

    @Test
    void aUprobeBySymbolCountsEveryCallInTheChild() throws Exception {
        assertEquals(CALLS, countInChild(Event.uprobe(program, "probed")));
    }

    @Test
    void aUprobeByTheOffsetBinutilsGivesCountsTheSame() throws Exception {
        long offset = offsetFromBinutils(program, "probed");
        assertEquals(offset, ElfSymbols.fileOffset(program, "probed"), "ElfSymbols agrees with nm + readelf");
        assertEquals(CALLS, countInChild(Event.uprobe(program, offset)));
    }

    @Test
    void aUretprobeCountsEveryReturn() throws Exception {
        assertEquals(CALLS, countInChild(Event.uretprobe(program, "probed")));
        assertEquals(CALLS, countInChild(Event.uretprobe(program, offsetFromBinutils(program, "probed"))));
    }

    @Test
    void aUprobeOnMainCountsOneEntry() throws Exception {
        assertEquals(1, countInChild(Event.uprobe(program, "main")));
    }

    @Test
    void aUprobeOnANonPieExecutableWhoseOffsetsAreNotItsAddressesCountsEveryCall(@TempDir Path dir) throws Exception {
        Path nonPie = dir.resolve("uprobe_target-no-pie");
        Gcc.compile(Path.of("src/test/c/uprobe_target.c"), nonPie, List.of("-no-pie"));
        long offset = ElfSymbols.fileOffset(nonPie, "probed");
        assertEquals(offsetFromBinutils(nonPie, "probed"), offset);
        assertEquals(CALLS, countInChild(nonPie, Event.uprobe(nonPie, "probed")));
        assertEquals(CALLS, countInChild(nonPie, Event.uretprobe(nonPie, "probed")));
    }

    @Test
    void aProbeOnAFifoADirectoryOrTheEmptyPathIsRefusedAtOnceAsTheCallersInput(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor(), "mkfifo");
        Map<Path, String> kinds = Map.of(fifo, "is a FIFO (named pipe)", dir, "is a directory", Path.of(""),
                "is a directory");
        for (Map.Entry<Path, String> k : kinds.entrySet()) {
            for (boolean ret : new boolean[] {false, true}) {
                // Before: the FIFO hung in FileChannel.open for ever; a directory gave EIO "No such device".
                IllegalArgumentException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                        () -> assertThrows(IllegalArgumentException.class, () -> {
                            Event unused = ret ? Event.uretprobe(k.getKey(), "main") : Event.uprobe(k.getKey(), "main");
                        }));
                assertTrue(e.getMessage().contains(k.getValue() + ", not a regular file"), e.getMessage());
            }
        }
    }

    @Test
    void aProbeOnAFunctionTheFileLacksIsTheCallersInputWithTheNearestNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Event.uprobe(program, "probd"));
        assertEquals(program + " defines no function probd. Did you mean probed?", e.getMessage());
        PerfEventException missing = assertThrows(PerfEventException.class,
                () -> Event.uretprobe(program.resolveSibling("missing"), "probed"));
        assertEquals(Errno.ENOENT, missing.errno());
    }

    /** Runs the program with {@link #CALLS} in a child counted from its exec; returns the count. */
    private static long countInChild(Event event) throws Exception {
        return countInChild(program, event);
    }

    private static long countInChild(Path program, Event event) throws Exception {
        try (ChildProcess child = ChildProcess.prepare(new ProcessBuilder(program.toString(), Integer.toString(CALLS))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD));
                Counter counter = Counter.open(event, child.target())) {
            assertEquals(0, child.run(), "the program ran");
            return counter.read();
        }
    }

    /**
     * The file offset of {@code symbol} the way a person finds it: its address from {@code nm}, minus the virtual
     * address plus the file offset of the {@code LOAD} segment of {@code readelf -lW} that contains it.
     */
    public static long offsetFromBinutils(Path binary, String symbol) throws IOException {
        Gcc.Result nm = Gcc.run(List.of("nm", binary.toString()), null, null);
        Assumptions.assumeTrue(nm.exitCode() == 0, () -> "skipped: nm failed: " + nm.stderr());
        Matcher symbolLine = Pattern.compile("(?m)^([0-9a-f]+) [Tt] " + Pattern.quote(symbol) + "$").matcher(nm.stdout());
        assertTrue(symbolLine.find(), "nm lists " + symbol + ":\n" + nm.stdout());
        long address = Long.parseUnsignedLong(symbolLine.group(1), 16);
        Gcc.Result readelf = Gcc.run(List.of("readelf", "-lW", binary.toString()), null, null);
        Matcher load = Pattern.compile("(?m)^\\s+LOAD\\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x[0-9a-f]+ 0x([0-9a-f]+)")
                .matcher(readelf.stdout());
        while (load.find()) {
            long offset = Long.parseUnsignedLong(load.group(1), 16);
            long vaddr = Long.parseUnsignedLong(load.group(2), 16);
            long fileSize = Long.parseUnsignedLong(load.group(3), 16);
            if (address >= vaddr && address < vaddr + fileSize) {
                return address - vaddr + offset;
            }
        }
        throw new AssertionError("no LOAD segment of readelf -lW holds 0x" + Long.toHexString(address) + ":\n"
                + readelf.stdout());
    }
}
