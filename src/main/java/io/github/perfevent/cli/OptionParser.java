/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a command line the way perf's parse-options does, by hand (the library jar has no dependencies): short
 * options, alone or bundled ({@code -aj}), with their value in the same word or the next ({@code -x,},
 * {@code -x ,}, {@code -eX}, {@code -e X}); long options with {@code --name=value} or {@code --name value};
 * {@code --} ends the options; the first word that is not an option starts the command (perf's
 * {@code PARSE_OPT_STOP_AT_NON_OPTION}), so the command's own options are never read as the tool's.
 */
final class OptionParser {

    /**
     * One option.
     *
     * @param shortName its letter, or 0 for a long option only
     * @param longName its long name, without {@code --}
     * @param takesValue whether it takes a value
     */
    record Option(char shortName, String longName, boolean takesValue) {
    }

    /**
     * What a command line says.
     *
     * @param values each option given, by long name, with its values in order (a flag has one empty value per use)
     * @param rest the words after the options: the command and its arguments
     */
    record Parsed(Map<String, List<String>> values, List<String> rest) {

        /** {@return whether option {@code longName} was given} */
        boolean has(String longName) {
            return values.containsKey(longName);
        }

        /** {@return the last value of option {@code longName}, or null when it was not given} */
        String last(String longName) {
            List<String> v = values.get(longName);
            return v == null ? null : v.get(v.size() - 1);
        }

        /** {@return every value of option {@code longName}, in order; empty when it was not given} */
        List<String> all(String longName) {
            return values.getOrDefault(longName, List.of());
        }
    }

    private final List<Option> options;

    /** @param options the options the subcommand takes */
    OptionParser(List<Option> options) {
        this.options = List.copyOf(options);
    }

    /**
     * Reads {@code args}.
     *
     * @throws UsageException for an unknown option, a value given to a flag, or a missing value
     */
    Parsed parse(List<String> args) throws UsageException {
        Map<String, List<String>> values = new LinkedHashMap<>();
        int i = 0;
        while (i < args.size()) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                i++;
                break;
            }
            if (arg.startsWith("--")) {
                i = longOption(args, i, values);
            } else if (arg.startsWith("-") && arg.length() > 1) {
                i = shortOptions(args, i, values);
            } else {
                break;
            }
        }
        return new Parsed(values, List.copyOf(args.subList(i, args.size())));
    }

    private int longOption(List<String> args, int i, Map<String, List<String>> values) throws UsageException {
        String arg = args.get(i);
        int eq = arg.indexOf('=');
        String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
        Option option = options.stream().filter(o -> o.longName().equals(name)).findFirst()
                .orElseThrow(() -> new UsageException("unknown option `" + name + "'"));
        if (!option.takesValue()) {
            if (eq >= 0) {
                throw new UsageException("option `" + name + "' takes no value");
            }
            add(values, option, "");
            return i + 1;
        }
        if (eq >= 0) {
            add(values, option, arg.substring(eq + 1));
            return i + 1;
        }
        if (i + 1 >= args.size()) {
            throw new UsageException("option `" + name + "' requires a value");
        }
        add(values, option, args.get(i + 1));
        return i + 2;
    }

    private int shortOptions(List<String> args, int i, Map<String, List<String>> values) throws UsageException {
        String arg = args.get(i);
        for (int c = 1; c < arg.length(); c++) {
            char letter = arg.charAt(c);
            Option option = options.stream().filter(o -> o.shortName() == letter).findFirst()
                    .orElseThrow(() -> new UsageException("unknown switch `" + letter + "'"));
            if (!option.takesValue()) {
                add(values, option, "");
                continue;
            }
            if (c + 1 < arg.length()) {
                add(values, option, arg.substring(c + 1));
                return i + 1;
            }
            if (i + 1 >= args.size()) {
                throw new UsageException("switch `" + letter + "' requires a value");
            }
            add(values, option, args.get(i + 1));
            return i + 2;
        }
        return i + 1;
    }

    private static void add(Map<String, List<String>> values, Option option, String value) {
        values.computeIfAbsent(option.longName(), k -> new ArrayList<>()).add(value);
    }
}
