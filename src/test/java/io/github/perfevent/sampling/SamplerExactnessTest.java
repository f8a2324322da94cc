package io.github.perfevent.sampling;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_MISC_USER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.ChildProcess;
import io.github.perfevent.Event;
import io.github.perfevent.Options;
import io.github.perfevent.PrintSkipReason;
import io.github.perfevent.Programs;
import io.github.perfevent.Target;
import io.github.perfevent.sys.Gcc;
import io.github.perfevent.sys.Libc;
import io.github.perfevent.sys.Syscalls;
import io.github.perfevent.sys.Tracefs;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sampling is exact where the kernel is exact: a hardware breakpoint and a tracepoint sampled with period 1 give one
 * sample per hit, no more, no fewer, and each sample says where it happened (IP and callchain against the symbol
 * table gcc and nm give) or what the tracepoint saw (its RAW payload, read by field name from the tracepoint's
 * {@code format} file).
 */
@ExtendWith(PrintSkipReason.class)
class SamplerExactnessTest {

    private static final int WRITES = 500;
    private static final int CALLS = 1000;
    /**
     * The breakpoint counts user-mode writes only: the kernel itself writes the variable once per byte at the exec,
     * after the event is enabled there ({@code load_elf_binary} → {@code elf_load} zeroes the tail of the page that
     * holds the start of {@code .bss} with {@code clear_user}, a byte-wise {@code rep stosb}: seen as 8 more samples,
     * in kernel mode, with {@code elf_load} at the top of their kernel callchain).
     */
    private static final Options USER_ONLY = Options.defaults().excludeKernel(true);

    /** A symbol of {@code nm -S}: where it starts and how many bytes it has. */
    private record Symbol(long address, long size) {
        boolean contains(long ip) {
            return ip >= address && ip < address + size;
        }
    }

    /** The defined symbols of {@code program} with a size, by name, from {@code nm -S}. */
    private static Map<String, Symbol> symbols(Path program) throws IOException {
        Gcc.Result nm = Gcc.run(List.of("nm", "-S", program.toString()), null, null);
        assertEquals(0, nm.exitCode(), nm.stderr());
        Map<String, Symbol> symbols = new HashMap<>();
        for (String line : nm.stdout().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 4) {
                symbols.put(f[3], new Symbol(Long.parseUnsignedLong(f[0], 16), Long.parseUnsignedLong(f[1], 16)));
            }
        }
        return symbols;
    }

    /**
     * The callchain names the callers in order. The point sampled is a <em>data</em> write breakpoint on the global
     * that {@code inner} writes: the debug exception of a data breakpoint is a trap, taken after the writing
     * instruction, inside {@code inner}'s body, when its prologue ({@code push %rbp; mov %rsp,%rbp}) has run and the
     * frame-pointer chain is complete. The sample's IP is then the instruction after the store, in {@code inner},
     * and walking the frames gives the return addresses in {@code middle}, {@code outer} and {@code main}. An
     * execute breakpoint on {@code inner}'s first instruction would fire before the {@code push %rbp}: the frame
     * pointer would still be {@code middle}'s, and the walk would go from {@code middle}'s frame straight to
     * {@code outer}, missing {@code middle}, the immediate caller.
     */
    @Test
    void aPeriodOneWriteBreakpointGivesOneSamplePerWriteWithTheIpInTheWriterAndItsCallersInOrder() throws Exception {
        Path program = Programs.compiled("nested_writes", "-fno-omit-frame-pointer", "-no-pie");
        Map<String, Symbol> symbols = symbols(program);
        for (String name : List.of("written", "inner", "middle", "outer", "main")) {
            assertTrue(symbols.containsKey(name), name + " is not in nm's output: " + symbols.keySet());
        }
        Event write = Event.breakpoint(symbols.get("written").address(), 8, Event.Access.W);
        Sampling sampling = Sampling.period(1).sample(SampleField.IP, SampleField.TID, SampleField.TIME,
                SampleField.CALLCHAIN);
        List<PerfRecord.Sample> samples = new ArrayList<>();
        try (ChildProcess child = ChildProcess.prepare(program.toString(), Integer.toString(WRITES));
             Sampler sampler = Sampler.open(write, child.target(), sampling, USER_ONLY)) {
            child.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!sampler.isEnded() && System.nanoTime() < deadline) {
                sampler.await(Duration.ofMillis(100));
                for (PerfRecord r = sampler.nextRecord(); r != null; r = sampler.nextRecord()) {
                    if (r instanceof PerfRecord.Sample s) {
                        samples.add(s);
                    }
                }
            }
            assertTrue(sampler.isEnded(), "the stream did not end at the child's exit");
            assertEquals(0, child.waitFor());
            assertEquals(0, sampler.lost(), "lost samples");
            for (PerfRecord.Sample s : samples) {
                assertEquals(child.pid(), s.sampleId().pid(), "pid");
                assertEquals(child.pid(), s.sampleId().tid(), "tid: the program has one thread");
            }
        }
        assertEquals(WRITES, samples.size(), "one sample per write of the variable");
        List<String> expectedCallers = List.of("middle", "outer", "main");
        for (PerfRecord.Sample s : samples) {
            assertTrue(symbols.get("inner").contains(s.ip()), "IP 0x" + Long.toHexString(s.ip()) + " is not in inner "
                    + symbols.get("inner"));
            long[] user = s.callchain(CallchainContext.USER);
            assertTrue(user.length >= 4, "user callchain " + hex(user));
            assertEquals(s.ip(), user[0], "the user callchain starts at the sample's IP");
            List<String> callers = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                callers.add(nameOf(symbols, expectedCallers, user[i]));
            }
            assertEquals(expectedCallers, callers, "callers of inner in " + hex(user));
            assertArrayEquals(new long[0], s.callchain(CallchainContext.KERNEL), "the write was in user mode");
            assertEquals(PERF_RECORD_MISC_USER(), s.cpuMode(), "cpu mode");
        }
    }

    private static String nameOf(Map<String, Symbol> symbols, List<String> candidates, long address) {
        for (String name : candidates) {
            if (symbols.get(name).contains(address)) {
                return name;
            }
        }
        return "0x" + Long.toHexString(address);
    }

    private static String hex(long[] addresses) {
        return Arrays.stream(addresses).mapToObj(Long::toHexString).toList().toString();
    }

    /**
     * A tracepoint sampled with period 1 and RAW: one sample per call on this thread, whose payload is the
     * tracepoint's record as its {@code format} file lays it out: {@code common_type} is the tracepoint's id,
     * {@code common_pid} this thread, {@code __syscall_nr} the number of getppid that the C headers give.
     */
    @Test
    void aPeriodOneTracepointGivesOneRawSamplePerCallDecodedByTheFormatFile() throws Exception {
        Path numbers = Programs.compiled("syscall_numbers");
        Gcc.Result printed = Gcc.run(List.of(numbers.toString()), null, null);
        assertEquals(0, printed.exitCode(), printed.stderr());
        long getppidNumber = Long.parseLong(printed.stdout().strip().split(" ")[1]);
        Tracefs tracefs = Tracefs.acquire();
        try {
            tracefs.eventId("syscalls", "sys_enter_getppid"); // skips without the syscalls tracepoints
            TracepointFormatFile format = TracepointFormatFile.read(Tracefs.ROOT, "syscalls", "sys_enter_getppid");
            Event enter = Event.tracepoint("syscalls", "sys_enter_getppid");
            assertEquals(format.id(), enter.config(), "the event's id is the format file's");
            int tid = Syscalls.gettid();
            List<PerfRecord.Sample> samples = new ArrayList<>();
            try (Sampler sampler = Sampler.open(enter, Target.currentThread(), Sampling.period(1)
                    .sample(SampleField.TID, SampleField.TIME, SampleField.RAW).bufferPages(64))) {
                sampler.enable();
                for (int i = 0; i < CALLS; i++) {
                    Libc.getppid();
                }
                sampler.disable();
                for (PerfRecord r = sampler.nextRecord(); r != null; r = sampler.nextRecord()) {
                    if (r instanceof PerfRecord.Sample s) {
                        samples.add(s);
                    }
                }
                assertEquals(0, sampler.lost(), "lost samples");
            }
            assertEquals(CALLS, samples.size(), "one sample per getppid call");
            for (PerfRecord.Sample s : samples) {
                assertEquals(tid, s.sampleId().tid());
                MemorySegment raw = MemorySegment.ofArray(s.raw());
                TracepointFormatFile.Field last = format.field("__syscall_nr");
                assertTrue(raw.byteSize() >= last.offset() + last.size(), "RAW of " + raw.byteSize() + " bytes");
                assertEquals(format.id(), format.field("common_type").valueIn(raw), "common_type");
                assertEquals(tid, format.field("common_pid").valueIn(raw), "common_pid");
                assertEquals(getppidNumber, last.valueIn(raw), "__syscall_nr");
            }
        } finally {
            tracefs.release();
        }
    }
}
