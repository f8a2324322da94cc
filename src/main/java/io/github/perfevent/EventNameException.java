/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import java.util.List;
import java.util.OptionalInt;

/**
 * The caller's text does not name an event: a name for {@link Event#parse} that does not follow perf's syntax
 * (perf-list(1)), or names nothing that this machine's sysfs or its mounted tracefs holds; a PMU name, PMU terms or
 * modifier letters that do not parse or name nothing. No system call failed: the text is at fault, and the same text
 * fails the same way until sysfs or tracefs change.
 *
 * <p>Carries the text as given ({@link #input()}), the index of the character at fault when there is one
 * ({@link #position()}), why it was refused ({@link #reason()}) and, for a name that is unknown, the known names
 * nearest to it ({@link #suggestions()}, nearest first; none for a name longer than 256 characters, so that a long
 * name costs no more than a short one). The message reads
 * {@code <what> '<input>'[ at index <position>]: <reason>}, with an input over 256 characters shortened.
 */
public final class EventNameException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;
    /** Inputs longer than this are shortened in the message (the whole input stays in {@link #input()}). */
    private static final int SHOWN = 256;

    /** The text the caller gave, whole. */
    private final String input;
    /** The index of the character at fault, or -1. */
    private final int position;
    /** Why the text is refused. */
    private final String reason;
    /** The known names nearest to the unknown one, nearest first (an array: serializable, unlike a List type). */
    private final String[] suggestions;

    /**
     * @param subject what the input is, such as {@code "event name"}
     * @param input the text the caller gave
     * @param position the index in {@code input} of the character at fault, or -1
     * @param reason why the text is refused, including any "Did you mean" sentence
     * @param suggestions the known names nearest to the input's unknown name, nearest first
     */
    EventNameException(String subject, String input, int position, String reason, List<String> suggestions) {
        super(subject + " '" + shown(input) + "'" + (position < 0 ? "" : " at index " + position) + ": " + reason);
        this.input = input;
        this.position = position;
        this.reason = reason;
        this.suggestions = suggestions.toArray(String[]::new);
    }

    /** {@return {@code input}, or its first 256 characters and its length when it is longer} */
    static String shown(String input) {
        return input.length() <= SHOWN ? input
                : input.substring(0, SHOWN) + "...(" + input.length() + " characters)";
    }

    /**
     * The same refusal, said of the whole text {@code whole} of which the refused input is the part starting at index
     * {@code offset} (a PMU name or modifiers inside an event name).
     */
    EventNameException within(String wholeSubject, String whole, int offset) {
        return new EventNameException(wholeSubject, whole, offset + Math.max(position, 0), reason, suggestions());
    }

    /** {@return the text the caller gave, whole} */
    public String input() {
        return input;
    }

    /** {@return the index in {@link #input()} of the character at fault, if the fault is at one place} */
    public OptionalInt position() {
        return position < 0 ? OptionalInt.empty() : OptionalInt.of(position);
    }

    /** {@return why the text is refused, with the nearest names when it names nothing known} */
    public String reason() {
        return reason;
    }

    /**
     * {@return the known names nearest to the unknown one, nearest first (at most three), or an empty list when the
     * text is malformed rather than unknown, nothing known is near, or it is longer than 256 characters}
     */
    public List<String> suggestions() {
        return List.of(suggestions);
    }
}
