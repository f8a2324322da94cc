package io.github.perfevent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The tool's entry point: its usage and its dispatch to subcommands. */
class MainTest {

    @Test
    void withoutASubcommandTheUsageGoesToStandardErrorWithStatus1() {
        Cli.Result r = Cli.run();
        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertTrue(r.err().contains("usage: perf-event <subcommand> [<args>]"), r.err());
        assertTrue(r.err().contains("   stat       Run a command"), r.err());
        assertTrue(r.err().contains("   list       List the events"), r.err());
    }

    @Test
    void helpGoesToStandardOutputWithStatus0() {
        for (String help : new String[] {"--help", "-h", "help"}) {
            Cli.Result r = Cli.run(help);
            assertEquals(0, r.status(), help);
            assertTrue(r.out().contains("See 'perf-event <subcommand> --help'."), r.out());
            assertEquals("", r.err());
        }
    }

    @Test
    void anUnknownSubcommandIsNamed() {
        Cli.Result r = Cli.run("annotate", "x");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("perf-event: 'annotate' is not a subcommand.\n"), r.err());
        assertTrue(r.err().contains("usage: perf-event <subcommand>"), r.err());
    }

    @Test
    void argumentsReachTheSubcommandUnchanged() {
        Cli.Result r = Cli.run("list", "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("Usage: perf-event list [<filter>]"), r.out());
    }
}
