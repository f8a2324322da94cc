/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile.perfdata;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.github.perfevent.PerfEventException;
import io.github.perfevent.internal.CountingAccess;
import io.github.perfevent.sampling.RecordCursor;
import io.github.perfevent.sampling.SampleField;
import io.github.perfevent.sampling.SampleFormat;
import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bindings.perf_event_h;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes a {@code perf.data} file that {@code perf script} and {@code perf report} read, from records exactly as the
 * kernel wrote them into a ring buffer (perf_event_open(2), "MMAP layout"), in the format of the kernel's
 * {@code tools/perf/Documentation/perf.data-file-format.txt}.
 *
 * <pre>{@code
 * try (PerfDataWriter out = PerfDataWriter.create(Path.of("perf.data"),
 *         List.of(new PerfDataWriter.EventDescription(attr, "task-clock", ids)),
 *         PerfDataWriter.Metadata.ofThisMachine(List.of("myprofiler", "--pid", "1234")))) {
 *     out.synthesizeProcess(1234);           // COMM and MMAP2 of a process that was running before
 *     while (sampler.next(cursor)) {
 *         out.write(cursor);                 // the bytes of the record, not decoded
 *     }
 *     out.writePerfMap(1234, jvmPerfMap);    // /tmp/perf-1234.map, which perf reads for //anon code
 * }
 * }</pre>
 *
 * <p><b>The file.</b> The 104-byte {@code perf_file_header} ({@code "PERFILE2"}, its own size, {@code attr_size},
 * the {@code attrs} and {@code data} sections, the {@code event_types} section perf no longer reads, and the
 * 256-bit feature bitmap); then the data section, streamed to the file as records come (only a buffer of 1 MiB is
 * held); then, at {@link #close()}, right after the data, the feature sections in the order of their bits — perf
 * finds them only there, at {@code data.offset + data.size}: a table of one {@code {offset, size}} per feature, then
 * HOSTNAME, OSRELEASE, ARCH, NRCPUS, CMDLINE and EVENT_DESC; then each event's ids and the attrs, each followed by the
 * section of its ids ({@code struct perf_file_attr}). The header is written last, at offset 0. Everything is in this
 * machine's byte order, as perf writes it (it tells the order by the magic).
 *
 * <p><b>Attrs.</b> perf reads an attr's {@code size} first and refuses the file when it is larger than its own
 * {@code struct perf_event_attr} (128 bytes in perf 6.1, "file uses a more recent and unsupported ABI"); bytes it
 * does not know it cannot use anyway. So each attr is written with the smallest of the kernel's
 * {@code PERF_ATTR_SIZE_VER0..VER9} (64 to 144 bytes) that holds every non-zero byte of the attr the event was opened
 * with, the largest of these for all attrs (the header has one {@code attr_size}, which is that size + 16 for the
 * ids section). An attr that uses nothing past {@code sig_data} (the case of every event this library opens unless
 * {@code config3} is set) is at most 128 bytes and any perf from 6.1 on reads it. {@code exclude_guest} is set in the
 * written copy, as {@code perf record} sets it on a host (without it perf names a {@code task-clock} event
 * {@code task-clock:HG} wherever it names an event from its attr). The caller's attr is never changed.
 *
 * <p><b>Several events.</b> perf finds the event of a record by its id: the attrs' id sections and the EVENT_DESC
 * feature list each event's ids (from {@code PERF_EVENT_IOC_ID} or the records' {@code ID}/{@code IDENTIFIER}
 * fields). Every id that a record carries must be declared, side-band records included: {@code perf script} stops
 * with "failed to process type: 3 [Bad address]" at a COMM whose id it does not know (the fd of a CPU that wrote
 * the COMM of an exec and no sample), except id 0, which perf gives to the first event. With more than one event, perf ("non matching sample_type") needs the id at the same place in every
 * event's records: {@code PERF_SAMPLE_IDENTIFIER} on every attr, or {@code PERF_SAMPLE_ID} after the same fields,
 * and the same {@code sample_id_all} on all.
 *
 * <p><b>Order.</b> {@code perf report} and {@code perf script} sort records by their time themselves (their
 * ordered-events queue), holding every record that has a time until a {@code PERF_RECORD_FINISHED_ROUND} or the end
 * of the file; a record without a time is processed at its place in the file. So records of several ring buffers
 * need {@code TIME} in the sample and {@code sample_id_all}, and this writer requires both as soon as more than one
 * id (more than one fd) is declared. {@link #finishRound()} writes a round marker when the caller knows the order
 * (perf then holds fewer records in memory); none is needed.
 *
 * <p><b>Exceptions.</b> The caller's input (a malformed record, attrs perf cannot read together, a perf map that is
 * not one) is an {@link IllegalArgumentException}; {@code /proc} refusing is a {@link PerfEventException} with the
 * errno the access returned; the output file failing is the JDK's {@link IOException}; {@code null} is a
 * {@link NullPointerException} naming the parameter; using a closed writer is an {@link IllegalStateException}.
 * Not thread-safe: one thread writes.
 */
public final class PerfDataWriter implements AutoCloseable {

    /** {@code sizeof(struct perf_file_header)}. */
    static final int HEADER_SIZE = 104;
    /** {@code "PERFILE2"} read as a little-endian u64, which is how perf checks it (and finds the byte order). */
    static final long MAGIC = 0x32454c4946524550L;
    /** perf's own record type, after the kernel's ({@code tools/lib/perf/include/perf/event.h}). */
    static final int PERF_RECORD_FINISHED_ROUND = 68;
    /** Feature bits ({@code tools/perf/util/header.h}). */
    static final int HEADER_HOSTNAME = 3;
    static final int HEADER_OSRELEASE = 4;
    static final int HEADER_ARCH = 6;
    static final int HEADER_NRCPUS = 7;
    static final int HEADER_CMDLINE = 11;
    static final int HEADER_EVENT_DESC = 12;
    /** Strings in feature sections are padded to this ({@code NAME_ALIGN}). */
    static final int NAME_ALIGN = 64;
    /** The largest attr the kernel accepts (one page). */
    private static final int MAX_ATTR = 4096;
    private static final int BUFFER = 1 << 20;
    private static final int[] ATTR_SIZES = {perf_event_h.PERF_ATTR_SIZE_VER0(), perf_event_h.PERF_ATTR_SIZE_VER1(),
        perf_event_h.PERF_ATTR_SIZE_VER2(), perf_event_h.PERF_ATTR_SIZE_VER3(), perf_event_h.PERF_ATTR_SIZE_VER4(),
        perf_event_h.PERF_ATTR_SIZE_VER5(), perf_event_h.PERF_ATTR_SIZE_VER6(), perf_event_h.PERF_ATTR_SIZE_VER7(),
        perf_event_h.PERF_ATTR_SIZE_VER8(), perf_event_h.PERF_ATTR_SIZE_VER9()};
    private static final int RECORD_SAMPLE = perf_event_h.PERF_RECORD_SAMPLE();
    /** A perf map line ({@code START SIZE symbolname}, hexadecimal, as perf's {@code dso__load_perf_map} reads it). */
    private static final Pattern PERF_MAP_LINE = Pattern.compile("(0[xX])?[0-9a-fA-F]+ (0[xX])?[0-9a-fA-F]+ \\S.*");

    /**
     * One event of the file: the {@code perf_event_attr} it was opened with, the name perf shows for it, and the ids
     * the kernel gave its fds ({@code PERF_EVENT_IOC_ID}), which perf uses to find the event of a record.
     *
     * @param attr the attr, as the library built it for {@code perf_event_open}; copied when the writer is created
     * @param name the event's name as perf writes it ({@code task-clock}, {@code sched:sched_switch}), written into
     *     the EVENT_DESC feature
     * @param ids the ids of its fds; may be empty for the only event of a file, and can be completed later with
     *     {@link PerfDataWriter#addIds(int, long...)}
     */
    public record EventDescription(MemorySegment attr, String name, long... ids) {

        /**
         * Checks the description.
         *
         * @throws NullPointerException if a parameter is null
         * @throws IllegalArgumentException if the attr is shorter than the first attr (64 bytes,
         *     {@code PERF_ATTR_SIZE_VER0}) or longer than a page, or the name is empty or holds a NUL
         */
        public EventDescription {
            Objects.requireNonNull(attr, "attr");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(ids, "ids");
            if (attr.byteSize() < ATTR_SIZES[0] || attr.byteSize() > MAX_ATTR) {
                throw new IllegalArgumentException("a perf_event_attr has " + ATTR_SIZES[0] + " to " + MAX_ATTR
                        + " bytes; this segment has " + attr.byteSize());
            }
            requireName(name, "event name");
            ids = ids.clone();
        }

        /** {@return a copy of the ids} */
        @Override
        public long[] ids() {
            return ids.clone();
        }
    }

    /**
     * What perf shows in the header of {@code perf report --header} and uses to read the file: the machine's name,
     * kernel release and architecture ({@code uname(2)}: {@code nodename}, {@code release}, {@code machine}), its
     * CPUs, and the command line of the recording.
     *
     * @param hostname HOSTNAME feature
     * @param osRelease OSRELEASE feature, such as {@code 6.18.44}
     * @param arch ARCH feature, as {@code uname -m} prints it ({@code x86_64}, {@code aarch64}): perf picks its
     *     register names and its objdump by it
     * @param cpusAvailable NRCPUS feature, its first number: the highest present CPU + 1 ({@code perf record}
     *     writes that); perf sizes its per-CPU tables by it
     * @param cpusOnline NRCPUS feature, its second number: the CPUs online
     * @param cmdline CMDLINE feature: the command that recorded, one string per argument
     */
    public record Metadata(String hostname, String osRelease, String arch, int cpusAvailable, int cpusOnline,
            List<String> cmdline) {

        /**
         * Checks the metadata.
         *
         * @throws NullPointerException if a parameter or an argument is null
         * @throws IllegalArgumentException if a string holds a NUL, {@code arch} is empty, or the CPU counts are
         *     not {@code 1 <= cpusOnline <= cpusAvailable}
         */
        public Metadata {
            requireText(hostname, "hostname");
            requireText(osRelease, "osRelease");
            requireName(arch, "arch");
            cmdline = List.copyOf(Objects.requireNonNull(cmdline, "cmdline"));
            for (String argument : cmdline) {
                requireText(argument, "cmdline argument");
            }
            if (cpusOnline < 1 || cpusAvailable < cpusOnline) {
                throw new IllegalArgumentException("NRCPUS needs 1 <= online <= available; got " + cpusOnline
                        + " online of " + cpusAvailable);
            }
        }

        /**
         * {@return this machine's metadata}: {@code /proc/sys/kernel/hostname} and {@code osrelease}, the
         * architecture from {@code os.arch} in {@code uname -m} spelling ({@code amd64} is {@code x86_64}), and the
         * CPUs of {@code /sys/devices/system/cpu/present} and {@code online}
         *
         * @param cmdline the command line to record, one string per argument
         * @throws PerfEventException if one of those files is absent (ENOENT) or not readable (EACCES)
         * @throws IOException if reading one fails otherwise
         */
        public static Metadata ofThisMachine(List<String> cmdline) throws IOException {
            Objects.requireNonNull(cmdline, "cmdline");
            String arch = System.getProperty("os.arch");
            return new Metadata(systemFile("/proc/sys/kernel/hostname"), systemFile("/proc/sys/kernel/osrelease"),
                    "amd64".equals(arch) ? "x86_64" : arch,
                    Math.toIntExact(CpuList.highest(systemFile("/sys/devices/system/cpu/present")) + 1),
                    CpuList.count(systemFile("/sys/devices/system/cpu/online")), cmdline);
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final MemorySegment[] attrs;
    private final String[] names;
    private final List<long[]> ids = new ArrayList<>();
    private final Set<Long> allIds = new HashSet<>();
    private final Metadata metadata;
    private final int attrSize;
    private final SampleFormat trailerFormat;
    private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER).order(ByteOrder.nativeOrder());
    private final MemorySegment outSegment = MemorySegment.ofBuffer(out);
    private final List<Path> perfMaps = new ArrayList<>();
    private long dataSize;
    private long records;
    private long samples;
    private boolean closed;

    private PerfDataWriter(Path path, FileChannel channel, MemorySegment[] attrs, String[] names, Metadata metadata,
            int attrSize) {
        this.path = path;
        this.channel = channel;
        this.attrs = attrs;
        this.names = names;
        this.metadata = metadata;
        this.attrSize = attrSize;
        this.trailerFormat = SampleFormat.of(attrs[0]);
    }

    /**
     * Creates (or truncates) the file at {@code path} for records of {@code events}; the data section starts right
     * after the header.
     *
     * @param path where
     * @param events the events whose records will be written, at least one, in the order perf lists them
     * @param metadata the feature sections' content
     * @return the writer
     * @throws NullPointerException if a parameter is null
     * @throws IllegalArgumentException if {@code events} is empty; if several events do not have their id at the
     *     same place (IDENTIFIER on all, or ID after the same fields) or differ in {@code sample_id_all}; if an id is
     *     listed twice; if there are several events, or more than one id, and an attr lacks {@code TIME} or
     *     {@code sample_id_all}
     * @throws IOException if the file cannot be created or written
     */
    public static PerfDataWriter create(Path path, List<EventDescription> events, Metadata metadata)
            throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(metadata, "metadata");
        List<EventDescription> list = List.copyOf(events);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("a perf.data file needs at least one event");
        }
        MemorySegment[] attrs = new MemorySegment[list.size()];
        String[] names = new String[list.size()];
        int size = ATTR_SIZES[0];
        for (int i = 0; i < attrs.length; i++) {
            attrs[i] = copyForPerf(list.get(i).attr());
            names[i] = list.get(i).name();
            size = Math.max(size, sizeForPerf(attrs[i]));
        }
        requireIdsAtOnePlace(attrs, names);
        Set<Long> allIds = new HashSet<>();
        for (EventDescription event : list) {
            for (long id : event.ids) {
                if (!allIds.add(id)) {
                    throw new IllegalArgumentException("id " + id + " is listed twice: perf finds an event by its ids");
                }
            }
        }
        if (attrs.length > 1 || allIds.size() > 1) {
            requireOrderable(attrs, names);
        }
        for (MemorySegment attr : attrs) {
            perf_event_attr.size(attr, size);
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        PerfDataWriter writer = new PerfDataWriter(path, channel, attrs, names, metadata, size);
        for (EventDescription event : list) {
            writer.ids.add(event.ids);
        }
        writer.allIds.addAll(allIds);
        try {
            channel.write(ByteBuffer.allocate(HEADER_SIZE), 0);
            channel.position(HEADER_SIZE);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return writer;
    }

    /**
     * Adds ids of event {@code event}'s fds, learnt after the writer was created (for example from the
     * {@code IDENTIFIER} of its records); perf needs every id that records carry to find their event.
     *
     * @param event the index of the event in the list given to {@link #create}
     * @param newIds the ids
     * @throws IndexOutOfBoundsException if there is no such event
     * @throws IllegalArgumentException if an id is listed already, or with this more than one id is declared and an
     *     attr lacks {@code TIME} or {@code sample_id_all} (perf could not order the records of several buffers)
     * @throws IllegalStateException if the writer is closed
     */
    public void addIds(int event, long... newIds) {
        requireOpen();
        Objects.requireNonNull(newIds, "newIds");
        Objects.checkIndex(event, attrs.length);
        Set<Long> added = new HashSet<>();
        for (long id : newIds) {
            if (allIds.contains(id) || !added.add(id)) {
                throw new IllegalArgumentException("id " + id + " is listed twice: perf finds an event by its ids");
            }
        }
        if (allIds.size() + added.size() > 1) {
            requireOrderable(attrs, names);
        }
        allIds.addAll(added);
        long[] old = ids.get(event);
        long[] joined = Arrays.copyOf(old, old.length + newIds.length);
        System.arraycopy(newIds, 0, joined, old.length, newIds.length);
        ids.set(event, joined);
    }

    /**
     * Appends the record whose {@code perf_event_header} is at {@code offset} of {@code segment} to the data
     * section: its {@code header.size} bytes, unchanged (a ring buffer's bytes, a copy of them, a record of
     * another perf.data file).
     *
     * @param segment the memory the record is in
     * @param offset where its header starts
     * @throws NullPointerException if {@code segment} is null
     * @throws IllegalArgumentException if the bytes there are not a record: a size under 8 or not a multiple of 8,
     *     or past the end of the segment
     * @throws IllegalStateException if the writer is closed
     * @throws IOException if the file cannot be written
     */
    public void write(MemorySegment segment, long offset) throws IOException {
        requireOpen();
        Objects.requireNonNull(segment, "segment");
        if (offset < 0 || offset > segment.byteSize() - Long.BYTES) {
            throw new IllegalArgumentException("no perf_event_header at offset " + offset + " of a "
                    + segment.byteSize() + "-byte segment");
        }
        int size = Short.toUnsignedInt(segment.get(JAVA_SHORT_UNALIGNED, offset + 6));
        if (size < Long.BYTES || size % Long.BYTES != 0 || size > segment.byteSize() - offset) {
            throw new IllegalArgumentException("header.size " + size + " at offset " + offset + " is not a record"
                    + " the kernel writes (at least 8, a multiple of 8, within the " + segment.byteSize()
                    + "-byte segment)");
        }
        append(segment, offset, size);
    }

    /**
     * Appends the record {@code cursor} is on ({@link RecordCursor#segment()} at {@link RecordCursor#offset()}),
     * unchanged: a {@link io.github.perfevent.sampling.Sampler}'s stream is copied in with no decoding.
     *
     * @param cursor a cursor positioned on a record
     * @throws NullPointerException if {@code cursor} is null
     * @throws IllegalStateException if the cursor is on nothing, or the writer is closed
     * @throws IOException if the file cannot be written
     */
    public void write(RecordCursor cursor) throws IOException {
        Objects.requireNonNull(cursor, "cursor");
        write(cursor.segment(), cursor.offset());
    }

    /**
     * Writes a {@code PERF_RECORD_FINISHED_ROUND}: perf then processes the records it holds up to the latest time
     * it had seen at the previous round marker. Write one only when every record after it is no older than every
     * record before the previous marker (true of a stream in time order, such as an ordered
     * {@link io.github.perfevent.sampling.Sampler}'s); perf warns of "out of order events" otherwise.
     *
     * @throws IllegalStateException if the writer is closed
     * @throws IOException if the file cannot be written
     */
    public void finishRound() throws IOException {
        requireOpen();
        MemorySegment record = Records.header(PERF_RECORD_FINISHED_ROUND, 0, Long.BYTES);
        append(record, 0, Long.BYTES);
    }

    /**
     * Writes what perf needs to name the code of process {@code pid} that started before the recording, as
     * {@code perf record} synthesizes it: a {@code PERF_RECORD_COMM} for each of its threads
     * ({@code /proc/<pid>/task/<tid>/comm}) and a {@code PERF_RECORD_MMAP2} for each executable mapping of
     * {@code /proc/<pid>/maps} (address, length, file offset, device, inode, {@code PROT_*} and {@code MAP_*}
     * flags, the path). An anonymous executable mapping — a JIT's code cache — gets the name {@code //anon}, the
     * one case where perf reads {@code /tmp/perf-<pid>.map} for its symbols ({@link #writePerfMap}).
     *
     * <p>Each record ends with the {@code sample_id} the first event's attr asks for (when it has
     * {@code sample_id_all}): pid and tid, and zero for the time, the id and the CPU, as perf's own synthesized
     * records have. perf processes a record of time zero at once, before the records it holds to sort: call this
     * before a round marker is written.
     *
     * @param pid the process
     * @return the number of records written
     * @throws IllegalArgumentException if {@code pid} is not positive
     * @throws PerfEventException if {@code /proc/<pid>} cannot be read: ENOENT when there is no such process,
     *     EACCES when it belongs to another user and this one may not trace it
     * @throws IllegalStateException if the writer is closed
     * @throws IOException if the file cannot be written
     */
    public int synthesizeProcess(int pid) throws IOException {
        requireOpen();
        if (pid <= 0) {
            throw new IllegalArgumentException("a pid is positive; got " + pid);
        }
        Path proc = Path.of("/proc", Integer.toString(pid));
        List<Integer> tids = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
            tasks.map(p -> Integer.valueOf(p.getFileName().toString())).sorted().forEach(tids::add);
        } catch (IOException e) {
            throw procFailure(pid, "task", e);
        }
        int written = 0;
        for (int tid : tids) {
            String comm;
            try {
                comm = new String(Files.readAllBytes(proc.resolve("task/" + tid + "/comm")),
                        StandardCharsets.ISO_8859_1).strip();
            } catch (NoSuchFileException e) {
                continue; // the thread ended after it was listed
            } catch (IOException e) {
                throw procFailure(pid, "task/" + tid + "/comm", e);
            }
            MemorySegment record = Records.comm(pid, tid, comm, trailerFormat);
            append(record, 0, (int) record.byteSize());
            written++;
        }
        List<ProcMaps.Mapping> mappings = new ArrayList<>();
        // ISO-8859-1 maps each byte to one char and back: paths and names are bytes, not always UTF-8
        try (BufferedReader maps = Files.newBufferedReader(proc.resolve("maps"), StandardCharsets.ISO_8859_1)) {
            for (String line = maps.readLine(); line != null; line = maps.readLine()) {
                ProcMaps.Mapping m = ProcMaps.parse(line, proc.resolve("maps"));
                if (m.executable()) {
                    mappings.add(m);
                }
            }
        } catch (IOException e) {
            throw procFailure(pid, "maps", e);
        }
        for (ProcMaps.Mapping m : mappings) {
            MemorySegment record = Records.mmap2(pid, pid, m, trailerFormat);
            append(record, 0, (int) record.byteSize());
            written++;
        }
        return written;
    }

    /**
     * Writes the {@code PERF_RECORD_MMAP} of the kernel's text that {@code perf record} synthesizes first: pid -1,
     * {@code PERF_RECORD_MISC_KERNEL}, from {@code _text} to {@code _etext} as {@code /proc/kallsyms} gives them, named
     * {@code [kernel.kallsyms]_text} with {@code _text}'s address as its offset. perf relocates kernel symbols by that
     * reference symbol; without it {@code perf report} cannot name kernel frames and warns that "Kernel address maps
     * (/proc/{kallsyms,modules}) were restricted".
     *
     * @return whether it was written: false when {@code /proc/kallsyms} shows every address as 0
     *     ({@code kernel.kptr_restrict}, or a reader without CAP_SYSLOG), as perf record also fails then
     * @throws PerfEventException if {@code /proc/kallsyms} is absent (ENOENT) or not readable (EACCES)
     * @throws IllegalStateException if the writer is closed
     * @throws IOException if reading it fails otherwise or the file cannot be written
     */
    public boolean synthesizeKernel() throws IOException {
        requireOpen();
        long[] text;
        try (BufferedReader kallsyms = Files.newBufferedReader(Path.of("/proc/kallsyms"), StandardCharsets.ISO_8859_1)) {
            text = kernelText(kallsyms);
        } catch (NoSuchFileException e) {
            throw CountingAccess.counting().failure(Errno.ENOENT, "read /proc/kallsyms",
                    "this kernel has no kallsyms (CONFIG_KALLSYMS)");
        } catch (AccessDeniedException e) {
            throw CountingAccess.counting().failure(Errno.EACCES, "read /proc/kallsyms", "it is not readable");
        }
        if (text == null) {
            return false;
        }
        MemorySegment record = Records.kernelMmap(text[0], text[1] - text[0], trailerFormat);
        append(record, 0, (int) record.byteSize());
        return true;
    }

    /**
     * {@code _text} and {@code _etext} of {@code kallsyms} ({@code address type name [module]} per line), or null
     * when the addresses are hidden (shown as 0) or absent.
     */
    static long[] kernelText(BufferedReader kallsyms) throws IOException {
        long text = 0;
        long etext = 0;
        for (String line = kallsyms.readLine(); line != null; line = kallsyms.readLine()) {
            if (line.endsWith(" _text")) {
                text = Long.parseUnsignedLong(line.substring(0, line.indexOf(' ')), 16);
            } else if (line.endsWith(" _etext")) {
                etext = Long.parseUnsignedLong(line.substring(0, line.indexOf(' ')), 16);
            }
        }
        return text == 0 || Long.compareUnsigned(etext, text) <= 0 ? null : new long[] {text, etext};
    }

    /**
     * Writes {@code text}, a JIT's perf map (a JVM's {@code Compiler.perfmap}, one {@code START SIZE name} line per
     * piece of code, hexadecimal), to {@code /tmp/perf-<pid>.map}, where {@code perf report} and
     * {@code perf script} look for the symbols of {@code pid}'s anonymous executable mappings when they read the
     * file — so it must stay there beside the perf.data (perf also ignores it unless it belongs to the user running
     * perf or root). The file is replaced atomically.
     *
     * @param pid the process whose map it is
     * @param text the map
     * @return the path written, which {@link #perfMaps()} lists too
     * @throws IllegalArgumentException if {@code pid} is not positive or a line is not {@code START SIZE name}
     * @throws IllegalStateException if the writer is closed
     * @throws IOException if the file cannot be written
     */
    public Path writePerfMap(int pid, CharSequence text) throws IOException {
        requireOpen();
        Objects.requireNonNull(text, "text");
        if (pid <= 0) {
            throw new IllegalArgumentException("a pid is positive; got " + pid);
        }
        String[] lines = text.toString().split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].isEmpty() && !PERF_MAP_LINE.matcher(lines[i]).matches()) {
                throw new IllegalArgumentException("line " + (i + 1) + " of the perf map is not \"START SIZE name\" "
                        + "in hexadecimal: \"" + lines[i] + "\"");
            }
        }
        Path target = Path.of("/tmp", "perf-" + pid + ".map");
        Path temporary = Files.createTempFile(target.getParent(), "perf-" + pid + "-", ".map.tmp");
        try {
            Files.writeString(temporary, text);
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
        if (!perfMaps.contains(target)) {
            perfMaps.add(target);
        }
        return target;
    }

    /** {@return the perf maps {@link #writePerfMap} wrote, which perf needs beside the file} */
    public List<Path> perfMaps() {
        return List.copyOf(perfMaps);
    }

    /** {@return the file} */
    public Path path() {
        return path;
    }

    /** {@return the records written to the data section so far, synthesized ones and round markers included} */
    public long records() {
        return records;
    }

    /** {@return the {@code PERF_RECORD_SAMPLE}s among them} */
    public long samples() {
        return samples;
    }

    /** {@return the bytes of the data section so far} */
    public long dataSize() {
        return dataSize;
    }

    /**
     * Completes the file: the data still buffered, the feature sections right after the data, the ids and attrs,
     * then the header. Closing again does nothing; the file stays even if completing it fails.
     *
     * @throws IOException if the file cannot be written
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (channel) {
            flush();
            long dataEnd = HEADER_SIZE + dataSize;
            byte[][] features = {
                Features.string(metadata.hostname()),
                Features.string(metadata.osRelease()),
                Features.string(metadata.arch()),
                Features.nrCpus(metadata.cpusAvailable(), metadata.cpusOnline()),
                Features.stringList(metadata.cmdline()),
                Features.eventDescription(attrs, names, ids, attrSize),
            };
            ByteBuffer table = little(16 * features.length);
            long at = dataEnd + table.capacity();
            for (byte[] feature : features) {
                table.putLong(at).putLong(feature.length);
                at += feature.length;
            }
            writeAt(table.flip(), dataEnd);
            long position = dataEnd + table.capacity();
            for (byte[] feature : features) {
                writeAt(ByteBuffer.wrap(feature), position);
                position += feature.length;
            }
            long[] idOffsets = new long[attrs.length];
            for (int i = 0; i < attrs.length; i++) {
                long[] eventIds = ids.get(i);
                ByteBuffer b = little(Long.BYTES * eventIds.length);
                for (long id : eventIds) {
                    b.putLong(id);
                }
                idOffsets[i] = position;
                writeAt(b.flip(), position);
                position += b.capacity();
            }
            long attrsOffset = position;
            ByteBuffer attrSection = little((attrSize + 16) * attrs.length);
            for (int i = 0; i < attrs.length; i++) {
                attrSection.put(attrs[i].asSlice(0, attrSize).toArray(ValueLayout.JAVA_BYTE));
                attrSection.putLong(idOffsets[i]).putLong(Long.BYTES * (long) ids.get(i).length);
            }
            writeAt(attrSection.flip(), attrsOffset);
            ByteBuffer header = little(HEADER_SIZE);
            header.putLong(MAGIC).putLong(HEADER_SIZE).putLong(attrSize + 16L)
                    .putLong(attrsOffset).putLong(attrSection.capacity())
                    .putLong(HEADER_SIZE).putLong(dataSize)
                    .putLong(0).putLong(0)
                    .putLong(1L << HEADER_HOSTNAME | 1L << HEADER_OSRELEASE | 1L << HEADER_ARCH | 1L << HEADER_NRCPUS
                            | 1L << HEADER_CMDLINE | 1L << HEADER_EVENT_DESC);
            writeAt(header.position(HEADER_SIZE).flip(), 0);
        }
    }

    /** {@return a description such as {@code PerfDataWriter[perf.data, 2 events, 1234 records]}} */
    @Override
    public String toString() {
        return "PerfDataWriter[" + path + ", " + attrs.length + (attrs.length == 1 ? " event, " : " events, ")
                + records + " records" + (closed ? ", closed]" : "]");
    }

    private void append(MemorySegment source, long offset, int size) throws IOException {
        if (out.remaining() < size) {
            flush();
        }
        MemorySegment.copy(source, offset, outSegment, out.position(), size);
        out.position(out.position() + size);
        dataSize += size;
        records++;
        if (source.get(JAVA_INT_UNALIGNED, offset) == RECORD_SAMPLE) {
            samples++;
        }
    }

    private void flush() throws IOException {
        out.flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
        out.clear();
    }

    private void writeAt(ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    private static ByteBuffer little(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the perf.data writer of " + path + " is closed");
        }
    }

    /** More than one id means several fds, possibly several buffers: perf orders their records only by time. */
    private static void requireOrderable(MemorySegment[] attrs, String[] names) {
        for (int i = 0; i < attrs.length; i++) {
            SampleFormat format = SampleFormat.of(attrs[i]);
            if (!format.has(SampleField.TIME) || !format.sampleIdAll()) {
                throw new IllegalArgumentException("event " + names[i] + " has several fds but its records carry no "
                        + "time (" + (format.has(SampleField.TIME) ? "sample_id_all" : "SampleField.TIME")
                        + " is missing): perf orders the records of several ring buffers only by their time");
            }
        }
    }

    /** perf's {@code evlist__valid_sample_type} and {@code evlist__valid_sample_id_all}. */
    private static void requireIdsAtOnePlace(MemorySegment[] attrs, String[] names) {
        if (attrs.length == 1) {
            return;
        }
        long first = perf_event_attr.sample_type(attrs[0]);
        long firstIdAll = perf_event_attr_bits.sample_id_all(attrs[0]);
        for (int i = 0; i < attrs.length; i++) {
            long type = perf_event_attr.sample_type(attrs[i]);
            if (idPosition(type) < 0) {
                throw new IllegalArgumentException("event " + names[i] + " has neither IDENTIFIER nor ID in its "
                        + "sample: with several events perf finds a record's event only by its id");
            }
            if (idPosition(type) != idPosition(first) || trailerIdPosition(type) != trailerIdPosition(first)) {
                throw new IllegalArgumentException("events " + names[0] + " and " + names[i] + " have their id at "
                        + "different places (perf: \"non matching sample_type\"); use SampleField.IDENTIFIER on "
                        + "every event");
            }
            if (perf_event_attr_bits.sample_id_all(attrs[i]) != firstIdAll) {
                throw new IllegalArgumentException("events " + names[0] + " and " + names[i] + " differ in "
                        + "sample_id_all, which perf needs the same on every event");
            }
        }
    }

    /** The u64 index of the id in a sample ({@code __evsel__calc_id_pos}); -1 without one. */
    static int idPosition(long sampleType) {
        if ((sampleType & SampleField.IDENTIFIER.bit()) != 0) {
            return 0;
        }
        if ((sampleType & SampleField.ID.bit()) == 0) {
            return -1;
        }
        return Long.bitCount(sampleType & (SampleField.IP.bit() | SampleField.TID.bit() | SampleField.TIME.bit()
                | SampleField.ADDR.bit()));
    }

    /** The u64 index of the id from the end of a sample_id ({@code __evsel__calc_is_pos}); -1 without one. */
    static int trailerIdPosition(long sampleType) {
        if ((sampleType & SampleField.IDENTIFIER.bit()) != 0) {
            return 1;
        }
        if ((sampleType & SampleField.ID.bit()) == 0) {
            return -1;
        }
        return 1 + Long.bitCount(sampleType & (SampleField.CPU.bit() | SampleField.STREAM_ID.bit()));
    }

    /** A copy of {@code attr} on 8-aligned memory, with {@code exclude_guest} set as perf record sets it. */
    private static MemorySegment copyForPerf(MemorySegment attr) {
        long size = (attr.byteSize() + 7) & ~7L;
        MemorySegment copy = MemorySegment.ofArray(new long[(int) (Math.max(size, perf_event_attr.sizeof()) / 8)]);
        MemorySegment.copy(attr, 0, copy, 0, attr.byteSize());
        if (perf_event_attr_bits.exclude_host(copy) == 0) {
            perf_event_attr_bits.exclude_guest(copy, 1);
        }
        return copy;
    }

    /**
     * The smallest {@code PERF_ATTR_SIZE_VER*} (or multiple of 8 beyond) holding every non-zero byte; the
     * {@code size} field itself lies in the first version's 64 bytes.
     */
    static int sizeForPerf(MemorySegment attr) {
        long used = 0;
        for (long i = attr.byteSize() - 1; i >= 0; i--) {
            if (attr.get(ValueLayout.JAVA_BYTE, i) != 0) {
                used = i + 1;
                break;
            }
        }
        for (int size : ATTR_SIZES) {
            if (size >= used) {
                return size;
            }
        }
        return (int) ((used + 7) & ~7L);
    }

    /**
     * Throws the {@link PerfEventException} of a {@code /proc} access refused with ENOENT or EACCES (the errno the
     * JDK's exception type stands for); returns any other exception for the caller to throw as it is.
     */
    private static IOException procFailure(int pid, String file, IOException e) {
        String call = "read /proc/" + pid + "/" + file;
        switch (e) {
            case NoSuchFileException x -> throw CountingAccess.counting().failure(Errno.ENOENT, call,
                    "there is no process " + pid + " (it has exited, or never existed)");
            case AccessDeniedException x -> throw CountingAccess.counting().failure(Errno.EACCES, call,
                    "process " + pid + " belongs to another user: reading its maps needs the right to trace it "
                            + "(the same uid, or CAP_SYS_PTRACE)");
            default -> {
                return e;
            }
        }
    }

    /** The first line of a file of /proc or sysfs, read with a reader (JDK 25 can truncate some in one read). */
    private static String systemFile(String file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            String line = reader.readLine();
            return line == null ? "" : line.strip();
        } catch (NoSuchFileException e) {
            throw CountingAccess.counting().failure(Errno.ENOENT, "read " + file, "this kernel does not have it");
        } catch (AccessDeniedException e) {
            throw CountingAccess.counting().failure(Errno.EACCES, "read " + file, "it is not readable by this user");
        }
    }

    static void requireName(String text, String what) {
        requireText(text, what);
        if (text.isEmpty()) {
            throw new IllegalArgumentException("the " + what + " is empty");
        }
    }

    static void requireText(String text, String what) {
        Objects.requireNonNull(text, what);
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("the " + what + " holds a NUL, which would end it early in the file: \""
                    + text.replace("\0", "\\0") + "\"");
        }
    }
}
