/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile;

import com.google.protobuf.CodedOutputStream;
import io.github.perfevent.profile.output.FoldedStacks;
import io.github.perfevent.profile.output.StackFrame;
import io.github.perfevent.profile.output.StackSample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a {@link Profile} as a gzipped pprof {@code profile.proto} (the format of {@code go tool pprof},
 * Pyroscope, Parca and Google Cloud Profiler: github.com/google/pprof, {@code proto/profile.proto}), with
 * protobuf-java's {@link CodedOutputStream}. protobuf-java is an <em>optional</em> dependency of this library: a
 * program that writes pprof puts {@code com.google.protobuf:protobuf-java} 4.x on its class path (or module path).
 *
 * <p>What it holds: one sample type, {@code samples/count}; one {@code Sample} per distinct stack of a thread, its
 * locations leaf first (as profile.proto wants), its value the number of samples, and the labels {@code thread}
 * (the thread's name) and {@code tid}; one {@code Location} and one {@code Function} per distinct frame, the
 * function named as the folded output names the frame ({@link FoldedStacks#frameText}, so {@code _[j]} marks JIT
 * code and {@code _[k]} kernel code) with the module as its file name; no addresses, no line numbers. The accounting
 * (samples recorded and lost, frames unnamed, stacks truncated) is in the profile's comments, and the duration in
 * {@code duration_nanos}.
 */
public final class PprofWriter {

    private PprofWriter() {
    }

    /**
     * Writes {@code profile} to {@code out}, gzipped; {@code out} is finished but not closed.
     *
     * @param profile the profile
     * @param startNanos the wall-clock time of the start of the recording, in nanoseconds since the epoch
     *     ({@code time_nanos})
     * @param out where
     * @throws IOException if {@code out} fails
     * @throws NullPointerException if a parameter is null
     * @throws NoClassDefFoundError if protobuf-java is not on the class path
     */
    public static void write(Profile profile, long startNanos, OutputStream out) throws IOException {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(out, "out");
        GZIPOutputStream gzip = new GZIPOutputStream(out);
        CodedOutputStream proto = CodedOutputStream.newInstance(gzip);
        new Builder(proto).write(profile, startNanos);
        proto.flush();
        gzip.finish();
    }

    /** The string table, functions and locations as they are met. */
    private static final class Builder {
        // profile.proto field numbers
        private static final int SAMPLE_TYPE = 1;
        private static final int SAMPLE = 2;
        private static final int LOCATION = 4;
        private static final int FUNCTION = 5;
        private static final int STRING_TABLE = 6;
        private static final int TIME_NANOS = 9;
        private static final int DURATION_NANOS = 10;
        private static final int PERIOD_TYPE = 11;
        private static final int PERIOD = 12;
        private static final int COMMENT = 13;

        private final CodedOutputStream out;
        private final Map<String, Long> strings = new HashMap<>();
        private final List<String> stringTable = new ArrayList<>();
        private final Map<StackFrame, Long> functions = new HashMap<>();

        Builder(CodedOutputStream out) {
            this.out = out;
            string(""); // string_table[0] is "" by the format's rule
        }

        void write(Profile profile, long startNanos) throws IOException {
            out.writeByteArray(SAMPLE_TYPE, valueType("samples", "count"));
            for (StackSample sample : profile.stacks()) {
                out.writeByteArray(SAMPLE, sample(sample));
            }
            for (Map.Entry<StackFrame, Long> f : functions.entrySet()) {
                out.writeByteArray(LOCATION, location(f.getValue()));
                out.writeByteArray(FUNCTION, function(f.getValue(), f.getKey()));
            }
            out.writeInt64(TIME_NANOS, startNanos);
            out.writeInt64(DURATION_NANOS, profile.duration().toNanos());
            out.writeByteArray(PERIOD_TYPE, valueType(profile.event(), "count"));
            out.writeInt64(PERIOD, 1);
            out.writeInt64(COMMENT, string(profile.accountingLine()));
            for (String warning : profile.warnings()) {
                out.writeInt64(COMMENT, string(warning));
            }
            for (String s : stringTable) {
                out.writeString(STRING_TABLE, s);
            }
        }

        private long string(String s) {
            return strings.computeIfAbsent(s, k -> {
                stringTable.add(k);
                return (long) stringTable.size() - 1;
            });
        }

        private byte[] valueType(String type, String unit) throws IOException {
            return message(m -> {
                m.writeInt64(1, string(type));
                m.writeInt64(2, string(unit));
            });
        }

        private byte[] sample(StackSample sample) throws IOException {
            long[] locations = new long[sample.frames().size()];
            for (int i = 0; i < locations.length; i++) {
                locations[i] = functions.computeIfAbsent(sample.frames().get(i), k -> (long) functions.size() + 1);
            }
            return message(m -> {
                byte[] packed = message(p -> {
                    for (long id : locations) {
                        p.writeUInt64NoTag(id);
                    }
                });
                m.writeByteArray(1, packed); // location_id, packed
                m.writeByteArray(2, message(p -> p.writeInt64NoTag(sample.weight()))); // value, packed
                m.writeByteArray(3, message(l -> { // label thread
                    l.writeInt64(1, string("thread"));
                    l.writeInt64(2, string(sample.threadName()));
                }));
                m.writeByteArray(3, message(l -> { // label tid
                    l.writeInt64(1, string("tid"));
                    l.writeInt64(3, sample.tid());
                }));
            });
        }

        private byte[] location(long id) throws IOException {
            return message(m -> {
                m.writeUInt64(1, id);
                m.writeByteArray(4, message(line -> line.writeUInt64(1, id))); // line { function_id }
            });
        }

        private byte[] function(long id, StackFrame frame) throws IOException {
            return message(m -> {
                m.writeUInt64(1, id);
                long name = string(FoldedStacks.frameText(frame));
                m.writeInt64(2, name);
                m.writeInt64(3, name);
                m.writeInt64(4, string(frame.module()));
            });
        }

        private interface Body {
            void write(CodedOutputStream m) throws IOException;
        }

        private static byte[] message(Body body) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream m = CodedOutputStream.newInstance(bytes);
            body.write(m);
            m.flush();
            return bytes.toByteArray();
        }
    }
}
