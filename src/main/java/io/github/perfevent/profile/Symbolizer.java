/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile;

import io.github.perfevent.PerfEventException;
import io.github.perfevent.internal.elf.ElfSymbols;
import io.github.perfevent.internal.elf.FunctionTable;
import io.github.perfevent.sampling.CallchainContext;
import io.github.perfevent.sampling.PerfRecord;
import io.github.perfevent.sampling.RecordCursor;
import io.github.perfevent.sampling.RecordType;
import io.github.perfevent.sampling.SampleField;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Names the addresses of samples: follows the processes of a record stream through their side-band records and
 * turns {@code (pid, ip)} and callchains into {@link Frame}s.
 *
 * <p><b>Processes</b> (perf_event_open(2), "MMAP layout"): {@code PERF_RECORD_MMAP2} and {@code PERF_RECORD_MMAP}
 * say which file a process mapped where (ask for them with {@code SideBand.MMAP}); a new mapping replaces what it
 * overlaps, as {@code mmap} does. {@code PERF_RECORD_FORK} of a new process copies its parent's mappings,
 * {@code PERF_RECORD_COMM} with the exec flag ({@code SideBand.COMM_EXEC}) forgets the mappings of the image the exec
 * replaced, and {@code PERF_RECORD_EXIT} marks a process ended: its mappings stay until memory is needed, so the
 * samples of an ended process can still be named after the stream is read. The kernel writes records only for
 * mappings made while the event is enabled: for a process that was running before, call {@link #loadProcess(int)},
 * which reads {@code /proc/<pid>/maps} (proc(5)).
 *
 * <p><b>Native frames</b>: an address {@code ip} in a mapping of a file at {@code start} from file offset
 * {@code pgoff} lies at file offset {@code ip - start + pgoff} (so the load bias of PIE executables and shared
 * libraries does not matter), looked up in the file's function table: {@code STT_FUNC} and {@code STT_GNU_IFUNC}
 * symbols of {@code .symtab}, else {@code .dynsym} (elf(5)). An address in no function (a stripped file, padding, code
 * without a symbol) is {@value Frame#UNKNOWN_NAME} in its module. A file that cannot be read, is not ELF, or was
 * replaced after it was mapped (its inode is not the one of the MMAP2 record) names nothing either. Files are read
 * when a frame first needs them, and their tables cached by path, inode, size and modification time, within
 * {@link #MAX_CACHED_BYTES}: the least recently used are dropped beyond it.
 *
 * <p><b>Kernel frames</b> are named from {@code /proc/kallsyms}, read once, when the first kernel frame is resolved.
 * Unprivileged (without {@code CAP_SYSLOG}, see {@code kptr_restrict} in proc(5)) every address there reads 0: kernel
 * frames are then {@value Frame#KERNEL_NAME}.
 *
 * <p><b>JIT frames</b>: code generated at run time lives in anonymous executable mappings (MMAP2 filename
 * {@code //anon}, or no path in {@code /proc/<pid>/maps}); a perf map given with {@link #usePerfMap(int, Path)}
 * names it, as {@code perf report} reads {@code /tmp/perf-<pid>.map}. An address in no file mapping is looked up in
 * the perf map too, so JIT frames are named even without the mapping records.
 *
 * <p>Nothing that comes from the kernel makes it throw: an unknown process, an address in no mapping, a record
 * about a process it has forgotten all give honestly labelled frames. Memory is bounded: at most
 * {@link #MAX_PROCESSES} processes (the least recently used forgotten beyond), {@link #MAX_MAPPINGS} mappings per
 * process (the oldest dropped: the kernel reports no {@code munmap}), function tables within
 * {@link #MAX_CACHED_BYTES}. Every method is thread-safe (synchronized).
 */
public final class Symbolizer {

    /** The most processes followed at once; beyond it the least recently used is forgotten. */
    public static final int MAX_PROCESSES = 4096;
    /** The most mappings kept for one process; beyond it the oldest is dropped. */
    public static final int MAX_MAPPINGS = 1 << 16;
    /** The heap the cached function tables of ELF files may take, about: 256 MiB. */
    public static final long MAX_CACHED_BYTES = 256L << 20;

    /** Bounds on the text files read: perf maps and /proc/kallsyms 256 MiB, /proc/pid/maps 64 MiB. */
    private static final long MAX_MAP_FILE_BYTES = 256L << 20;
    private static final long MAX_PROC_MAPS_BYTES = 64L << 20;
    private static final String KERNEL_MODULE = "[kernel.kallsyms]";
    private static final Frame UNKNOWN = new Frame(Frame.UNKNOWN_NAME, Frame.UNKNOWN_NAME, Frame.Kind.UNKNOWN);
    private static final Frame KERNEL = new Frame(Frame.KERNEL_NAME, KERNEL_MODULE, Frame.Kind.KERNEL);

    private final Map<Integer, Process> processes = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Process> eldest) {
            return size() > MAX_PROCESSES;
        }
    };
    private final Map<ModuleKey, Module> modules = new LinkedHashMap<>(16, 0.75f, true);
    private final Path kallsyms;
    private long cachedBytes;
    private Kernel kernel;

    /** A symbolizer that knows no process yet. */
    public Symbolizer() {
        this(Path.of("/proc/kallsyms"));
    }

    /** A symbolizer that reads the kernel's symbols from {@code kallsyms}: a test gives it a copy. */
    Symbolizer(Path kallsyms) {
        this.kallsyms = kallsyms;
    }

    /**
     * Follows one record of a stream: MMAP, MMAP2, COMM, FORK and EXIT change what it knows of processes; every other
     * record (samples included) is ignored.
     *
     * @param record a record, in the stream's (time) order
     * @throws NullPointerException if {@code record} is null
     */
    public synchronized void accept(PerfRecord record) {
        Objects.requireNonNull(record, "record");
        switch (record) {
            case PerfRecord.Mmap2 m -> map(m.pid(), m.addr(), m.len(), m.pgoff(), m.filename(),
                    m.hasBuildId() ? 0 : m.ino());
            case PerfRecord.Mmap m -> map(m.pid(), m.addr(), m.len(), m.pgoff(), m.filename(), 0);
            case PerfRecord.Comm c -> {
                Process p = process(c.pid(), true);
                p.name = c.comm();
                if (c.exec()) {
                    p.clear();
                }
            }
            case PerfRecord.Fork f -> {
                if (f.pid() != f.ppid()) {
                    Process parent = processes.get(f.ppid());
                    Process child = new Process();
                    if (parent != null) {
                        child.copyOf(parent);
                    }
                    processes.put(f.pid(), child);
                }
            }
            case PerfRecord.Exit e -> {
                Process p = processes.get(e.pid());
                if (p != null && e.pid() == e.tid()) {
                    p.exited = true;
                }
            }
            default -> {
            }
        }
    }

    /**
     * {@link #accept(PerfRecord)} for the record under {@code cursor}: a sample or any other record it ignores costs a
     * type check and allocates nothing; the side-band records it follows are decoded as records.
     *
     * @param cursor a cursor on a record
     * @throws NullPointerException if {@code cursor} is null
     */
    public void accept(RecordCursor cursor) {
        Objects.requireNonNull(cursor, "cursor");
        RecordType type = cursor.recordType();
        if (type == RecordType.MMAP2 || type == RecordType.MMAP || type == RecordType.COMM
                || type == RecordType.FORK || type == RecordType.EXIT) {
            accept(cursor.toRecord());
        }
    }

    /**
     * Reads the executable mappings of running process {@code pid} from {@code /proc/<pid>/maps} (proc(5): {@code
     * start-end perms offset dev inode pathname}), and its name from {@code /proc/<pid>/comm}, replacing what was
     * known of it: for a process that was running before the sampler was opened, whose existing mappings no record
     * reports.
     *
     * @param pid the process
     * @throws PerfEventException with the errno of the failed open or read (ENOENT when there is no such process,
     *     EACCES when its maps are not readable by this user)
     */
    public synchronized void loadProcess(int pid) {
        byte[] maps = TextFile.read(Path.of("/proc/" + pid + "/maps"), MAX_PROC_MAPS_BYTES,
                "read the mappings of process " + pid);
        Process p = new Process();
        for (String line : new String(maps, StandardCharsets.UTF_8).split("\n")) {
            String[] fields = line.strip().split("\\s+", 6);
            if (fields.length < 5 || fields[1].indexOf('x') < 0) {
                continue;
            }
            int dash = fields[0].indexOf('-');
            try {
                long start = Long.parseUnsignedLong(fields[0].substring(0, dash), 16);
                long end = Long.parseUnsignedLong(fields[0].substring(dash + 1), 16);
                long offset = Long.parseUnsignedLong(fields[2], 16);
                long inode = Long.parseLong(fields[4]);
                String path = fields.length == 6 ? fields[5] : "//anon";
                p.map(new Mapping(start, end, offset, path, inode));
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                // not a line proc(5) describes: skipped
            }
        }
        try {
            p.name = new String(TextFile.read(Path.of("/proc/" + pid + "/comm"), 4096, "read the name of " + pid),
                    StandardCharsets.UTF_8).strip();
        } catch (PerfEventException e) {
            // it ended meanwhile: the mappings read are still right
        }
        Process known = processes.get(pid);
        if (known != null) {
            p.perfMap = known.perfMap;
        }
        processes.put(pid, p);
    }

    /**
     * Names the JIT code of process {@code pid} from a perf map file: lines {@code START SIZE name}, START and SIZE in
     * hexadecimal (perf's {@code tools/perf/Documentation/jit-interface.txt}), as HotSpot writes with
     * {@code jcmd <pid> Compiler.perfmap} or {@code -XX:+DumpPerfMapAtExit}. The file is read now: a map written
     * later needs another call. An entry named {@code Interpreter} is the interpreter's code
     * ({@link Frame.Kind#INTERPRETER}).
     *
     * @param pid the process the map describes
     * @param mapFile the map, usually {@code /tmp/perf-<pid>.map}
     * @throws PerfEventException with the errno of the failed open or read (ENOENT when it does not exist)
     * @throws IllegalArgumentException when the file has more than 256 MiB or 4,194,304 entries
     * @throws NullPointerException if {@code mapFile} is null
     */
    public synchronized void usePerfMap(int pid, Path mapFile) {
        Objects.requireNonNull(mapFile, "mapFile");
        AddressNames names = AddressNames.perfMap(TextFile.read(mapFile, MAX_MAP_FILE_BYTES,
                "read the perf map " + mapFile));
        process(pid, false).perfMap = new PerfMap(mapFile.toString(), names);
    }

    /**
     * {@return the name of process {@code pid} (its last COMM record, or {@code /proc/<pid>/comm} when loaded), or
     * null when unknown}
     *
     * @param pid a process
     */
    public synchronized String processName(int pid) {
        Process p = processes.get(pid);
        return p == null ? null : p.name;
    }

    /**
     * {@return the frame of the code at {@code ip} in process {@code pid}: a kernel address (top bit set, the upper
     * half of the address space on x86_64 and aarch64) through the kernel's symbols, any other through the process's
     * mappings}
     *
     * @param pid the process
     * @param ip the address
     */
    public synchronized Frame frame(int pid, long ip) {
        return ip < 0 ? kernelFrame(ip) : userFrame(pid, ip);
    }

    /**
     * The frames of a callchain as {@code PERF_SAMPLE_CALLCHAIN} writes it: addresses, the first the sampled one and
     * the others return addresses, and {@code PERF_CONTEXT_*} markers ({@link RecordCursor#isContextMarker}) saying
     * whether the addresses after them are kernel or user ones. A return address is resolved one byte back, inside
     * the call instruction, so a call that ends a function is not named after the next one. Entries before any
     * marker are taken by their address, as {@link #frame} does; guest and hypervisor entries are
     * {@link Frame.Kind#UNKNOWN}; the cookie after a {@code PERF_CONTEXT_USER_DEFERRED} marker is skipped.
     *
     * @param pid the sampled process
     * @param callchain the callchain, markers included
     * @return the frames, innermost first
     * @throws NullPointerException if {@code callchain} is null
     */
    public synchronized List<Frame> callchain(int pid, long[] callchain) {
        Objects.requireNonNull(callchain, "callchain");
        Resolution r = new Resolution(pid, callchain.length);
        for (long entry : callchain) {
            r.add(entry);
        }
        return r.frames;
    }

    /**
     * {@return the stack of {@code sample}: its callchain's frames ({@link #callchain}), or the frame of its IP alone
     * when its callchain has no address (or it has none), or nothing when it has neither}
     *
     * @param sample a sample with TID (the pid is its process) and CALLCHAIN or IP
     * @throws NullPointerException if {@code sample} is null
     */
    public synchronized List<Frame> stack(PerfRecord.Sample sample) {
        Objects.requireNonNull(sample, "sample");
        int pid = sample.sampleId().pid();
        List<Frame> frames = sample.has(SampleField.CALLCHAIN) ? callchain(pid, sample.callchain()) : List.of();
        return frames.isEmpty() && sample.has(SampleField.IP) ? List.of(frame(pid, sample.ip())) : frames;
    }

    /**
     * {@return the stack of the sample under {@code cursor}, read in place: as {@link #stack(PerfRecord.Sample)}}
     *
     * @param cursor a cursor on a sample
     * @throws IllegalStateException if the record is not a sample
     * @throws NullPointerException if {@code cursor} is null
     */
    public synchronized List<Frame> stack(RecordCursor cursor) {
        Objects.requireNonNull(cursor, "cursor");
        if (cursor.recordType() != RecordType.SAMPLE) {
            throw new IllegalStateException("the cursor is on a " + cursor.recordType() + " record, not a sample");
        }
        int pid = cursor.has(SampleField.TID) ? cursor.pid() : -1;
        List<Frame> frames = List.of();
        if (cursor.has(SampleField.CALLCHAIN)) {
            int length = cursor.callchainLength();
            Resolution r = new Resolution(pid, length);
            for (int i = 0; i < length; i++) {
                r.add(cursor.callchain(i));
            }
            frames = r.frames;
        }
        return frames.isEmpty() && cursor.has(SampleField.IP) ? List.of(frame(pid, cursor.ip())) : frames;
    }

    /** The walk of one callchain: the context so far, and whether the next address is the sampled one. */
    private final class Resolution {
        final int pid;
        final List<Frame> frames;
        CallchainContext context;
        boolean first = true;
        boolean skipCookie;

        Resolution(int pid, int capacity) {
            this.pid = pid;
            this.frames = new ArrayList<>(capacity);
        }

        void add(long entry) {
            if (skipCookie) {
                skipCookie = false;
                return;
            }
            if (RecordCursor.isContextMarker(entry)) {
                context = CallchainContext.of(entry);
                skipCookie = context == CallchainContext.USER_DEFERRED;
                return;
            }
            long ip = first ? entry : entry - 1;
            first = false;
            Frame frame;
            if (context == null) {
                frame = frame(pid, ip);
            } else {
                frame = switch (context) {
                    case KERNEL -> kernelFrame(ip);
                    case USER -> userFrame(pid, ip);
                    default -> UNKNOWN;
                };
            }
            frames.add(frame);
        }
    }

    // ---- processes

    /** Follows a mapping record; one of no bytes, or that wraps past the top of the address space, is ignored. */
    private void map(int pid, long start, long length, long pgoff, String filename, long inode) {
        if (Long.compareUnsigned(start + length, start) <= 0) {
            return;
        }
        process(pid, true).map(new Mapping(start, start + length, pgoff, filename, inode));
    }

    /** The process {@code pid}; a new one when unknown, or when {@code replaceExited} and the known one exited. */
    private Process process(int pid, boolean replaceExited) {
        Process p = processes.get(pid);
        if (p == null || replaceExited && p.exited) {
            p = new Process();
            processes.put(pid, p);
        }
        return p;
    }

    private Frame userFrame(int pid, long ip) {
        Process p = processes.get(pid);
        if (p == null) {
            return UNKNOWN;
        }
        Mapping m = p.mappingOf(ip);
        if (m == null || m.anonymous()) {
            Frame jit = p.perfMap == null ? null : p.perfMap.frame(ip);
            if (jit != null) {
                return jit;
            }
            return m == null ? UNKNOWN : m.unknown;
        }
        Module module = module(m);
        if (module == null) {
            return m.unknown;
        }
        int index = module.functions.indexOf(ip - m.start + m.pgoff);
        return index < 0 ? m.unknown : module.frame(index, m.path);
    }

    /**
     * The cached function table of the file of {@code m}, read when first needed; null when it cannot be read, is
     * not ELF, or is not the file that was mapped.
     */
    private Module module(Mapping m) {
        if (m.key == null) {
            m.key = ModuleKey.of(m.path, m.inode);
        }
        if (m.key == ModuleKey.UNREADABLE) {
            return null;
        }
        Module module = modules.get(m.key);
        if (module == null) {
            FunctionTable functions;
            try {
                functions = ElfSymbols.functions(Path.of(m.path));
            } catch (PerfEventException | IllegalArgumentException e) {
                functions = null;
            }
            module = new Module(functions);
            modules.put(m.key, module);
            cachedBytes += module.bytes();
            Iterator<Module> eldest = modules.values().iterator();
            while (cachedBytes > MAX_CACHED_BYTES && modules.size() > 1) {
                cachedBytes -= eldest.next().bytes();
                eldest.remove();
            }
        }
        return module.functions == null ? null : module;
    }

    private Frame kernelFrame(long ip) {
        if (kernel == null) {
            kernel = Kernel.read(kallsyms);
        }
        return kernel.frame(ip);
    }

    /** What is known of one process: its mappings by start address, its name, its perf map. */
    private static final class Process {
        final NavigableMap<Long, Mapping> mappings = new TreeMap<>(Long::compareUnsigned);
        final ArrayDeque<Mapping> byAge = new ArrayDeque<>();
        String name;
        PerfMap perfMap;
        boolean exited;

        void clear() {
            mappings.clear();
            byAge.clear();
        }

        void copyOf(Process parent) {
            mappings.putAll(parent.mappings);
            byAge.addAll(parent.byAge);
            name = parent.name;
            perfMap = parent.perfMap;
        }

        /** Adds {@code m}, cutting what it overlaps out of the mappings there, as {@code mmap(MAP_FIXED)} does. */
        void map(Mapping m) {
            Map.Entry<Long, Mapping> before = mappings.lowerEntry(m.start);
            if (before != null && Long.compareUnsigned(before.getValue().end, m.start) > 0) {
                Mapping old = before.getValue();
                insert(old.cut(old.start, m.start));
                if (Long.compareUnsigned(old.end, m.end) > 0) {
                    insert(old.cut(m.end, old.end));
                }
            }
            for (Iterator<Mapping> it = mappings.tailMap(m.start, true).values().iterator(); it.hasNext();) {
                Mapping old = it.next();
                if (Long.compareUnsigned(old.start, m.end) >= 0) {
                    break;
                }
                it.remove();
                if (Long.compareUnsigned(old.end, m.end) > 0) {
                    insert(old.cut(m.end, old.end));
                    break;
                }
            }
            insert(m);
        }

        private void insert(Mapping m) {
            mappings.put(m.start, m);
            byAge.addLast(m);
            while (mappings.size() > MAX_MAPPINGS) {
                Mapping oldest = byAge.pollFirst();
                if (mappings.get(oldest.start) == oldest) {
                    mappings.remove(oldest.start);
                }
            }
            if (byAge.size() > 2 * MAX_MAPPINGS) {
                byAge.removeIf(old -> mappings.get(old.start) != old);
            }
        }

        Mapping mappingOf(long ip) {
            Map.Entry<Long, Mapping> e = mappings.floorEntry(ip);
            return e != null && Long.compareUnsigned(ip, e.getValue().end) < 0 ? e.getValue() : null;
        }
    }

    /** A mapping: {@code [start, end)} maps {@code path} from file offset {@code pgoff}. */
    private static final class Mapping {
        final long start;
        final long end;
        final long pgoff;
        final String path;
        final long inode;
        final Frame unknown;
        ModuleKey key;

        Mapping(long start, long end, long pgoff, String path, long inode) {
            this.start = start;
            this.end = end;
            this.pgoff = pgoff;
            this.path = path;
            this.inode = inode;
            this.unknown = new Frame(Frame.UNKNOWN_NAME, path,
                    anonymous(path) ? Frame.Kind.UNKNOWN : Frame.Kind.NATIVE);
        }

        /** {@code [from, to)} of this mapping, which must lie in it. */
        Mapping cut(long from, long to) {
            Mapping part = new Mapping(from, to, pgoff + (from - start), path, inode);
            part.key = key;
            return part;
        }

        boolean anonymous() {
            return anonymous(path);
        }

        /**
         * Whether {@code path} names no file: empty, {@code //anon} (an MMAP2 of anonymous memory), or a pseudo path
         * in brackets ({@code [vdso]}, {@code [anon:name]}, {@code [heap]}) — anything not absolute.
         */
        static boolean anonymous(String path) {
            return !path.startsWith("/") || path.startsWith("//anon") || path.startsWith("/memfd:")
                    || path.startsWith("/dev/zero");
        }
    }

    /** Which file a cached table is of: its path, inode, size and modification time when it was first read. */
    private record ModuleKey(String path, long inode, long size, FileTime modified) {

        static final ModuleKey UNREADABLE = new ModuleKey("", -1, -1, FileTime.fromMillis(0));

        /** The key of {@code path} now; UNREADABLE when it is gone or is not the inode {@code mappedInode} (not 0). */
        static ModuleKey of(String path, long mappedInode) {
            try {
                Map<String, Object> attributes = Files.readAttributes(Path.of(path), "unix:ino,size,lastModifiedTime");
                long inode = (Long) attributes.get("ino");
                if (mappedInode != 0 && inode != mappedInode) {
                    return UNREADABLE;
                }
                return new ModuleKey(path, inode, (Long) attributes.get("size"),
                        (FileTime) attributes.get("lastModifiedTime"));
            } catch (java.io.IOException | RuntimeException e) {
                return UNREADABLE;
            }
        }
    }

    /** The function table of one file (null when unreadable), and the frames made of it so far. */
    private static final class Module {
        final FunctionTable functions;
        final Map<Integer, Frame> frames = new HashMap<>();

        Module(FunctionTable functions) {
            this.functions = functions;
        }

        Frame frame(int index, String path) {
            return frames.computeIfAbsent(index, i -> new Frame(functions.name(i), path, Frame.Kind.NATIVE));
        }

        long bytes() {
            return functions == null ? 64 : functions.estimatedBytes();
        }
    }

    /** A perf map of one process and the frames made of it so far. */
    private record PerfMap(String file, AddressNames names, Map<Integer, Frame> frames) {

        PerfMap(String file, AddressNames names) {
            this(file, names, new HashMap<>());
        }

        Frame frame(long ip) {
            int index = names.indexOf(ip);
            if (index < 0) {
                return null;
            }
            return frames.computeIfAbsent(index, i -> new Frame(names.name(i), file,
                    names.name(i).equals("Interpreter") ? Frame.Kind.INTERPRETER : Frame.Kind.JIT));
        }
    }

    /** The kernel's text symbols from /proc/kallsyms, or none when they are hidden or unreadable. */
    private record Kernel(AddressNames symbols, Map<Integer, Frame> frames) {

        static Kernel read(Path kallsyms) {
            AddressNames symbols;
            try {
                symbols = AddressNames.kallsyms(TextFile.read(kallsyms, MAX_MAP_FILE_BYTES, "read " + kallsyms));
            } catch (PerfEventException | IllegalArgumentException e) {
                symbols = null;
            }
            return new Kernel(symbols, new HashMap<>());
        }

        Frame frame(long ip) {
            int index = symbols == null ? -1 : symbols.indexOf(ip);
            if (index < 0) {
                return KERNEL;
            }
            return frames.computeIfAbsent(index, i -> new Frame(symbols.name(i),
                    symbols.module(i) == null ? KERNEL_MODULE : symbols.module(i), Frame.Kind.KERNEL));
        }
    }
}
