/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.cli;

import java.io.PrintStream;
import java.util.List;

/** One subcommand of the tool ({@code stat}, {@code list}); {@link Main} lists and dispatches them. */
interface Subcommand {

    /** {@return the word that selects it, such as {@code stat}} */
    String name();

    /** {@return one line saying what it does, for the tool's usage} */
    String summary();

    /**
     * Runs it.
     *
     * @param args the words after the subcommand's name, unchanged
     * @param out standard output
     * @param err standard error
     * @return the exit status
     */
    int run(List<String> args, PrintStream out, PrintStream err);
}
