/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.cli;

/**
 * A command line the tool cannot take (an unknown option, a missing or malformed value): the message says what is
 * wrong; the subcommand prints it with its usage line and exits with status 1.
 */
final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    /** @param message what is wrong with the command line */
    UsageException(String message) {
        super(message);
    }
}
