package io.github.perfevent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** perf's option syntax, read by hand: the forms perf accepts and the contradictions it refuses. */
class StatSettingsTest {

    private static StatSettings settings(String... args) throws UsageException {
        return StatSettings.of(new OptionParser(StatSettings.OPTIONS).parse(List.of(args)));
    }

    @Test
    void everyFormOfAnOptionValueIsRead() throws UsageException {
        StatSettings s = settings("-e", "a,b", "-ec", "--event=d", "--event", "e", "-x;", "-r", "3", "true");
        assertEquals(List.of("a", "b", "c", "d", "e"), s.events());
        assertEquals(StatFormat.Style.CSV, s.style());
        assertEquals(";", s.separator());
        assertEquals(3, s.runs());
        assertEquals(List.of("true"), s.command());
        StatSettings bundled = settings("-aj", "-I100", "--timeout=50");
        assertEquals(StatSettings.TargetKind.ALL_CPUS, bundled.targetKind());
        assertEquals(StatFormat.Style.JSON, bundled.style());
        assertEquals(100, bundled.intervalMillis());
        assertEquals(50, bundled.timeoutMillis());
        assertEquals(List.of("cpu-clock", "context-switches", "cpu-migrations", "page-faults", "cycles",
                "instructions", "branches", "branch-misses"), bundled.events());
        assertEquals(List.of("ls", "-e", "x"), settings("-x", ",", "ls", "-e", "x").command());
        assertEquals(List.of("-e"), settings("--", "-e").command());
    }

    @Test
    void targetsAndTheirHeaders() throws UsageException {
        assertEquals("process id '12,13'", settings("-p", "12,13").headerSubject());
        assertEquals(List.of(12, 13), settings("-p", "12,13").targetIds());
        assertEquals("thread id '7'", settings("-t7").headerSubject());
        assertEquals("'CPU(s) 0-2,5'", settings("-C", "0-2,5").headerSubject());
        assertEquals(List.of(0, 1, 2, 5), settings("-C", "0-2,5").targetIds());
        assertEquals("'system wide'", settings("-G", "x").headerSubject());
        assertEquals("'system wide'", settings("-a", "-C", "1").headerSubject());
        assertEquals("'a b c'", settings("a", "b", "c").headerSubject());
        assertEquals("task-clock", settings("-p", "1").events().get(0));
    }

    @Test
    void malformedOrContradictoryCommandLinesAreRefused() {
        for (List<String> args : List.<List<String>>of(List.of(), List.of("-p", "0"), List.of("-p", "x"), List.of("-p", "1,"),
                List.of("-C", "2-1"), List.of("-C", "a"), List.of("-C", ""), List.of("-p", "1", "-t", "2"),
                List.of("-p", "1", "-r", "2"), List.of("-x,", "-j", "a"), List.of("-x", "", "a"),
                List.of("-r", "0", "a"), List.of("-I", "9", "a"), List.of("-I", "10", "-r", "2", "a"),
                List.of("--timeout", "0", "a"), List.of("-e", "a,,b", "c"), List.of("--json=1", "a"),
                List.of("--pid"), List.of("-q", "a"), List.of("--nope", "a"), List.of("-C", "0-70000"))) {
            assertThrows(UsageException.class, () -> settings(args.toArray(String[]::new)), args.toString());
        }
    }

    @Test
    void commasInsidePmuTermsAndBreakpointsDoNotSplitEvents() {
        assertEquals(List.of("uprobe/retprobe,config2=0x10/", "task-clock"),
                StatSettings.splitEvents("uprobe/retprobe,config2=0x10/,task-clock"));
        assertEquals(List.of("mem:0x1000/8:w", "cycles"), StatSettings.splitEvents("mem:0x1000/8:w,cycles"));
        assertEquals(List.of("msr/tsc/", "a"), StatSettings.splitEvents("msr/tsc/,a"));
        assertEquals(List.of("a"), StatSettings.splitEvents("a"));
    }
}
