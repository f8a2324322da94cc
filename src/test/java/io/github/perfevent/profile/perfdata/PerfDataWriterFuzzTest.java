package io.github.perfevent.profile.perfdata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.perfevent.FuzzBudget;
import io.github.perfevent.sampling.SampleField;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PerfDataWriter#write(MemorySegment, long)} on random bytes at random offsets: every input is either refused
 * with an {@link IllegalArgumentException} (and leaves the file unchanged) or copied exactly, {@code header.size}
 * bytes, so the data section of the finished file is the concatenation of what was accepted.
 */
@Tag("fuzz")
class PerfDataWriterFuzzTest {

    @TempDir
    Path directory;

    @Test
    void randomBytesAreRefusedOrCopiedExactly() throws IOException {
        FuzzBudget budget = FuzzBudget.start("perfdata-write");
        RandomGenerator random = budget.random();
        Path file = directory.resolve("fuzz.data");
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        long accepted = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = perf_event_attr.allocate(arena);
            perf_event_attr.sample_type(attr, SampleField.IP.bit() | SampleField.TID.bit() | SampleField.TIME.bit());
            perf_event_attr_bits.sample_id_all(attr, 1);
            try (PerfDataWriter out = PerfDataWriter.create(file,
                    List.of(new PerfDataWriter.EventDescription(attr, "task-clock")),
                    new PerfDataWriter.Metadata("h", "r", "x86_64", 1, 1, List.of()))) {
                while (budget.more()) {
                    byte[] bytes = new byte[random.nextInt(0, 200)];
                    random.nextBytes(bytes);
                    long offset = random.nextInt(-8, bytes.length + 8);
                    if (bytes.length >= 8 && offset >= 0 && offset <= bytes.length - 8 && random.nextBoolean()) {
                        // a plausible size: a multiple of 8 around what is left
                        int size = 8 * random.nextInt(0, (int) (bytes.length - offset) / 8 + 2);
                        ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putShort((int) offset + 6, (short) size);
                    }
                    MemorySegment segment = MemorySegment.ofArray(bytes);
                    long before = out.dataSize();
                    int size = bytes.length >= 8 && offset >= 0 && offset <= bytes.length - 8
                            ? Short.toUnsignedInt(segment.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset + 6)) : -1;
                    boolean valid = size >= 8 && size % 8 == 0 && size <= bytes.length - offset;
                    try {
                        out.write(segment, offset);
                        assertEquals(true, valid, "accepted " + Arrays.toString(bytes) + " at " + offset + ", seed "
                                + budget.seed());
                        expected.write(bytes, (int) offset, size);
                        accepted++;
                    } catch (IllegalArgumentException e) {
                        assertEquals(false, valid, "refused a record: " + e.getMessage() + ", seed " + budget.seed());
                    }
                    assertEquals(before + (valid ? size : 0), out.dataSize(), "seed " + budget.seed());
                }
                assertEquals(accepted, out.records(), "seed " + budget.seed());
            }
        }
        ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.nativeOrder());
        byte[] data = new byte[(int) header.getLong(48)];
        header.get((int) header.getLong(40), data);
        assertArrayEquals(expected.toByteArray(), data, "seed " + budget.seed());
    }
}
