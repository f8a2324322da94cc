/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import java.time.Duration;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Test support for the fuzz tests (tagged {@code @Tag("fuzz")}): how long each runs and where its randomness comes
 * from. In an ordinary build ({@code mvn -B verify}) each runs for {@link #DEFAULT_SECONDS} seconds; the
 * {@code fuzz} Maven profile runs only them, each for {@code -Dfuzz.seconds} (see the README's reliability notes).
 * The seed is printed, and {@code -Dperfevent.fuzz.seed=N} replays a run.
 */
public final class FuzzBudget {

    /** The system property that sets each fuzz test's duration in seconds. */
    public static final String SECONDS_PROPERTY = "perfevent.fuzz.seconds";
    /** The system property that fixes the seed, to replay a failure. */
    public static final String SEED_PROPERTY = "perfevent.fuzz.seed";
    /** Seconds per fuzz test in an ordinary build. */
    public static final int DEFAULT_SECONDS = 3;

    private final String name;
    private final long deadline;
    private final long seed;
    private long iterations;

    private FuzzBudget(String name, Duration duration, long seed) {
        this.name = name;
        this.deadline = System.nanoTime() + duration.toNanos();
        this.seed = seed;
    }

    /** {@return a budget for the fuzz test {@code name}, started now; prints the seed and duration} */
    public static FuzzBudget start(String name) {
        long seconds = Long.getLong(SECONDS_PROPERTY, DEFAULT_SECONDS);
        Long fixed = Long.getLong(SEED_PROPERTY);
        long seed = fixed != null ? fixed : System.nanoTime() ^ System.identityHashCode(name);
        System.out.printf("fuzz %s: %d s, seed %d (replay with -D%s=%d)%n", name, seconds, seed, SEED_PROPERTY, seed);
        return new FuzzBudget(name, Duration.ofSeconds(seconds), seed);
    }

    /** {@return a random generator seeded with this run's seed} */
    public RandomGenerator random() {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    /** {@return the seed, to put in a failure message} */
    public long seed() {
        return seed;
    }

    /** {@return whether time is left for another input; counts the inputs} */
    public boolean more() {
        if (System.nanoTime() - deadline >= 0) {
            System.out.printf("fuzz %s: %d inputs, seed %d%n", name, iterations, seed);
            return false;
        }
        iterations++;
        return true;
    }
}
