/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * The command-line tool ({@link io.github.perfevent.cli.Main}): {@code stat}, which counts a command, processes,
 * threads, CPUs or a cgroup and prints what {@code perf stat} 6.1 prints (table, CSV or JSON), and {@code list},
 * which lists this machine's events as {@code perf list} does. Built only on the public counting API. Not exported
 * by the module: it is a program, not an API. A subcommand is a {@code Subcommand} listed in {@code Main}.
 */
package io.github.perfevent.cli;
