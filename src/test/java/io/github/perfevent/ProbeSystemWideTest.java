package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.perfevent.internal.elf.ElfSymbols;
import io.github.perfevent.sys.Gcc;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A uprobe needs no process to watch: opened per CPU ({@link Target#allCpus()}, pid -1), it counts every process
 * that runs the probed instruction. The program is compiled for the tests only, and they run one at a time, so only
 * this test runs it meanwhile.
 */
class ProbeSystemWideTest {

    @Test
    void aUprobeOnEveryCpuCountsTheCallsOfAProcessStartedAnyHow() throws Exception {
        Path program = Programs.compiled("uprobe_target");
        int calls = 4321;
        try (Counter entries = Counter.open(Event.uprobe(program, ElfSymbols.fileOffset(program, "probed")),
                        Target.allCpus());
                Counter returns = Counter.open(Event.uretprobe(program, "probed"), Target.allCpus())) {
            assertEquals(0, entries.read(), "nothing ran yet");
            entries.enable();
            returns.enable();
            for (int run = 0; run < 2; run++) {
                Gcc.Result r = Gcc.run(List.of(program.toString(), Integer.toString(calls)), null, null);
                assertEquals(0, r.exitCode(), r.stderr());
            }
            entries.disable();
            returns.disable();
            assertEquals(2L * calls, entries.read(), "every call of both runs, on whichever CPUs they ran");
            assertEquals(2L * calls, returns.read(), "every return of both runs, on whichever CPUs they ran");
        }
    }
}
