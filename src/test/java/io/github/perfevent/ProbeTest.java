package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Gcc;
import io.github.perfevent.sys.Libc;
import io.github.perfevent.sys.Tracefs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Exact counts from events found by name: a tracepoint counts every system call of this thread, and uprobes and
 * uretprobes on a function of a gcc-compiled program (found by symbol, and by the file offset that binutils gives)
 * count every call and return of it in a {@link ChildProcess}.
 */
class ProbeTest {

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

    /** Runs the program with {@link #CALLS} in a child counted from its exec; returns the count. */
    private static long countInChild(Event event) throws Exception {
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
    static long offsetFromBinutils(Path binary, String symbol) throws IOException {
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
