/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile;

import io.github.perfevent.profile.output.Accounting;
import io.github.perfevent.profile.output.FlameGraphHtml;
import io.github.perfevent.profile.output.FoldedStacks;
import io.github.perfevent.profile.output.StackSample;
import io.github.perfevent.profile.output.TextSummary;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What a {@link Profiler} recorded: the distinct stacks of every thread with their sample counts (frames named), the
 * accounting of what is missing, and the outputs made from them.
 *
 * @param event the event sampled, as perf names it
 * @param stacks the distinct stacks, each weighted by its number of samples
 * @param accounting samples recorded and lost, frames unnamed, stacks truncated
 * @param warnings what the profiler noticed, such as a JVM without frame pointers or a perf map it could not read
 * @param perfMaps the {@code /tmp/perf-<pid>.map} files written beside a {@code perf.data} file (perf reads them at
 *     report time), empty without one
 * @param duration how long the recording ran
 * @param start when the recording started (wall clock)
 * @param exitStatus the exit status of a profiled command that has ended
 */
public record Profile(String event, List<StackSample> stacks, Accounting accounting, List<String> warnings,
        List<Path> perfMaps, Duration duration, Instant start, OptionalInt exitStatus) {

    /** How many frames the text summary lists in each table. */
    public static final int TEXT_TOP = 20;

    /** The outputs, chosen by a file's extension with {@link #of(Path)}. */
    public enum Format {
        /** Folded stacks ({@code .folded}, {@code .collapsed}): {@code frame;frame;frame count} lines. */
        FOLDED,
        /** A self-contained interactive HTML flame graph ({@code .html}, {@code .htm}). */
        HTML,
        /** A text summary of the top frames by self and total samples ({@code .txt}). */
        TEXT,
        /** {@code perf.data} ({@code .data}): written while recording ({@link Profiler.Builder#perfData(Path)}). */
        PERF_DATA,
        /** A gzipped pprof {@code profile.proto} ({@code .pb.gz}, {@code .pprof}): see {@link PprofWriter}. */
        PPROF;

        /**
         * {@return the format of a file by its extension: {@code .folded}/{@code .collapsed}, {@code .html}/{@code
         * .htm}, {@code .txt}, {@code .data}, {@code .pb.gz}/{@code .pprof}}
         *
         * @param file the output file
         * @throws IllegalArgumentException for any other extension, listing the known ones
         */
        public static Format of(Path file) {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".folded") || name.endsWith(".collapsed")) {
                return FOLDED;
            } else if (name.endsWith(".html") || name.endsWith(".htm")) {
                return HTML;
            } else if (name.endsWith(".txt")) {
                return TEXT;
            } else if (name.endsWith(".data")) {
                return PERF_DATA;
            } else if (name.endsWith(".pb.gz") || name.endsWith(".pprof")) {
                return PPROF;
            }
            throw new IllegalArgumentException("cannot tell the output format of " + file + " by its extension: use "
                    + ".folded or .collapsed (folded stacks), .html (flame graph), .txt (summary), .data (perf.data), "
                    + ".pb.gz (pprof)");
        }

        /**
         * {@return the format named {@code name}: {@code folded}, {@code collapsed}, {@code html}, {@code text},
         * {@code txt}, {@code perf.data}, {@code data}, {@code pprof}}
         *
         * @param name a format name, in any case
         * @throws IllegalArgumentException for any other name
         */
        public static Format named(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "folded", "collapsed" -> FOLDED;
                case "html" -> HTML;
                case "text", "txt" -> TEXT;
                case "perf.data", "data", "perf-data" -> PERF_DATA;
                case "pprof" -> PPROF;
                default -> throw new IllegalArgumentException("unknown format " + name
                        + ": folded, collapsed, html, text, perf.data, pprof");
            };
        }
    }

    /**
     * Checks and copies the components.
     *
     * @throws NullPointerException if a component is null
     */
    public Profile {
        Objects.requireNonNull(event, "event");
        stacks = List.copyOf(stacks);
        Objects.requireNonNull(accounting, "accounting");
        warnings = List.copyOf(warnings);
        perfMaps = List.copyOf(perfMaps);
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(exitStatus, "exitStatus");
    }

    /**
     * {@return the stacks in folded form}
     *
     * @param threadRoots whether each stack starts with its thread ({@code name-tid}) as the root frame
     */
    public FoldedStacks folded(boolean threadRoots) {
        FoldedStacks folded = threadRoots ? FoldedStacks.withThreadRoots() : FoldedStacks.create();
        for (StackSample sample : stacks) {
            folded.add(sample);
        }
        return folded;
    }

    /** {@return the text summary of the top frames} */
    public TextSummary summary() {
        return TextSummary.of(folded(false));
    }

    /**
     * Writes an output in {@code format}.
     *
     * @param format {@link Format#FOLDED}, {@link Format#HTML} or {@link Format#TEXT}
     * @param title the HTML page's title
     * @param out where
     * @throws IOException if {@code out} fails
     * @throws IllegalArgumentException for {@link Format#PERF_DATA}, which is written while recording, and
     *     {@link Format#PPROF}, which is binary ({@link #write(Path, Format)})
     */
    public void write(Format format, String title, Appendable out) throws IOException {
        switch (format) {
            case FOLDED -> folded(false).write(out);
            case HTML -> FlameGraphHtml.write(folded(false), title, "samples", accounting, out);
            case TEXT -> summary().write(out, TEXT_TOP, "samples", accounting);
            case PERF_DATA -> throw new IllegalArgumentException("perf.data is written while recording: "
                    + "Profiler.Builder.perfData(file)");
            case PPROF -> throw new IllegalArgumentException("pprof is binary: write it to a file");
        }
    }

    /**
     * Writes the output {@code file}'s extension names ({@link Format#of(Path)}), titled with the event; for a
     * {@code .data} file nothing is written (it was written while recording).
     *
     * @param file the output file, replaced if it exists
     * @throws IOException if it cannot be written
     * @throws IllegalArgumentException if the extension names no format
     */
    public void write(Path file) throws IOException {
        write(file, Format.of(file));
    }

    /**
     * Writes {@code file} in {@code format}, titled with the event; for {@link Format#PERF_DATA} nothing is written
     * (it was written while recording).
     *
     * @param file the output file, replaced if it exists
     * @param format the format, whatever the file's extension
     * @throws IOException if it cannot be written
     * @throws IllegalStateException for {@link Format#PPROF} without protobuf-java on the class path
     */
    public void write(Path file, Format format) throws IOException {
        if (format == Format.PERF_DATA) {
            return;
        }
        if (format == Format.PPROF) {
            try (OutputStream out = Files.newOutputStream(file)) {
                PprofWriter.write(this, start.getEpochSecond() * 1_000_000_000L + start.getNano(), out);
            } catch (NoClassDefFoundError e) {
                Files.deleteIfExists(file);
                throw new IllegalStateException("pprof output needs protobuf-java 4.x (com.google.protobuf:"
                        + "protobuf-java) on the class path: " + e, e);
            }
            return;
        }
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            write(format, event + " profile", out);
        }
    }

    /**
     * {@return the accounting as the command-line tool prints it, one line, such as {@code 1,234 samples recorded,
     * 0 lost, 12 unsymbolized frames, 3 truncated stacks}}
     */
    public String accountingLine() {
        return String.format(Locale.ROOT, "%,d samples recorded, %,d lost, %,d unsymbolized frames, %,d truncated "
                + "stacks", accounting.samplesRecorded(), accounting.samplesLost(), accounting.unsymbolizedFrames(),
                accounting.truncatedStacks());
    }
}
