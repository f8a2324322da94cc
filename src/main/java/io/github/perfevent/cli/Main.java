/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The command-line tool: {@code perf-event stat [options] [--] command [args]} counts a command, a process, a thread,
 * CPUs or a cgroup and prints what {@code perf stat} prints; {@code perf-event list [filter]} lists the events this
 * machine has, as {@code perf list} does. {@code perf-event <subcommand> --help} describes each.
 *
 * <p>The library's jar is executable ({@code java -jar perf-event-open-*.jar stat -- ls}); its manifest grants native
 * access ({@code Enable-Native-Access: ALL-UNNAMED}), so no flag is needed.
 */
public final class Main {

    private static final String PROGRAM = "perf-event";
    private static final List<Subcommand> SUBCOMMANDS = List.of(new StatCommand(), new ListCommand(), new RecordCommand());

    private Main() {
    }

    /**
     * Runs the tool and exits with its status.
     *
     * @param args the subcommand and its arguments
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the tool in this JVM, writing to the given streams.
     *
     * @param args the subcommand and its arguments, unchanged
     * @param out standard output ({@code list}, {@code --help})
     * @param err standard error ({@code stat}'s report, as perf writes it there, and every error)
     * @return the exit status: 0, 1 for a usage or event error, and for {@code stat} of a command the command's own
     *     status (128 + the signal when a signal ended it, 127 when it is not found, 126 when it cannot be executed)
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            (args.length == 0 ? err : out).print(usage());
            return args.length == 0 ? 1 : 0;
        }
        for (Subcommand subcommand : SUBCOMMANDS) {
            if (subcommand.name().equals(args[0])) {
                return subcommand.run(Arrays.asList(args).subList(1, args.length), out, err);
            }
        }
        err.println(PROGRAM + ": '" + args[0] + "' is not a subcommand.");
        err.print(usage());
        return 1;
    }

    private static String usage() {
        StringBuilder s = new StringBuilder("\n usage: " + PROGRAM + " <subcommand> [<args>]\n\n");
        for (Subcommand subcommand : SUBCOMMANDS) {
            s.append(String.format("   %-10s %s%n", subcommand.name(), subcommand.summary()));
        }
        return s.append("\n See '" + PROGRAM + " <subcommand> --help'.\n").toString();
    }
}
