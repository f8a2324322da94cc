package io.github.perfevent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.cli.StatFormat.Role;
import io.github.perfevent.cli.StatFormat.Row;
import io.github.perfevent.cli.StatFormat.Style;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The formatter fed with made-up readings, for the figures this machine cannot produce (no hardware PMU, software
 * events never multiplex here): IPC, the branch-miss ratio, GHz, multiplexing, {@code <not counted>}. Expected lines
 * are perf 6.1's wording and widths (stat-display.c and stat-shadow.c; widths as perf 6.1.187 prints them).
 */
class StatFormatTest {

    private static final double MS = 1_000_000;

    private static Row row(String event, Role role, double value, double enabled, double running) {
        return new Row(event, role, true, value, enabled, running, 0);
    }

    private static final Row CLOCK = row("task-clock", Role.CLOCK, 1000 * MS, 1000 * MS, 1000 * MS);
    private static final Row CYCLES = row("cycles", Role.CYCLES, 3_000_000_000.0, 1000 * MS, 1000 * MS);
    private static final Row INSTRUCTIONS = row("instructions", Role.INSTRUCTIONS, 4_500_000_000.0, 1000 * MS,
            1000 * MS);
    private static final Row BRANCHES = row("branches", Role.BRANCHES, 800_000_000, 1000 * MS, 1000 * MS);
    private static final Row MISSES = row("branch-misses", Role.BRANCH_MISSES, 12_000_000, 1000 * MS, 1000 * MS);

    private static String table(List<Row> rows, double elapsed) {
        return new StatFormat(Style.TABLE, ",", 1, null).rows(rows, elapsed, -1);
    }

    @Test
    void hardwareRowsGetPerfsDerivedFiguresInPerfsColumns() {
        List<String> lines = table(List.of(CLOCK, CYCLES, INSTRUCTIONS, BRANCHES, MISSES), 2000 * MS).lines()
                .toList();
        assertEquals("          1,000.00 msec task-clock                       #    0.500 CPUs utilized          ",
                lines.get(0));
        assertEquals("     3,000,000,000      cycles                           #    3.000 GHz                    ",
                lines.get(1));
        assertEquals("     4,500,000,000      instructions                     #    1.50  insn per cycle         ",
                lines.get(2));
        assertEquals("       800,000,000      branches                         #  800.000 M/sec                  ",
                lines.get(3));
        assertEquals("        12,000,000      branch-misses                    #    1.50% of all branches        ",
                lines.get(4));
    }

    @Test
    void ratesScaleToKMAndGPerSecond() {
        Row fast = row("faults", Role.OTHER, 2_000_000_000.0, 1, 1);
        Row slow = row("cs", Role.OTHER, 999, 1, 1);
        Row kilo = row("migrations", Role.OTHER, 1001, 1, 1);
        List<String> lines = table(List.of(CLOCK, fast, slow, kilo), 1000 * MS).lines().toList();
        assertTrue(lines.get(1).endsWith("#    2.000 G/sec                  "), lines.get(1));
        assertTrue(lines.get(2).endsWith("#  999.000 /sec                   "), lines.get(2));
        assertTrue(lines.get(3).endsWith("#    1.001 K/sec                  "), lines.get(3));
    }

    @Test
    void withoutAClockOrCyclesThereIsNoRateOrIpc() {
        List<String> lines = table(List.of(row("context-switches", Role.OTHER, 5, 1, 1), INSTRUCTIONS, MISSES), 1)
                .lines().toList();
        // perf 6.1.187: `perf stat -e context-switches -- true` pads the metric column with 35 blanks
        assertEquals("                 5      context-switches" + " ".repeat(16 + 35), lines.get(0));
        assertEquals(91, lines.get(1).length());
        assertTrue(lines.get(1).endsWith(" ".repeat(35)));
        assertEquals(91, lines.get(2).length());
    }

    @Test
    void aMissingBranchesCountGivesZeroPercentAsPerfDoes() {
        Row noBranches = new Row("branches", Role.BRANCHES, false, 0, 0, 0, 0);
        String line = table(List.of(noBranches, MISSES), 1).lines().toList().get(1);
        assertTrue(line.contains("#    0.00% of all branches"), line);
    }

    @Test
    void multiplexedCountsAreScaledAndShowTheirRunningPercentage() {
        Row multiplexed = row("cycles", Role.CYCLES, 1_000_000, 3 * MS, 2 * MS);
        String line = table(List.of(CLOCK, multiplexed), 1000 * MS).lines().toList().get(1).strip();
        assertTrue(line.startsWith("1,500,000      cycles"), line);
        assertTrue(line.endsWith("  (66.67%)"), line);
        String csv = new StatFormat(Style.CSV, ",", 1, null).rows(List.of(multiplexed), 1, -1);
        // perf computes the CSV percentage as 100 * run / ena in integers
        assertEquals("1500000,,cycles,2000000,66.00,,\n", csv);
        String json = new StatFormat(Style.JSON, ",", 1, null).rows(List.of(multiplexed), 1, -1);
        assertTrue(json.contains("\"event-runtime\" : 2000000, \"pcnt-running\" : 66.00, "), json);
    }

    @Test
    void notCountedAndNotSupportedRowsUsePerfsWords() {
        Row notCounted = row("task-clock", Role.CLOCK, 0, 1000, 0);
        Row notSupported = new Row("cycles", Role.CYCLES, false, 0, 0, 0, 0);
        List<String> lines = table(List.of(notCounted, notSupported), 1).lines().toList();
        assertEquals("     <not counted> msec task-clock" + " ".repeat(22 + 28) + "  (0.00%)", lines.get(0));
        assertEquals("   <not supported>      cycles" + " ".repeat(26 + 28), lines.get(1));
        assertEquals("<not counted>,msec,task-clock,0,0.00,,\n<not supported>,,cycles,0,100.00,,\n",
                new StatFormat(Style.CSV, ",", 1, null).rows(List.of(notCounted, notSupported), 1, -1));
        String json = new StatFormat(Style.JSON, ",", 1, null).rows(List.of(notSupported), 1, -1);
        assertEquals("{\"counter-value\" : \"<not supported>\", \"unit\" : \"\", \"event\" : \"cycles\", "
                + "\"event-runtime\" : 0, \"pcnt-running\" : 100.00, \"metric-value\" : 0.000000, "
                + "\"metric-unit\" : \"\"}\n", json);
    }

    @Test
    void repeatedRunsShowTheVariationOfTheMean() {
        Row noisy = new Row("page-faults", Role.OTHER, true, 100, 5, 5, 3.2456);
        Row steady = new Row("cs", Role.OTHER, true, 7, 5, 5, 0);
        StatFormat three = new StatFormat(Style.TABLE, ",", 3, null);
        List<String> lines = three.rows(List.of(noisy, steady), 1, -1).lines().toList();
        assertTrue(lines.get(0).endsWith(" ".repeat(35) + "  ( +-  3.25% )"), lines.get(0));
        assertTrue(lines.get(1).endsWith(" ".repeat(35)), lines.get(1)); // perf leaves out a zero variation
        assertEquals("100,,page-faults,3.25%,5,100.00,,\n",
                new StatFormat(Style.CSV, ",", 3, null).rows(List.of(noisy), 1, -1));
        assertTrue(three.header("'true'").equals("\n Performance counter stats for 'true' (3 runs):\n\n"));
        // perf shows two decimals more than the first significant one of the deviation: 0.000100 has it at the 4th
        assertEquals("\n          0.001000 +- 0.000100 seconds time elapsed  ( +- 10.00% )\n\n",
                three.footer(1_000_000, 100_000, -1, 0));
    }

    @Test
    void theFooterOfOneRunHasUserAndSysTimeOnlyForACommand() {
        StatFormat one = new StatFormat(Style.TABLE, ",", 1, null);
        assertEquals("\n       1.500000000 seconds time elapsed\n\n       0.250000000 seconds user\n"
                + "       0.125000000 seconds sys\n\n\n", one.footer(1_500_000_000, 0, 0.25, 0.125));
        assertEquals("\n       1.500000000 seconds time elapsed\n\n", one.footer(1_500_000_000, 0, -1, 0));
        assertEquals("", new StatFormat(Style.CSV, ",", 1, null).footer(1, 0, 1, 1));
        assertEquals("", new StatFormat(Style.JSON, ",", 1, null).header("'x'"));
    }

    @Test
    void intervalLinesStartWithTheTimeSinceTheStart() {
        String table = new StatFormat(Style.TABLE, ",", 1, null).rows(List.of(CLOCK), 2000 * MS, 1_100_254_737L);
        assertTrue(table.startsWith("     1.100254737           1,000.00 msec task-clock"), table);
        String csv = new StatFormat(Style.CSV, ",", 1, null).rows(List.of(CLOCK), 2000 * MS, 100_254_737L);
        assertEquals("     0.100254737,1000.00,msec,task-clock,1000000000,100.00,0.500,CPUs utilized\n", csv);
        String json = new StatFormat(Style.JSON, ",", 1, null).rows(List.of(CLOCK), 2000 * MS, 100_254_737L);
        assertTrue(json.startsWith("{\"interval\" : 0.100254737, \"counter-value\" : \"1000.000000\", "), json);
        assertEquals("#           time             counts unit events\n",
                new StatFormat(Style.TABLE, ",", 1, null).intervalHeader());
        assertEquals("", new StatFormat(Style.CSV, ",", 1, null).intervalHeader());
    }

    @Test
    void csvAndJsonCarryTheMetricAsPerfDoes() {
        assertEquals("4500000000,,instructions,1000000000,100.00,1.50,insn per cycle\n",
                new StatFormat(Style.CSV, ",", 1, null).rows(List.of(CYCLES, INSTRUCTIONS), 1, -1).lines().toList().get(1)
                        + "\n");
        assertEquals("12000000;;branch-misses;1000000000;100.00;1.50;of all branches",
                new StatFormat(Style.CSV, ";", 1, null).rows(List.of(BRANCHES, MISSES), 1, -1).lines().toList().get(1));
        String json = new StatFormat(Style.JSON, ",", 1, null).rows(List.of(row("a\"b\\c", Role.OTHER, 1, 1, 1)), 1, -1);
        assertTrue(json.contains("\"event\" : \"a\\\"b\\\\c\""), json);
    }

    @Test
    void aCgroupFollowsTheEventsNameAsPerfPrintsIt() {
        Row faults = row("page-faults", Role.OTHER, 7, 1, 1);
        assertEquals("                 7      page-faults                      web" + " ".repeat(35) + "\n",
                new StatFormat(Style.TABLE, ",", 1, "web").rows(List.of(faults), 1, -1));
        assertEquals("7,,page-faults,web,1,100.00,,\n",
                new StatFormat(Style.CSV, ",", 1, "web").rows(List.of(faults), 1, -1));
        assertTrue(new StatFormat(Style.JSON, ",", 1, "web").rows(List.of(faults), 1, -1)
                .contains("\"event\" : \"page-faults\", \"cgroup\" : \"web\", \"event-runtime\""));
    }

    @Test
    void precisionFollowsPerfsGetPrecision() {
        assertEquals(0, StatFormat.precision(2));
        assertEquals(2, StatFormat.precision(0.01));
        assertEquals(4, StatFormat.precision(0.0001234));
        assertEquals(0, StatFormat.precision(1));
        assertEquals(0, StatFormat.precision(0));
    }
}
