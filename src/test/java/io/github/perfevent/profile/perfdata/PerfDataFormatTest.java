package io.github.perfevent.profile.perfdata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.PerfEventException;
import io.github.perfevent.sampling.PerfRecord;
import io.github.perfevent.sampling.RecordCursor;
import io.github.perfevent.sampling.RecordType;
import io.github.perfevent.sampling.SampleField;
import io.github.perfevent.sampling.SampleFormat;
import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bindings.perf_event_h;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bytes of the file against tools/perf/Documentation/perf.data-file-format.txt (read back by a reader written
 * here from that document), the records synthesized from /proc (decoded by the library's own cursor and compared
 * with /proc), and every refusal of the caller's input.
 */
class PerfDataFormatTest {

    private static final long IP_TID_TIME = SampleField.IP.bit() | SampleField.TID.bit() | SampleField.TIME.bit();
    private static final PerfDataWriter.Metadata METADATA =
            new PerfDataWriter.Metadata("host-a", "6.18.0-test", "x86_64", 4, 2, List.of("prof", "-o", "x.data"));

    @TempDir
    Path directory;

    private final Arena arena = Arena.ofConfined();
    private final List<Path> perfMaps = new ArrayList<>();

    @AfterEach
    void release() throws IOException {
        arena.close();
        for (Path map : perfMaps) {
            Files.deleteIfExists(map);
        }
    }

    private MemorySegment attr(long sampleType, boolean sampleIdAll) {
        MemorySegment attr = perf_event_attr.allocate(arena);
        perf_event_attr.type(attr, perf_event_h.PERF_TYPE_SOFTWARE());
        perf_event_attr.size(attr, (int) perf_event_attr.sizeof());
        perf_event_attr.config(attr, perf_event_h.PERF_COUNT_SW_TASK_CLOCK());
        perf_event_attr.sample_period(attr, 100_000);
        perf_event_attr.sample_type(attr, sampleType);
        perf_event_attr_bits.sample_id_all(attr, sampleIdAll ? 1 : 0);
        return attr;
    }

    private static PerfDataWriter.EventDescription event(MemorySegment attr, String name, long... ids) {
        return new PerfDataWriter.EventDescription(attr, name, ids);
    }

    /** A sample of IP, TID, TIME: {@code header, ip, pid, tid, time}. */
    private static MemorySegment sample(long ip, int pid, int tid, long time) {
        MemorySegment s = Records.header(perf_event_h.PERF_RECORD_SAMPLE(), perf_event_h.PERF_RECORD_MISC_USER(), 32);
        s.set(ValueLayout.JAVA_LONG, 8, ip);
        s.set(ValueLayout.JAVA_INT, 16, pid);
        s.set(ValueLayout.JAVA_INT, 20, tid);
        s.set(ValueLayout.JAVA_LONG, 24, time);
        return s;
    }

    /** The file, read as the format document describes it. */
    private record Parsed(ByteBuffer bytes, long attrSize, long attrsOffset, long attrsSize, long dataOffset,
            long dataSize, long features) {

        static Parsed of(Path file) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.nativeOrder());
            assertEquals(PerfDataWriter.MAGIC, b.getLong(0), "magic");
            assertEquals(104, b.getLong(8), "header size");
            assertEquals(0, b.getLong(56) | b.getLong(64), "event_types");
            assertEquals(0, b.getLong(80) | b.getLong(88) | b.getLong(96), "feature bits above 63");
            return new Parsed(b, b.getLong(16), b.getLong(24), b.getLong(32), b.getLong(40), b.getLong(48),
                    b.getLong(72));
        }

        /** The feature sections, in bit order, from the table right after the data. */
        List<ByteBuffer> featureSections() {
            List<ByteBuffer> sections = new ArrayList<>();
            long table = dataOffset + dataSize;
            for (int i = 0; i < Long.bitCount(features); i++) {
                long offset = bytes.getLong((int) (table + 16L * i));
                long size = bytes.getLong((int) (table + 16L * i + 8));
                sections.add(bytes.slice((int) offset, (int) size).order(ByteOrder.nativeOrder()));
            }
            return sections;
        }

        /** {@code struct perf_header_string} at the position of {@code b}, which moves past it. */
        static String string(ByteBuffer b) {
            int length = b.getInt();
            assertEquals(0, length % 64, "strings are padded to NAME_ALIGN");
            byte[] bytes = new byte[length];
            b.get(bytes);
            int end = 0;
            while (bytes[end] != 0) {
                end++;
            }
            for (int i = end; i < length; i++) {
                assertEquals(0, bytes[i], "padding");
            }
            return new String(bytes, 0, end, StandardCharsets.UTF_8);
        }

        MemorySegment attr(int i) {
            byte[] attr = new byte[(int) attrSize - 16];
            bytes.get((int) (attrsOffset + i * attrSize), attr);
            MemorySegment aligned = MemorySegment.ofArray(new long[(int) perf_event_attr.sizeof() / 8]);
            MemorySegment.copy(attr, 0, aligned, ValueLayout.JAVA_BYTE, 0, attr.length);
            return aligned.asReadOnly();
        }

        long[] ids(int i) {
            long offset = bytes.getLong((int) (attrsOffset + i * attrSize + attrSize - 16));
            long size = bytes.getLong((int) (attrsOffset + i * attrSize + attrSize - 8));
            long[] ids = new long[(int) size / 8];
            for (int j = 0; j < ids.length; j++) {
                ids[j] = bytes.getLong((int) offset + 8 * j);
            }
            return ids;
        }

        MemorySegment data() {
            return MemorySegment.ofBuffer(bytes.slice((int) dataOffset, (int) dataSize));
        }
    }

    @Test
    void headerAttrsIdsAndFeaturesAreWhereTheFormatDocumentPutsThem() throws IOException {
        Path file = directory.resolve("layout.data");
        MemorySegment first = attr(IP_TID_TIME | SampleField.IDENTIFIER.bit(), true);
        perf_event_attr_bits.use_clockid(first, 1);
        perf_event_attr.clockid(first, 1);
        MemorySegment second = attr(IP_TID_TIME | SampleField.IDENTIFIER.bit(), true);
        perf_event_attr.config(second, perf_event_h.PERF_COUNT_SW_CPU_CLOCK());
        byte[] before = first.toArray(ValueLayout.JAVA_BYTE);
        MemorySegment one = sample(0x1000, 10, 11, 5);
        MemorySegment two = sample(0x2000, 10, 12, 6);
        try (PerfDataWriter out = PerfDataWriter.create(file,
                List.of(event(first, "task-clock", 7, 9), event(second, "cpu-clock")), METADATA)) {
            out.addIds(1, 21);
            out.write(one, 0);
            out.write(two, 0);
            out.finishRound();
            assertEquals(3, out.records());
            assertEquals(2, out.samples());
            assertEquals(72, out.dataSize());
            assertEquals(file, out.path());
        }
        assertArrayEquals(before, first.toArray(ValueLayout.JAVA_BYTE), "the caller's attr is left as it was");
        Parsed p = Parsed.of(file);
        // clockid (offset 92) is the last field used: PERF_ATTR_SIZE_VER3
        assertEquals(96 + 16, p.attrSize(), "attr_size");
        assertEquals(2 * p.attrSize(), p.attrsSize());
        assertEquals(104, p.dataOffset());
        assertEquals(72, p.dataSize());
        assertArrayEquals(Stream.of(one, two).flatMap(s -> Stream.of(s.toArray(ValueLayout.JAVA_BYTE)))
                .reduce(new byte[0], PerfDataFormatTest::concat),
                Arrays.copyOf(p.data().toArray(ValueLayout.JAVA_BYTE), 64), "records copied unchanged");
        assertEquals(PerfDataWriter.PERF_RECORD_FINISHED_ROUND, p.data().get(ValueLayout.JAVA_INT_UNALIGNED, 64));
        assertEquals(8, p.data().get(ValueLayout.JAVA_SHORT_UNALIGNED, 70));
        assertEquals(1L << 3 | 1L << 4 | 1L << 6 | 1L << 7 | 1L << 11 | 1L << 12, p.features());
        for (int i = 0; i < 2; i++) {
            MemorySegment written = p.attr(i);
            assertEquals(96, perf_event_attr.size(written), "attr.size");
            assertEquals(1, perf_event_attr_bits.exclude_guest(written), "exclude_guest, as perf record sets it");
            assertEquals(IP_TID_TIME | SampleField.IDENTIFIER.bit(), perf_event_attr.sample_type(written));
        }
        assertEquals(perf_event_h.PERF_COUNT_SW_CPU_CLOCK(), perf_event_attr.config(p.attr(1)));
        assertEquals(1, perf_event_attr.clockid(p.attr(0)));
        assertArrayEquals(new long[] {7, 9}, p.ids(0));
        assertArrayEquals(new long[] {21}, p.ids(1));

        List<ByteBuffer> features = p.featureSections();
        assertEquals(6, features.size());
        long previousEnd = p.dataOffset() + p.dataSize() + 16L * 6;
        long table = p.dataOffset() + p.dataSize();
        for (int i = 0; i < 6; i++) {
            assertEquals(previousEnd, p.bytes().getLong((int) (table + 16L * i)), "sections follow each other");
            previousEnd += p.bytes().getLong((int) (table + 16L * i + 8));
        }
        assertEquals("host-a", Parsed.string(features.get(0)));
        assertEquals("6.18.0-test", Parsed.string(features.get(1)));
        assertEquals("x86_64", Parsed.string(features.get(2)));
        assertEquals(4, features.get(3).getInt());
        assertEquals(2, features.get(3).getInt());
        ByteBuffer cmdline = features.get(4);
        assertEquals(3, cmdline.getInt());
        assertEquals(List.of("prof", "-o", "x.data"),
                List.of(Parsed.string(cmdline), Parsed.string(cmdline), Parsed.string(cmdline)));
        assertFalse(cmdline.hasRemaining());
        ByteBuffer desc = features.get(5);
        assertEquals(2, desc.getInt());
        assertEquals(96, desc.getInt());
        for (int i = 0; i < 2; i++) {
            byte[] attr = new byte[96];
            desc.get(attr);
            assertArrayEquals(Arrays.copyOf(p.attr(i).toArray(ValueLayout.JAVA_BYTE), 96), attr);
            int nr = desc.getInt();
            assertEquals(i == 0 ? "task-clock" : "cpu-clock", Parsed.string(desc));
            long[] ids = new long[nr];
            for (int j = 0; j < nr; j++) {
                ids[j] = desc.getLong();
            }
            assertArrayEquals(p.ids(i), ids);
        }
        assertFalse(desc.hasRemaining());
        assertEquals(Files.size(file), p.attrsOffset() + p.attrsSize(), "the attrs end the file");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void stringsArePaddedWithAtLeastOneNulToTheNextMultipleOf64() throws IOException {
        for (int length : new int[] {0, 1, 62, 63, 64, 65, 127, 128}) {
            String name = "h".repeat(length);
            Path file = directory.resolve("strings.data");
            PerfDataWriter.create(file, List.of(event(attr(IP_TID_TIME, true), "a")),
                    new PerfDataWriter.Metadata(name, "r", "x", 1, 1, List.of(name))).close();
            ByteBuffer hostname = Parsed.of(file).featureSections().get(0);
            assertEquals((length / 64 + 1) * 64, hostname.getInt(0), "padded length of " + length + " bytes");
            assertEquals(name, Parsed.string(hostname));
            assertFalse(hostname.hasRemaining());
        }
    }

    @Test
    void attrsLargerThanTheLastKernelVersionKeepEveryByte() throws IOException {
        for (int size : new int[] {152, 4096}) {
            MemorySegment big = arena.allocate(size, 8);
            MemorySegment.copy(attr(IP_TID_TIME, true), 0, big, 0, perf_event_attr.sizeof());
            big.set(ValueLayout.JAVA_BYTE, size - 1, (byte) 0x5a);
            Path file = directory.resolve("big.data");
            PerfDataWriter.create(file, List.of(event(big, "a")), METADATA).close();
            Parsed p = Parsed.of(file);
            assertEquals(size + 16, p.attrSize());
            assertEquals(0x5a, p.bytes().get((int) (p.attrsOffset() + size - 1)));
            assertEquals(size, p.bytes().getInt((int) p.attrsOffset() + 4), "attr.size");
        }
    }

    @Test
    void aDataSectionLargerThanTheBufferIsWrittenWholeAndInOrder() throws IOException {
        Path file = directory.resolve("large.data");
        int count = 100_000;
        try (PerfDataWriter out = PerfDataWriter.create(file, List.of(event(attr(IP_TID_TIME, true), "a")),
                METADATA)) {
            for (int i = 0; i < count; i++) {
                out.write(sample(i, 1, 2, i), 0);
            }
            assertEquals(32L * count, out.dataSize());
        }
        Parsed p = Parsed.of(file);
        assertEquals(32L * count, p.dataSize());
        MemorySegment data = p.data();
        for (int i = 0; i < count; i++) {
            assertEquals(i, data.get(ValueLayout.JAVA_LONG_UNALIGNED, 32L * i + 8), "ip of sample " + i);
        }
    }

    @Test
    void aRecordOfJustAHeaderIsARecord() throws IOException {
        Path file = directory.resolve("header.data");
        try (PerfDataWriter out = PerfDataWriter.create(file, List.of(event(attr(IP_TID_TIME, true), "a")),
                METADATA)) {
            out.write(Records.header(PerfDataWriter.PERF_RECORD_FINISHED_ROUND, 0, 8), 0);
            assertEquals(1, out.records());
        }
        assertEquals(8, Parsed.of(file).dataSize());
    }

    @Test
    void aFileThatCannotBeWrittenIsAnIOExceptionAndLeaksNoDescriptor() throws IOException {
        Path full = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(full), "skipped: no writable /dev/full");
        long before;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            before = fds.count();
        }
        IOException e = assertThrows(IOException.class,
                () -> PerfDataWriter.create(full, List.of(event(attr(IP_TID_TIME, true), "a")), METADATA));
        assertTrue(e.getMessage().contains("space"), e.getMessage());
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            assertEquals(before, fds.count(), "descriptors");
        }
    }

    @Test
    void aRecordNamingMoreThanHeaderSizeHoldsIsRefused() {
        SampleFormat bare = SampleFormat.of(attr(IP_TID_TIME, false));
        // COMM: header, pid, tid, then the name with its NUL padded to 8: 16 + 65512 = 65528, the largest size
        assertEquals(65528, Records.comm(1, 1, "c".repeat(65511), bare).byteSize());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Records.comm(1, 1, "c".repeat(65512), bare));
        assertTrue(e.getMessage().contains("65536 bytes"), e.getMessage());
    }

    @Test
    void theKernelTextIsFoundOnlyWhenKallsymsShowsItsAddresses() throws IOException {
        assertArrayEquals(new long[] {0xffffffff81000000L, 0xffffffff82277288L}, kernelText(
                "ffffffff81000000 T _stext", "ffffffffc0001000 t mod_text\t[mod]", "ffffffff82277288 T _etext",
                "ffffffff81000000 T _text", "ffffffff83000000 T _end"));
        assertEquals(null, kernelText("0000000000000000 T _text", "0000000000000000 T _etext"), "hidden");
        assertEquals(null, kernelText("ffffffff81000000 T _text", "ffffffff81000000 T _etext"), "empty");
        assertEquals(null, kernelText("ffffffff81000000 T _text"), "no _etext");
        assertEquals(null, kernelText("ffffffff82000000 T _etext"), "no _text");
    }

    private static long[] kernelText(String... lines) throws IOException {
        return PerfDataWriter.kernelText(new BufferedReader(new java.io.StringReader(String.join("\n", lines))));
    }

    @Test
    void theAttrSizeIsTheSmallestKernelVersionHoldingEveryNonZeroByteButTheSizeField() {
        MemorySegment attr = arena.allocate(160, 8);
        perf_event_attr.size(attr, 4096);
        assertEquals(64, PerfDataWriter.sizeForPerf(attr), "only size set");
        int[][] cases = {{0, 64}, {63, 64}, {64, 72}, {71, 72}, {72, 80}, {79, 80}, {80, 96}, {95, 96}, {96, 104},
            {103, 104}, {104, 112}, {111, 112}, {112, 120}, {119, 120}, {120, 128}, {127, 128}, {128, 136},
            {135, 136}, {136, 144}, {143, 144}, {144, 152}, {159, 160}};
        for (int[] c : cases) {
            attr.fill((byte) 0);
            attr.set(ValueLayout.JAVA_BYTE, c[0], (byte) 1);
            assertEquals(c[1], PerfDataWriter.sizeForPerf(attr), "non-zero byte at " + c[0]);
        }
    }

    @Test
    void exclude_guestIsSetUnlessTheEventCountsOnlyInGuests() throws IOException {
        MemorySegment hostAndGuest = attr(IP_TID_TIME, true);
        MemorySegment guestOnly = attr(IP_TID_TIME, true);
        perf_event_attr_bits.exclude_host(guestOnly, 1);
        for (MemorySegment attr : List.of(hostAndGuest, guestOnly)) {
            Path file = directory.resolve("guest.data");
            PerfDataWriter.create(file, List.of(event(attr, "task-clock")), METADATA).close();
            MemorySegment written = Parsed.of(file).attr(0);
            assertEquals(attr == hostAndGuest ? 1 : 0, perf_event_attr_bits.exclude_guest(written));
            assertEquals(perf_event_attr_bits.exclude_host(attr), perf_event_attr_bits.exclude_host(written));
        }
    }

    @Test
    void idPositionsAreThoseOfPerf() {
        long id = SampleField.ID.bit();
        assertEquals(0, PerfDataWriter.idPosition(SampleField.IDENTIFIER.bit() | IP_TID_TIME | id));
        assertEquals(-1, PerfDataWriter.idPosition(IP_TID_TIME));
        assertEquals(0, PerfDataWriter.idPosition(id));
        assertEquals(4, PerfDataWriter.idPosition(id | IP_TID_TIME | SampleField.ADDR.bit()
                | SampleField.CPU.bit() | SampleField.PERIOD.bit()));
        assertEquals(1, PerfDataWriter.trailerIdPosition(SampleField.IDENTIFIER.bit() | id | SampleField.CPU.bit()));
        assertEquals(-1, PerfDataWriter.trailerIdPosition(IP_TID_TIME | SampleField.CPU.bit()));
        assertEquals(1, PerfDataWriter.trailerIdPosition(id | IP_TID_TIME));
        assertEquals(3, PerfDataWriter.trailerIdPosition(id | SampleField.CPU.bit() | SampleField.STREAM_ID.bit()
                | SampleField.PERIOD.bit()));
    }

    @Test
    void attrsPerfCannotReadTogetherAreRefusedWithTheReason() {
        Path file = directory.resolve("refused.data");
        long identifier = SampleField.IDENTIFIER.bit();
        Map<String, List<PerfDataWriter.EventDescription>> refused = Map.of(
                "neither IDENTIFIER nor ID", List.of(event(attr(IP_TID_TIME | identifier, true), "a"),
                        event(attr(IP_TID_TIME, true), "b")),
                "different places", List.of(event(attr(IP_TID_TIME | SampleField.ID.bit(), true), "a"),
                        event(attr(SampleField.TIME.bit() | SampleField.ID.bit(), true), "b")),
                "differ in sample_id_all", List.of(event(attr(IP_TID_TIME | identifier, true), "a"),
                        event(attr(IP_TID_TIME | identifier, false), "b")),
                "sample_id_all is missing", List.of(event(attr(IP_TID_TIME | identifier, false), "a"),
                        event(attr(IP_TID_TIME | identifier, false), "b")),
                "SampleField.TIME is missing", List.of(event(attr(IP_TID_TIME | identifier, true), "a"),
                        event(attr(SampleField.IP.bit() | identifier, true), "b")),
                "different places (trailer)", List.of(
                        event(attr(IP_TID_TIME | SampleField.ID.bit(), true), "a"),
                        event(attr(IP_TID_TIME | SampleField.ID.bit() | SampleField.CPU.bit(), true), "b")),
                "listed twice", List.of(event(attr(IP_TID_TIME, true), "a", 5, 5)),
                "listed twice (two events)", List.of(event(attr(IP_TID_TIME | identifier, true), "a", 5),
                        event(attr(IP_TID_TIME | identifier, true), "b", 5)),
                "at least one event", List.of(),
                "several fds but its records carry no time", List.of(event(attr(SampleField.IP.bit(), true), "a",
                        1, 2)));
        refused.forEach((reason, events) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PerfDataWriter.create(file, events, METADATA), reason);
            String expected = reason.replace(" (trailer)", "").replace(" (two events)", "");
            assertTrue(e.getMessage().contains(expected), reason + ": " + e.getMessage());
        });
        // one event, one fd: nothing to order
        assertTrue(assertDoesNotThrowCreate(file, List.of(event(attr(SampleField.IP.bit(), false), "a", 1))));
    }

    private static boolean assertDoesNotThrowCreate(Path file, List<PerfDataWriter.EventDescription> events) {
        try (PerfDataWriter out = PerfDataWriter.create(file, events, METADATA)) {
            return out.samples() == 0;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void addIdsRefusesWhatPerfCouldNotUse() throws IOException {
        try (PerfDataWriter out = PerfDataWriter.create(directory.resolve("ids.data"),
                List.of(event(attr(SampleField.IP.bit(), false), "a", 1)), METADATA)) {
            assertThrows(IndexOutOfBoundsException.class, () -> out.addIds(1, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> out.addIds(-1, 2));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> out.addIds(0, 1)).getMessage()
                    .contains("listed twice"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> out.addIds(0, 2)).getMessage()
                    .contains("carry no time"));
            out.addIds(0);
            assertThrows(NullPointerException.class, () -> out.addIds(0, (long[]) null));
        }
    }

    @Test
    void descriptionsAndMetadataRefuseWhatTheFileCannotHold() {
        MemorySegment attr = attr(IP_TID_TIME, true);
        assertThrows(IllegalArgumentException.class, () -> event(arena.allocate(63), "a"));
        assertThrows(IllegalArgumentException.class, () -> event(arena.allocate(4097), "a"));
        event(arena.allocate(64), "a");
        event(arena.allocate(4096), "a");
        assertThrows(IllegalArgumentException.class, () -> event(attr, ""));
        assertThrows(IllegalArgumentException.class, () -> event(attr, "a\0b"));
        assertEquals("name", assertThrows(NullPointerException.class, () -> event(attr, null)).getMessage());
        assertEquals("attr", assertThrows(NullPointerException.class, () -> event(null, "a")).getMessage());
        assertEquals("ids", assertThrows(NullPointerException.class,
                () -> new PerfDataWriter.EventDescription(attr, "a", (long[]) null)).getMessage());
        long[] ids = {1, 2};
        PerfDataWriter.EventDescription d = event(attr, "a", ids);
        ids[0] = 9;
        assertEquals(1, d.ids()[0], "ids are copied in");
        d.ids()[1] = 9;
        assertEquals(2, d.ids()[1], "and out");

        assertThrows(IllegalArgumentException.class, () -> new PerfDataWriter.Metadata("h", "r", "x", 2, 0, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new PerfDataWriter.Metadata("h", "r", "x", 1, 2, List.of()));
        new PerfDataWriter.Metadata("", "", "x", 1, 1, List.of(""));
        assertThrows(IllegalArgumentException.class, () -> new PerfDataWriter.Metadata("h", "r", "", 1, 1, List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new PerfDataWriter.Metadata("h\0", "r", "x", 1, 1, List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new PerfDataWriter.Metadata("\0h", "r", "x", 1, 1, List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new PerfDataWriter.Metadata("h", "r\0", "x", 1, 1, List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new PerfDataWriter.Metadata("h", "r", "x", 1, 1, List.of("a\0")));
        assertEquals("hostname", assertThrows(NullPointerException.class,
                () -> new PerfDataWriter.Metadata(null, "r", "x", 1, 1, List.of())).getMessage());
        assertThrows(NullPointerException.class, () -> PerfDataWriter.Metadata.ofThisMachine(null));
        assertThrows(NullPointerException.class, () -> PerfDataWriter.create(null, List.of(), METADATA));
        assertThrows(NullPointerException.class, () -> PerfDataWriter.create(directory, null, METADATA));
        assertThrows(NullPointerException.class, () -> PerfDataWriter.create(directory, List.of(), null));
    }

    @Test
    void thisMachinesMetadataIsWhatUnameAndSysfsSay() throws Exception {
        PerfDataWriter.Metadata m = PerfDataWriter.Metadata.ofThisMachine(List.of("a", "b"));
        assertEquals(firstLine("/proc/sys/kernel/hostname"), m.hostname());
        assertEquals(firstLine("/proc/sys/kernel/osrelease"), m.osRelease());
        Process uname = new ProcessBuilder("uname", "-m").start();
        assertEquals(new String(uname.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip(), m.arch());
        assertEquals(Runtime.getRuntime().availableProcessors(), m.cpusOnline());
        assertEquals(CpuList.highest(firstLine("/sys/devices/system/cpu/present")) + 1, m.cpusAvailable());
        assertEquals(List.of("a", "b"), m.cmdline());
    }

    private static String firstLine(String file) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(Path.of(file))) {
            return r.readLine().strip();
        }
    }

    @Test
    void cpuListsOfSysfsAreCountedAndTheirHighestFound() {
        assertEquals(1, CpuList.count("0"));
        assertEquals(0, CpuList.highest("0\n"));
        assertEquals(7, CpuList.count("0-3,8,10-11"));
        assertEquals(11, CpuList.highest("0-3,8,10-11"));
        assertEquals(11, CpuList.highest("10-11,0-3"));
        assertEquals(1, CpuList.count("3-3"));
        for (String bad : List.of("", " ", "a", "3-1", "-1", "1-", "1,,2")) {
            assertThrows(UnsupportedOperationException.class, () -> CpuList.count(bad), bad);
        }
    }

    @Test
    void recordsThatAreNotRecordsAreRefusedAndTheClosedWriterRefusesEverything() throws IOException {
        Path file = directory.resolve("bad.data");
        PerfDataWriter out = PerfDataWriter.create(file, List.of(event(attr(IP_TID_TIME, true), "a")), METADATA);
        MemorySegment s = sample(1, 2, 3, 4);
        assertThrows(IllegalArgumentException.class, () -> out.write(s, -1));
        assertThrows(IllegalArgumentException.class, () -> out.write(s, 25));
        assertThrows(IllegalArgumentException.class, () -> out.write(s.asSlice(0, 7), 0));
        for (int size : new int[] {0, 4, 12, 40}) {
            MemorySegment copy = MemorySegment.ofArray(s.toArray(ValueLayout.JAVA_LONG));
            copy.set(ValueLayout.JAVA_SHORT, 6, (short) size);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> out.write(copy, 0));
            assertTrue(e.getMessage().contains("header.size " + size), e.getMessage());
        }
        MemorySegment twice = MemorySegment.ofArray(new long[8]);
        MemorySegment.copy(s, 0, twice, 32, 32);
        out.write(twice, 32);
        out.write(s.asSlice(0, 32), 0);
        assertThrows(NullPointerException.class, () -> out.write(null, 0));
        assertThrows(NullPointerException.class, () -> out.write((RecordCursor) null));
        assertThrows(IllegalStateException.class,
                () -> out.write(RecordCursor.of(SampleFormat.of(attr(IP_TID_TIME, true)))));
        assertEquals(2, out.samples());
        assertTrue(out.toString().contains("1 event, 2 records]"), out.toString());
        out.close();
        out.close();
        assertTrue(out.toString().endsWith("closed]"), out.toString());
        assertEquals(64, Parsed.of(file).dataSize(), "only the two valid records");
        assertThrows(IllegalStateException.class, () -> out.write(s, 0));
        assertThrows(IllegalStateException.class, out::finishRound);
        assertThrows(IllegalStateException.class, () -> out.addIds(0, 1));
        assertThrows(IllegalStateException.class, () -> out.synthesizeProcess(1));
        assertThrows(IllegalStateException.class, out::synthesizeKernel);
        Path unused = Path.of("/tmp/perf-" + (Integer.MAX_VALUE - 9) + ".map");
        perfMaps.add(unused);
        assertThrows(IllegalStateException.class, () -> out.writePerfMap(Integer.MAX_VALUE - 9, ""));
        assertFalse(Files.exists(unused));
    }

    @Test
    void aRunningProcessIsSynthesizedAsCommPerThreadAndMmap2PerExecutableMappingWithItsSampleId() throws Exception {
        long sampleType = IP_TID_TIME | SampleField.ID.bit() | SampleField.CPU.bit();
        MemorySegment attr = attr(sampleType, true);
        Path file = directory.resolve("proc.data");
        int pid = Math.toIntExact(ProcessHandle.current().pid());
        List<ProcMaps.Mapping> expected = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            ProcMaps.Mapping m = ProcMaps.parse(line, Path.of("/proc/self/maps"));
            if (m.executable()) {
                expected.add(m);
            }
        }
        int written;
        try (PerfDataWriter out = PerfDataWriter.create(file, List.of(event(attr, "task-clock")), METADATA)) {
            written = out.synthesizeProcess(pid);
            assertEquals(written, out.records());
            assertEquals(0, out.samples());
        }
        List<PerfRecord> records = new ArrayList<>();
        RecordCursor cursor = RecordCursor.of(SampleFormat.of(attr)).walk(Parsed.of(file).data());
        while (cursor.next()) {
            records.add(cursor.toRecord());
        }
        assertEquals(written, records.size());
        List<PerfRecord.Comm> comms = records.stream().filter(r -> r instanceof PerfRecord.Comm)
                .map(r -> (PerfRecord.Comm) r).toList();
        List<PerfRecord.Mmap2> mmaps = records.stream().filter(r -> r instanceof PerfRecord.Mmap2)
                .map(r -> (PerfRecord.Mmap2) r).toList();
        assertEquals(written, comms.size() + mmaps.size());
        assertTrue(comms.size() >= 2, "a JVM has threads: " + comms.size());
        for (PerfRecord.Comm c : comms) {
            assertEquals(pid, c.pid());
            assertEquals(0, c.misc());
            assertEquals(pid, c.sampleId().pid());
            assertEquals(c.tid(), c.sampleId().tid());
            assertEquals(0, c.sampleId().time());
            assertEquals(0, c.sampleId().id());
            assertEquals(0, c.sampleId().cpu());
            Path comm = Path.of("/proc/self/task/" + c.tid() + "/comm");
            if (Files.exists(comm)) {
                assertEquals(Files.readString(comm).strip(), c.comm());
            }
        }
        assertTrue(comms.stream().anyMatch(c -> c.tid() == pid), "the main thread");
        // the JVM may map code between the two reads of /proc/self/maps: compare what both saw
        assertTrue(mmaps.size() >= expected.size() - 2 && mmaps.size() <= expected.size() + 2,
                mmaps.size() + " vs " + expected.size());
        int matched = 0;
        for (ProcMaps.Mapping m : expected) {
            for (PerfRecord.Mmap2 r : mmaps) {
                if (r.addr() == m.start() && r.len() == m.end() - m.start()) {
                    matched++;
                    assertEquals(m.offset(), r.pgoff());
                    assertEquals(m.major(), r.maj());
                    assertEquals(m.minor(), r.min());
                    assertEquals(m.inode(), r.ino());
                    assertEquals(m.prot(), r.prot());
                    assertEquals(m.flags(), r.flags());
                    assertEquals(m.filename(), r.filename());
                    assertEquals(perf_event_h.PERF_RECORD_MISC_USER(), r.misc());
                    assertEquals(pid, r.pid());
                    assertEquals(pid, r.tid());
                    assertEquals(pid, r.sampleId().tid());
                }
            }
        }
        assertTrue(matched >= expected.size() - 2, matched + " of " + expected.size());
        assertTrue(mmaps.stream().anyMatch(r -> r.filename().endsWith("libjvm.so")), "libjvm.so");
        assertTrue(mmaps.stream().anyMatch(r -> r.filename().equals("//anon") && (r.prot() & 4) != 0),
                "the JIT code cache as //anon");
    }

    @Test
    void withoutSampleIdAllSynthesizedRecordsEndAtTheirName() throws IOException {
        MemorySegment attr = attr(IP_TID_TIME, false);
        Path file = directory.resolve("bare.data");
        try (PerfDataWriter out = PerfDataWriter.create(file, List.of(event(attr, "task-clock")), METADATA)) {
            out.synthesizeProcess(Math.toIntExact(ProcessHandle.current().pid()));
        }
        RecordCursor cursor = RecordCursor.of(SampleFormat.of(attr)).walk(Parsed.of(file).data());
        while (cursor.next()) {
            String name = cursor.recordType() == RecordType.COMM
                    ? cursor.string(RecordType.COMM.field("comm"))
                    : cursor.string(RecordType.MMAP2.field("filename"));
            int fixed = cursor.recordType() == RecordType.COMM ? 16 : 72;
            assertEquals(fixed + Records.padded(name.getBytes(StandardCharsets.ISO_8859_1).length + 1), cursor.size(),
                    name);
        }
    }

    @Test
    void theKernelMapIsKallsymsTextToEtextNamedWithItsReferenceSymbol() throws IOException {
        long text = 0;
        long etext = 0;
        for (String line : Files.readAllLines(Path.of("/proc/kallsyms"))) {
            String[] f = line.split(" ");
            if (f[2].equals("_text")) {
                text = Long.parseUnsignedLong(f[0], 16);
            } else if (f[2].equals("_etext")) {
                etext = Long.parseUnsignedLong(f[0], 16);
            }
        }
        MemorySegment attr = attr(IP_TID_TIME, true);
        Path file = directory.resolve("kernel.data");
        boolean written;
        try (PerfDataWriter out = PerfDataWriter.create(file, List.of(event(attr, "task-clock")), METADATA)) {
            written = out.synthesizeKernel();
        }
        assertEquals(text != 0, written, "written exactly when kallsyms shows addresses");
        if (!written) {
            assertEquals(0, Parsed.of(file).dataSize());
            return;
        }
        RecordCursor cursor = RecordCursor.of(SampleFormat.of(attr)).walk(Parsed.of(file).data());
        assertTrue(cursor.next());
        PerfRecord.Mmap m = (PerfRecord.Mmap) cursor.toRecord();
        assertEquals(-1, m.pid());
        assertEquals(0, m.tid());
        assertEquals(perf_event_h.PERF_RECORD_MISC_KERNEL(), m.misc());
        assertEquals(text, m.addr());
        assertEquals(etext - text, m.len());
        assertEquals(text, m.pgoff());
        assertEquals("[kernel.kallsyms]_text", m.filename());
        assertEquals(-1, m.sampleId().pid());
        assertFalse(cursor.next());
    }

    @Test
    void procRefusingIsAPerfEventExceptionWithItsErrno() throws IOException {
        try (PerfDataWriter out = PerfDataWriter.create(directory.resolve("gone.data"),
                List.of(event(attr(IP_TID_TIME, true), "a")), METADATA)) {
            Process p = new ProcessBuilder("true").start();
            int gone = Math.toIntExact(p.pid());
            p.onExit().join();
            PerfEventException e = assertThrows(PerfEventException.class, () -> out.synthesizeProcess(gone));
            assertEquals(Errno.ENOENT, e.errno());
            assertTrue(e.getMessage().contains("/proc/" + gone), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> out.synthesizeProcess(0));
            assertThrows(IllegalArgumentException.class, () -> out.synthesizeProcess(-1));
            assertEquals(0, out.records());
        }
    }

    @Test
    void perfMapsAreWrittenWhereperfLooksAndCheckedLineByLine() throws IOException {
        try (PerfDataWriter out = PerfDataWriter.create(directory.resolve("map.data"),
                List.of(event(attr(IP_TID_TIME, true), "a")), METADATA)) {
            int pid = Integer.MAX_VALUE - 7;
            Path expected = Path.of("/tmp/perf-" + pid + ".map");
            perfMaps.add(expected);
            String text = "7f0000001000 40 Interpreter\n0x7f0000002000 0x10 LFoo;::bar (compiled)\n\n";
            assertEquals(expected, out.writePerfMap(pid, text));
            assertEquals(text, Files.readString(expected));
            assertEquals(expected, out.writePerfMap(pid, "1 1 again\n"));
            assertEquals("1 1 again\n", Files.readString(expected), "replaced");
            assertEquals(List.of(expected), out.perfMaps(), "listed once");
            for (String bad : List.of("7f00 Interpreter", "xyz 10 name", "10 10 ", "10 10")) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> out.writePerfMap(pid, "1 1 ok\n" + bad), bad);
                assertTrue(e.getMessage().startsWith("line 2 "), e.getMessage());
            }
            assertEquals("1 1 again\n", Files.readString(expected), "a refused map changes nothing");
            perfMaps.add(Path.of("/tmp/perf-0.map")); // no process has pid 0: only a broken check would write it
            assertThrows(IllegalArgumentException.class, () -> out.writePerfMap(0, "1 1 a"));
            assertThrows(NullPointerException.class, () -> out.writePerfMap(1, null));
            try (Stream<Path> left = Files.list(Path.of("/tmp"))) {
                assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("perf-" + pid + "-")),
                        "no temporary file left");
            }
        }
    }

    @Test
    void procMapsLinesAreReadAsProcDocumentsThem() {
        Path file = Path.of("/proc/1/maps");
        ProcMaps.Mapping m = ProcMaps.parse(
                "7f1c2a000000-7f1c2a021000 r-xp 0001a000 fe:01 1835043                    /usr/lib/libc.so.6", file);
        assertEquals(new ProcMaps.Mapping(0x7f1c2a000000L, 0x7f1c2a021000L, ProcMaps.PROT_READ | ProcMaps.PROT_EXEC,
                ProcMaps.MAP_PRIVATE, 0x1a000, 0xfe, 1, 1835043, "/usr/lib/libc.so.6"), m);
        assertTrue(m.executable());
        ProcMaps.Mapping anon = ProcMaps.parse("7f00-8f00 rwxs 00000000 00:00 0 ", file);
        assertEquals(ProcMaps.PROT_READ | ProcMaps.PROT_WRITE | ProcMaps.PROT_EXEC, anon.prot());
        assertEquals(ProcMaps.MAP_SHARED, anon.flags());
        assertEquals("//anon", anon.filename());
        ProcMaps.Mapping data = ProcMaps.parse("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0   [vsyscall]",
                file);
        assertEquals(ProcMaps.PROT_EXEC, data.prot());
        assertEquals(0xffffffffff600000L, data.start());
        assertEquals("[vsyscall]", data.filename());
        assertFalse(ProcMaps.parse("1000-2000 rw-p 00000000 00:00 0 [heap]", file).executable());
        assertEquals("/a b (deleted)", ProcMaps.parse("1000-2000 r-xp 0 08:01 5 /a b (deleted)", file).filename());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> ProcMaps.parse("1000-2000 r-xq 0 0:0 0", file));
        assertTrue(e.getMessage().contains("/proc/1/maps"), e.getMessage());
    }
}
