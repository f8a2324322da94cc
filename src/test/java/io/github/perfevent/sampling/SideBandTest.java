package io.github.perfevent.sampling;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_BPF_EVENT_PROG_LOAD;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_DUMMY;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_KSYMBOL_TYPE_BPF;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_SOFTWARE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.Event;
import io.github.perfevent.PrintSkipReason;
import io.github.perfevent.Programs;
import io.github.perfevent.Target;
import io.github.perfevent.sys.Tracefs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Side-band records on every CPU: a {@code dummy} event (it never samples) on {@link Target#allCpus()} with the
 * side-band flags sees what happens to a process this test starts (exec, fork, exit, mappings, context switches,
 * namespaces), a BPF program it loads (KSYMBOL, BPF_EVENT) and a cgroup it creates (CGROUP), each record naming
 * what the test knows independently: the child's pid, the program's id and tag as bpf(2) reported them, the
 * directory's name.
 */
@ExtendWith(PrintSkipReason.class)
class SideBandTest {

    @Test
    void aDummyEventOnEveryCpuSeesTheLifeOfAChildABpfProgramAndACgroup() throws Exception {
        Assumptions.assumeTrue(Tracefs.isRoot(), "skipped: side band on every CPU, loading BPF and creating a cgroup "
                + "need root");
        Path cgroup2 = Files.readAllLines(Path.of("/proc/mounts")).stream().map(l -> l.split(" "))
                .filter(f -> f.length > 2 && f[2].equals("cgroup2")).map(f -> Path.of(f[1])).findFirst().orElse(null);
        Assumptions.assumeTrue(cgroup2 != null, "skipped: no cgroup2 mount in /proc/mounts for the CGROUP record");
        Path loader = Programs.compiled("bpf_load");
        Event dummy = Event.parse("dummy");
        assertEquals(PERF_TYPE_SOFTWARE(), dummy.type(), "dummy is a software event");
        assertEquals(PERF_COUNT_SW_DUMMY(), dummy.config(), "dummy is PERF_COUNT_SW_DUMMY");
        Sampling sampling = Sampling.period(1).bufferPages(256).sideBand(SideBand.COMM_EXEC, SideBand.TASK,
                SideBand.MMAP, SideBand.CONTEXT_SWITCH, SideBand.NAMESPACES, SideBand.KSYMBOL, SideBand.BPF_EVENT,
                SideBand.CGROUP);
        List<PerfRecord> records = new ArrayList<>();
        int child;
        String printed;
        Path directory = cgroup2.resolve("perf-event-side-band-" + ProcessHandle.current().pid());
        try (Sampler sampler = Sampler.open(dummy, Target.allCpus(), sampling)) {
            sampler.enable();
            // The shell forks the loader, then runs /bin/true (exec'd in place or forked: either way one more exec).
            Process process = new ProcessBuilder("/bin/sh", "-c", loader + "; /bin/true").redirectErrorStream(true)
                    .start();
            child = (int) process.pid();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (process.isAlive() && System.nanoTime() < deadline) {
                sampler.await(Duration.ofMillis(20));
                drainInto(sampler, records);
            }
            printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the child did not end");
            Assumptions.assumeTrue(process.exitValue() == 0, () -> "skipped: the BPF program could not be loaded "
                    + "here: " + printed);
            Files.createDirectory(directory);
            try {
                sampler.await(Duration.ofMillis(20));
                drainInto(sampler, records);
            } finally {
                Files.delete(directory);
            }
            sampler.disable();
            drainInto(sampler, records);
            assertEquals(0, sampler.lost(), "records lost: make the buffers bigger");
        }
        // "id <n> tag <hex>" from bpf(BPF_OBJ_GET_INFO_BY_FD)
        String[] words = printed.lines().filter(l -> l.startsWith("id ")).findFirst().orElseThrow().split(" ");
        int programId = Integer.parseInt(words[1]);
        byte[] tag = HexFormat.of().parseHex(words[3]);

        // The child and what it started: FORK records with a parent in the family.
        Set<Integer> family = new HashSet<>(Set.of(child));
        for (boolean grew = true; grew; ) {
            grew = false;
            for (PerfRecord r : records) {
                if (r instanceof PerfRecord.Fork f && family.contains(f.ppid()) && family.add(f.pid())) {
                    grew = true;
                }
            }
        }
        int jvm = (int) ProcessHandle.current().pid();
        String summary = records.size() + " records, family " + family;
        assertSeen(records, r -> r instanceof PerfRecord.Fork f && f.pid() == child && f.ppid() == jvm,
                "FORK of the child by this JVM", summary);
        assertSeen(records, r -> r instanceof PerfRecord.Fork f && f.ppid() == child && f.pid() != child,
                "FORK of the loader by the child's shell", summary);
        assertSeen(records, r -> r instanceof PerfRecord.Comm c && c.pid() == child && c.exec()
                && c.comm().equals("sh"), "COMM with the exec flag: the child became sh", summary);
        assertSeen(records, r -> r instanceof PerfRecord.Comm c && family.contains(c.pid()) && c.exec()
                && c.comm().equals(loader.getFileName().toString()), "COMM exec of the loader", summary);
        assertSeen(records, r -> r instanceof PerfRecord.Exit e && e.pid() == child, "EXIT of the child", summary);
        String shell = Path.of("/bin/sh").toRealPath().toString(); // the kernel names the file, links resolved
        assertSeen(records, r -> r instanceof PerfRecord.Mmap2 m && m.pid() == child && m.filename().equals(shell),
                "MMAP2 of the shell's executable " + shell + " in the child", summary);
        assertSeen(records, r -> r instanceof PerfRecord.SwitchCpuWide s && family.contains(s.sampleId().pid()),
                "SWITCH_CPU_WIDE of the child", summary);
        assertSeen(records, r -> r instanceof PerfRecord.Namespaces n && family.contains(n.pid())
                && !n.namespaces().isEmpty(), "NAMESPACES of a task of the child", summary);
        assertSeen(records, r -> r instanceof PerfRecord.BpfEvent b && b.type() == PERF_BPF_EVENT_PROG_LOAD()
                && b.id() == programId && java.util.Arrays.equals(b.tag(), tag), "BPF_EVENT PROG_LOAD of program "
                + programId, summary);
        String tagHex = HexFormat.of().formatHex(tag);
        assertSeen(records, r -> r instanceof PerfRecord.Ksymbol k && k.ksymType() == PERF_RECORD_KSYMBOL_TYPE_BPF()
                && k.name().contains(tagHex) && k.addr() != 0 && k.len() > 0, "KSYMBOL of the program's code", summary);
        String name = directory.getFileName().toString();
        assertSeen(records, r -> r instanceof PerfRecord.Cgroup c && c.path().endsWith("/" + name) && c.id() != 0,
                "CGROUP of " + directory, summary);
    }

    private static void drainInto(Sampler sampler, List<PerfRecord> records) {
        for (PerfRecord r = sampler.nextRecord(); r != null; r = sampler.nextRecord()) {
            records.add(r);
        }
    }

    private static void assertSeen(List<PerfRecord> records, Predicate<PerfRecord> what, String description,
            String summary) {
        assertTrue(records.stream().anyMatch(what), "no " + description + " among " + summary);
    }
}
