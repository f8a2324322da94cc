/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnknownFieldSet;
import io.github.perfevent.profile.output.Accounting;
import io.github.perfevent.profile.output.StackFrame;
import io.github.perfevent.profile.output.StackSample;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pprof output decoded back by the protobuf library itself (its generic wire-format parser, {@link
 * UnknownFieldSet}, following the field numbers of pprof's {@code profile.proto}): every sample's stack, value and
 * thread label, and the function names, equal the folded output of the same profile.
 */
class PprofWriterTest {

    @TempDir
    Path dir;

    @Test
    void craftedProfileDecodesToTheFoldedStacksWithThreadLabels() throws IOException {
        StackFrame main = new StackFrame("main", "/usr/bin/app", StackFrame.Kind.NATIVE);
        StackFrame hot = new StackFrame("void App.hot()", "/tmp/perf-1.map", StackFrame.Kind.JIT);
        StackFrame kernel = new StackFrame("schedule", "[kernel.kallsyms]", StackFrame.Kind.KERNEL);
        StackFrame unknown = new StackFrame("[unknown]", "//anon", StackFrame.Kind.UNKNOWN);
        Profile profile = profile(List.of(
                new StackSample("main", 10, List.of(hot, main), 7),
                new StackSample("worker;1", 11, List.of(kernel, hot, main), 3),
                new StackSample("main", 10, List.of(unknown, main), 1)));
        Decoded decoded = decode(profile);
        assertEquals(foldedOf(profile), decoded.stacks());
        assertEquals(Map.of("main", 8L, "worker;1", 3L), decoded.byThread());
        assertEquals(List.of("samples", "count"), decoded.sampleType());
        assertTrue(decoded.comments().getFirst().startsWith("11 samples recorded, 2 lost"), decoded.comments()::toString);
    }

    @Test
    void recordedProfileDecodesToItsFoldedStacks() throws Exception {
        Profile profile;
        try (Profiler profiler = Profiler.command(List.of("sh", "-c", "i=0; while [ $i -lt 30000 ]; do "
                + "i=$((i+1)); done")).frequency(999).start()) {
            profiler.awaitEnd(Duration.ofSeconds(60));
            profile = profiler.stop();
        }
        assertTrue(profile.accounting().samplesRecorded() > 0);
        Path file = dir.resolve("profile.pb.gz");
        profile.write(file);
        Decoded decoded = decode(Files.readAllBytes(file));
        assertEquals(foldedOf(profile), decoded.stacks());
        assertEquals(profile.accounting().samplesRecorded(),
                decoded.stacks().values().stream().mapToLong(Long::longValue).sum());
    }

    static Profile profile(List<StackSample> stacks) {
        return new Profile("cpu-clock", stacks, new Accounting(11, 2, 1, 0), List.of(), List.of(),
                Duration.ofSeconds(1), Instant.now(), OptionalInt.empty());
    }

    static Map<String, Long> foldedOf(Profile profile) {
        Map<String, Long> folded = new HashMap<>();
        profile.folded(false).stacks().forEach((stack, count) -> folded.merge(String.join(";", stack), count,
                Long::sum));
        return folded;
    }

    record Decoded(Map<String, Long> stacks, Map<String, Long> byThread, List<String> sampleType,
            List<String> comments) {
    }

    static Decoded decode(Profile profile) throws IOException {
        Path file = Files.createTempFile("pprof", ".pb.gz");
        try {
            profile.write(file);
            return decode(Files.readAllBytes(file));
        } finally {
            Files.delete(file);
        }
    }

    /** profile.proto by field number: 1 sample_type, 2 sample, 4 location, 5 function, 6 string_table, 13 comment. */
    static Decoded decode(byte[] gzipped) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            in.transferTo(raw);
        }
        UnknownFieldSet profile = UnknownFieldSet.parseFrom(raw.toByteArray());
        List<String> strings = profile.getField(6).getLengthDelimitedList().stream().map(ByteString::toStringUtf8)
                .toList();
        assertEquals("", strings.getFirst(), "string_table[0] is empty");
        Map<Long, String> functions = new HashMap<>();
        for (ByteString f : profile.getField(5).getLengthDelimitedList()) {
            UnknownFieldSet function = UnknownFieldSet.parseFrom(f);
            functions.put(function.getField(1).getVarintList().getFirst(),
                    strings.get(Math.toIntExact(function.getField(2).getVarintList().getFirst())));
        }
        Map<Long, String> locations = new HashMap<>();
        for (ByteString l : profile.getField(4).getLengthDelimitedList()) {
            UnknownFieldSet location = UnknownFieldSet.parseFrom(l);
            UnknownFieldSet line = UnknownFieldSet.parseFrom(location.getField(4).getLengthDelimitedList().getFirst());
            locations.put(location.getField(1).getVarintList().getFirst(),
                    functions.get(line.getField(1).getVarintList().getFirst()));
        }
        Map<String, Long> stacks = new HashMap<>();
        Map<String, Long> byThread = new HashMap<>();
        for (ByteString s : profile.getField(2).getLengthDelimitedList()) {
            UnknownFieldSet sample = UnknownFieldSet.parseFrom(s);
            List<String> frames = new ArrayList<>();
            for (long id : packed(sample.getField(1).getLengthDelimitedList().getFirst())) {
                frames.addFirst(locations.get(id)); // leaf first in pprof, root first in folded
            }
            long value = packed(sample.getField(2).getLengthDelimitedList().getFirst()).getFirst();
            stacks.merge(String.join(";", frames), value, Long::sum);
            for (ByteString lb : sample.getField(3).getLengthDelimitedList()) {
                UnknownFieldSet label = UnknownFieldSet.parseFrom(lb);
                if (strings.get(Math.toIntExact(label.getField(1).getVarintList().getFirst())).equals("thread")) {
                    byThread.merge(strings.get(Math.toIntExact(label.getField(2).getVarintList().getFirst())), value,
                            Long::sum);
                }
            }
        }
        UnknownFieldSet sampleType = UnknownFieldSet.parseFrom(profile.getField(1).getLengthDelimitedList()
                .getFirst());
        List<String> type = List.of(strings.get(Math.toIntExact(sampleType.getField(1).getVarintList().getFirst())),
                strings.get(Math.toIntExact(sampleType.getField(2).getVarintList().getFirst())));
        List<String> comments = profile.getField(13).getVarintList().stream()
                .map(i -> strings.get(Math.toIntExact(i))).toList();
        return new Decoded(stacks, byThread, type, comments);
    }

    private static List<Long> packed(ByteString bytes) throws IOException {
        CodedInputStream in = bytes.newCodedInput();
        List<Long> values = new ArrayList<>();
        while (!in.isAtEnd()) {
            values.add(in.readRawVarint64());
        }
        return values;
    }
}
