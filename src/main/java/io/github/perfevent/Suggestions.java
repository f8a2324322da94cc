/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * "Did you mean": the known names nearest to an unknown one, by edit distance (with transpositions). The work is
 * bounded: a name longer than {@link #MAX_LENGTH} characters gets no suggestions (and no distance is computed for it),
 * and a known name whose length alone puts it out of reach is not compared.
 */
final class Suggestions {

    private static final int MAX = 3;
    /** Unknown names longer than this get no suggestions: no known event name comes near such a length. */
    static final int MAX_LENGTH = 256;

    private Suggestions() {
    }

    /**
     * Up to three names of {@code known} nearest to {@code unknown}, nearest first (ties by name); only names within a
     * distance of about a third of the longer name (at least 2) count as near, and names that start with
     * {@code unknown} when it has at least 3 characters. None when {@code unknown} is longer than {@link #MAX_LENGTH}.
     */
    static List<String> nearest(String unknown, Collection<String> known) {
        if (unknown.length() > MAX_LENGTH) {
            return List.of();
        }
        String target = unknown.toLowerCase(Locale.ROOT);
        record Scored(String name, int distance) {
        }
        List<Scored> scored = new ArrayList<>();
        for (String name : known) {
            String candidate = name.toLowerCase(Locale.ROOT);
            int limit = Math.max(2, Math.max(candidate.length(), target.length()) / 3);
            if (target.length() >= 3 && candidate.startsWith(target)) {
                scored.add(new Scored(name, candidate.length() - target.length())); // the distance of a prefix
            } else if (Math.abs(candidate.length() - target.length()) <= limit) { // else the distance is over limit
                int d = distance(target, candidate);
                if (d <= limit) {
                    scored.add(new Scored(name, d));
                }
            }
        }
        scored.sort(Comparator.comparingInt(Scored::distance).thenComparing(Scored::name));
        return scored.stream().map(Scored::name).distinct().limit(MAX).toList();
    }

    /**
     * {@return all of {@code known}, nearest to {@code unknown} first (ties by name); sorted by name alone when
     * {@code unknown} is longer than {@link #MAX_LENGTH}}
     */
    static List<String> byDistance(String unknown, Collection<String> known) {
        if (unknown.length() > MAX_LENGTH) {
            return known.stream().distinct().sorted().toList();
        }
        String target = unknown.toLowerCase(Locale.ROOT);
        return known.stream().distinct()
                .sorted(Comparator.comparingInt((String name) -> distance(target, name.toLowerCase(Locale.ROOT)))
                        .thenComparing(Comparator.naturalOrder()))
                .toList();
    }

    /** " Did you mean a, b or c?" with the names of {@code known} nearest to {@code unknown}, or the empty string. */
    static String didYouMean(String unknown, Collection<String> known) {
        return didYouMean(nearest(unknown, known));
    }

    /** " Did you mean a, b or c?" for the names {@code near}, or the empty string when there are none. */
    static String didYouMean(List<String> near) {
        if (near.isEmpty()) {
            return "";
        }
        String list = near.size() == 1 ? near.get(0)
                : String.join(", ", near.subList(0, near.size() - 1)) + " or " + near.get(near.size() - 1);
        return " Did you mean " + list + "?";
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
