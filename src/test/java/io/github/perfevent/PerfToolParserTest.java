package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * {@link PerfTool}'s reading of {@code perf stat -vv} output, on literal output of perf 6.1 (Debian's linux-perf
 * 6.1.187, copied from this machine) and perf 7.2 (annotated values, as the issue quotes them). Needs no perf.
 */
class PerfToolParserTest {

    private static final String PERF_6_1_BREAKPOINT = """
            Using CPUID AuthenticAMD-25-1-1
            ------------------------------------------------------------
            perf_event_attr:
              type                             5
              size                             128
              sample_type                      IDENTIFIER
              read_format                      TOTAL_TIME_ENABLED|TOTAL_TIME_RUNNING
              disabled                         1
              inherit                          1
              enable_on_exec                   1
              exclude_guest                    1
              bp_type                          2
              { bp_addr, config1 }             0x1000
              { bp_len, config2 }              0x8
            ------------------------------------------------------------
            sys_perf_event_open: pid 1234  cpu -1  group_fd -1  flags 0x8 = 3
            """;

    private static final String PERF_7_2_MSR = """
            ------------------------------------------------------------
            perf_event_attr:
              type                             9 (msr)
              size                             144
              config                           0 (tsc)
              sample_type                      IDENTIFIER
              read_format                      TOTAL_TIME_ENABLED|TOTAL_TIME_RUNNING
              disabled                         1
              inherit                          1
              enable_on_exec                   1
            ------------------------------------------------------------
            perf_event_attr:
              type                             9 (msr)
              size                             144
              config                           0x1 (aperf)
            ------------------------------------------------------------
            """;

    @Test
    void perf61BareValuesAndUnionsAreRead() {
        PerfTool.Attr attr = PerfTool.parseAttr(PERF_6_1_BREAKPOINT);
        assertEquals(5, attr.get("type"));
        assertEquals(128, attr.get("size"));
        assertEquals(2, attr.get("bp_type"));
        assertEquals(0x1000, attr.get("config1"), "{ bp_addr, config1 } is the config1 word");
        assertEquals(8, attr.get("config2"));
        assertEquals(1, attr.get("exclude_guest"));
        assertEquals(0, attr.get("config"), "a field perf leaves out is 0");
    }

    @Test
    void perf72AnnotatedValuesAreReadAsTheirNumbers() {
        PerfTool.Attr attr = PerfTool.parseAttr(PERF_7_2_MSR);
        assertEquals(9, attr.get("type"), "type 9 (msr)");
        assertEquals(144, attr.get("size"));
        assertEquals(0, attr.get("config"), "config 0 (tsc)");
        assertEquals(0, attr.get("exclude_guest"), "perf 7.2 does not set exclude_guest by default");
    }

    @Test
    void onlyTheFirstAttrIsRead() {
        assertEquals(0, PerfTool.parseAttr(PERF_7_2_MSR).get("config"), "not the second attr's 0x1 (aperf)");
    }

    @Test
    void aFieldThatIsNotANumberFailsInsteadOfReadingAsZero() {
        PerfTool.Attr attr = PerfTool.parseAttr(PERF_7_2_MSR);
        assertThrows(AssertionError.class, () -> attr.get("sample_type"));
        PerfTool.Attr odd = PerfTool.parseAttr("perf_event_attr:\n  config                           tsc\n"
                + "  config1                          0x1ffffffffffffffff\n");
        assertThrows(AssertionError.class, () -> odd.get("config"), "an unparsed config is not 0");
        assertThrows(AssertionError.class, () -> odd.get("config1"), "a value wider than 64 bits is not 0");
    }

    @Test
    void outputWithoutAnAttrIsNull() {
        assertNull(PerfTool.parseAttr("event syntax error: 'task-clok'\n"));
    }

    @Test
    void versionsAreReadFromPerfVersionAndOrdered() {
        PerfTool.Version v61 = PerfTool.Version.parse("perf version 6.1.187\n");
        PerfTool.Version v72 = PerfTool.Version.parse("perf version 7.2.13\n");
        assertEquals(new PerfTool.Version(6, 1), v61);
        assertEquals(new PerfTool.Version(7, 2), v72);
        assertEquals(true, v72.atLeast(7, 2));
        assertEquals(false, v61.atLeast(6, 2));
        assertEquals(true, new PerfTool.Version(6, 10).atLeast(6, 2), "minor versions compare as numbers");
        assertThrows(AssertionError.class, () -> PerfTool.Version.parse("bash: perf: command not found"));
    }
}
