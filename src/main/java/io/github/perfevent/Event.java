/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import static io.github.perfevent.sys.bindings.perf_event_h.*;

import io.github.perfevent.internal.elf.ElfSymbols;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What to count: the {@code type}, {@code config}, {@code config1..4} and breakpoint fields of a
 * {@code struct perf_event_attr} (perf_event_open(2), "Arguments"), with the name a {@code perf} user knows it by.
 *
 * <p>Events come from the constants of {@link Hardware} and {@link Software}, from the factories below
 * ({@link #cache}, {@link #raw}, {@link #tracepoint}, {@link #breakpoint}, {@link #uprobe}, {@link #pmu}, {@link #of}),
 * or by name with {@link #parse}, which takes what {@code perf stat -e} takes: {@code task-clock},
 * {@code cycles:u}, {@code L1-dcache-load-misses}, {@code sched:sched_switch}, {@code msr/tsc/},
 * {@code uprobe/config2=0x1139/}, {@code r1a8}, {@code mem:0x1000:rw}. Resolving a tracepoint or a PMU reads
 * tracefs or sysfs at that moment; a name that does not exist on this machine is refused there with an
 * {@link EventNameException} that suggests the nearest names, and a file of sysfs or tracefs that cannot be read
 * with a {@link PerfEventException} carrying the errno of the failed access (the package documentation states
 * the contract).
 *
 * <p>An event may carry <em>modifiers</em> ({@link #withModifiers}, or after a colon in a name) with perf's
 * meaning: {@code u}, {@code k}, {@code h} count only user, kernel, hypervisor (the ones not named are excluded);
 * {@code I} excludes idle; {@code G} guest only, {@code H} host only; {@code p} (up to three times, or {@code P})
 * raises {@code precise_ip}; {@code D} pins the event, {@code e} makes it exclusive. Modifiers override the same
 * fields of {@link Options}.
 *
 * <p>Immutable and thread-safe.
 */
public final class Event {

    /** The generic hardware events of {@code PERF_TYPE_HARDWARE}. None opens in a VM without a PMU (ENOENT). */
    public enum Hardware {
        /** {@code cpu-cycles} (alias {@code cycles}): {@code PERF_COUNT_HW_CPU_CYCLES}. */
        CPU_CYCLES("cpu-cycles", PERF_COUNT_HW_CPU_CYCLES(), "cycles"),
        /** {@code instructions}: retired instructions. */
        INSTRUCTIONS("instructions", PERF_COUNT_HW_INSTRUCTIONS()),
        /** {@code cache-references}: usually last-level cache accesses. */
        CACHE_REFERENCES("cache-references", PERF_COUNT_HW_CACHE_REFERENCES()),
        /** {@code cache-misses}: usually last-level cache misses. */
        CACHE_MISSES("cache-misses", PERF_COUNT_HW_CACHE_MISSES()),
        /** {@code branch-instructions} (alias {@code branches}): retired branches. */
        BRANCH_INSTRUCTIONS("branch-instructions", PERF_COUNT_HW_BRANCH_INSTRUCTIONS(), "branches"),
        /** {@code branch-misses}: mispredicted branches. */
        BRANCH_MISSES("branch-misses", PERF_COUNT_HW_BRANCH_MISSES()),
        /** {@code bus-cycles}. */
        BUS_CYCLES("bus-cycles", PERF_COUNT_HW_BUS_CYCLES()),
        /** {@code stalled-cycles-frontend} (alias {@code idle-cycles-frontend}). */
        STALLED_CYCLES_FRONTEND("stalled-cycles-frontend", PERF_COUNT_HW_STALLED_CYCLES_FRONTEND(),
                "idle-cycles-frontend"),
        /** {@code stalled-cycles-backend} (alias {@code idle-cycles-backend}). */
        STALLED_CYCLES_BACKEND("stalled-cycles-backend", PERF_COUNT_HW_STALLED_CYCLES_BACKEND(),
                "idle-cycles-backend"),
        /** {@code ref-cycles}: cycles at a constant reference rate, not scaled by frequency changes. */
        REF_CPU_CYCLES("ref-cycles", PERF_COUNT_HW_REF_CPU_CYCLES());

        private final String perfName;
        private final int config;
        private final String alias;

        Hardware(String perfName, int config) {
            this(perfName, config, null);
        }

        Hardware(String perfName, int config, String alias) {
            this.perfName = perfName;
            this.config = config;
            this.alias = alias;
        }

        /** {@return the name {@code perf} gives it, such as {@code cpu-cycles}} */
        public String perfName() {
            return perfName;
        }

        /** {@return perf's short alias ({@code cycles}, {@code branches}), or {@code null}} */
        public String alias() {
            return alias;
        }

        /** {@return the event, for {@link Counter#open}} */
        public Event event() {
            return new Event(perfName, PERF_TYPE_HARDWARE(), config);
        }
    }

    /** The software events of {@code PERF_TYPE_SOFTWARE}, counted by the kernel itself; all open in a VM. */
    public enum Software {
        /**
         * {@code cpu-clock}: a high-resolution per-CPU timer, in nanoseconds; on a CPU target it counts wall time, busy
         * or idle. Like {@code task-clock}, it ignores {@code exclude_user} and {@code exclude_kernel}.
         */
        CPU_CLOCK("cpu-clock", PERF_COUNT_SW_CPU_CLOCK()),
        /** {@code task-clock}: the time the task ran, in nanoseconds, user and kernel alike whatever the exclude bits. */
        TASK_CLOCK("task-clock", PERF_COUNT_SW_TASK_CLOCK()),
        /**
         * {@code page-faults} (alias {@code faults}): counted where the fault is taken, so {@code exclude_user} leaves
         * out faults in user mode and {@code exclude_kernel} those inside system calls.
         */
        PAGE_FAULTS("page-faults", PERF_COUNT_SW_PAGE_FAULTS(), "faults"),
        /** {@code context-switches} (alias {@code cs}); counted in the kernel, so 0 with {@code exclude_kernel}. */
        CONTEXT_SWITCHES("context-switches", PERF_COUNT_SW_CONTEXT_SWITCHES(), "cs"),
        /** {@code cpu-migrations} (alias {@code migrations}): moves to another CPU. */
        CPU_MIGRATIONS("cpu-migrations", PERF_COUNT_SW_CPU_MIGRATIONS(), "migrations"),
        /** {@code minor-faults}: page faults served without I/O. */
        PAGE_FAULTS_MIN("minor-faults", PERF_COUNT_SW_PAGE_FAULTS_MIN()),
        /** {@code major-faults}: page faults that needed I/O. */
        PAGE_FAULTS_MAJ("major-faults", PERF_COUNT_SW_PAGE_FAULTS_MAJ()),
        /** {@code alignment-faults}: unaligned accesses the kernel fixed up (never on x86). */
        ALIGNMENT_FAULTS("alignment-faults", PERF_COUNT_SW_ALIGNMENT_FAULTS()),
        /** {@code emulation-faults}: instructions the kernel emulated. */
        EMULATION_FAULTS("emulation-faults", PERF_COUNT_SW_EMULATION_FAULTS()),
        /** {@code dummy}: counts nothing; a placeholder that receives side-band records when sampling. */
        DUMMY("dummy", PERF_COUNT_SW_DUMMY()),
        /** {@code bpf-output}: output of BPF programs. */
        BPF_OUTPUT("bpf-output", PERF_COUNT_SW_BPF_OUTPUT()),
        /** {@code cgroup-switches}: switches to a task of another cgroup. */
        CGROUP_SWITCHES("cgroup-switches", PERF_COUNT_SW_CGROUP_SWITCHES());

        private final String perfName;
        private final int config;
        private final String alias;

        Software(String perfName, int config) {
            this(perfName, config, null);
        }

        Software(String perfName, int config, String alias) {
            this.perfName = perfName;
            this.config = config;
            this.alias = alias;
        }

        /** {@return the name {@code perf} gives it, such as {@code task-clock}} */
        public String perfName() {
            return perfName;
        }

        /** {@return perf's short alias ({@code faults}, {@code cs}, {@code migrations}), or {@code null}} */
        public String alias() {
            return alias;
        }

        /** {@return the event, for {@link Counter#open}} */
        public Event event() {
            return new Event(perfName, PERF_TYPE_SOFTWARE(), config);
        }
    }

    /** The caches of {@code PERF_TYPE_HW_CACHE}, with perf's name prefix. */
    public enum Cache {
        /** {@code L1-dcache}. */
        L1D("L1-dcache", PERF_COUNT_HW_CACHE_L1D()),
        /** {@code L1-icache}. */
        L1I("L1-icache", PERF_COUNT_HW_CACHE_L1I()),
        /** {@code LLC}: the last-level cache. */
        LL("LLC", PERF_COUNT_HW_CACHE_LL()),
        /** {@code dTLB}. */
        DTLB("dTLB", PERF_COUNT_HW_CACHE_DTLB()),
        /** {@code iTLB}. */
        ITLB("iTLB", PERF_COUNT_HW_CACHE_ITLB()),
        /** {@code branch}: the branch prediction unit. */
        BPU("branch", PERF_COUNT_HW_CACHE_BPU()),
        /** {@code node}: local memory accesses. */
        NODE("node", PERF_COUNT_HW_CACHE_NODE());

        private final String perfName;
        private final int id;

        Cache(String perfName, int id) {
            this.perfName = perfName;
            this.id = id;
        }

        /** {@return perf's prefix, such as {@code L1-dcache}} */
        public String perfName() {
            return perfName;
        }
    }

    /** The operations of a cache event. */
    public enum CacheOp {
        /** Reads: perf's {@code load} ({@code L1-dcache-loads}, {@code L1-dcache-load-misses}). */
        READ("load", "loads", PERF_COUNT_HW_CACHE_OP_READ()),
        /** Writes: perf's {@code store} ({@code LLC-stores}, {@code LLC-store-misses}). */
        WRITE("store", "stores", PERF_COUNT_HW_CACHE_OP_WRITE()),
        /** Prefetches: perf's {@code prefetch} ({@code L1-dcache-prefetches}, {@code L1-dcache-prefetch-misses}). */
        PREFETCH("prefetch", "prefetches", PERF_COUNT_HW_CACHE_OP_PREFETCH());

        private final String perfName;
        private final String accesses;
        private final int id;

        CacheOp(String perfName, String accesses, int id) {
            this.perfName = perfName;
            this.accesses = accesses;
            this.id = id;
        }

        /** {@return perf's word, such as {@code load}} */
        public String perfName() {
            return perfName;
        }
    }

    /** The results of a cache event. */
    public enum CacheResult {
        /** Every access: perf's {@code L1-dcache-loads}. */
        ACCESS(PERF_COUNT_HW_CACHE_RESULT_ACCESS()),
        /** Misses: perf's {@code L1-dcache-load-misses}. */
        MISS(PERF_COUNT_HW_CACHE_RESULT_MISS());

        private final int id;

        CacheResult(int id) {
            this.id = id;
        }
    }

    /** What a hardware breakpoint fires on ({@code bp_type}, {@code HW_BREAKPOINT_*} of hw_breakpoint.h). */
    public enum Access {
        /** Reads only; x86 cannot watch reads alone (EINVAL): use {@link #RW}. */
        R(HW_BREAKPOINT_R()),
        /** Writes. */
        W(HW_BREAKPOINT_W()),
        /** Reads and writes. */
        RW(HW_BREAKPOINT_RW()),
        /** Execution of the instruction at the address (length must be {@code sizeof(long)}). */
        X(HW_BREAKPOINT_X());

        private final int bpType;

        Access(int bpType) {
            this.bpType = bpType;
        }

        /** {@return the {@code bp_type} value} */
        public int bpType() {
            return bpType;
        }
    }

    static final int BP_TYPE_UNSET = HW_BREAKPOINT_EMPTY();

    private final String name;
    private final int type;
    private final long config;
    private final long config1;
    private final long config2;
    private final long config3;
    private final long config4;
    private final int bpType;
    private final Path probePath;
    private final Modifiers modifiers;

    Event(String name, int type, long config) {
        this(name, type, config, 0, 0, 0, 0, BP_TYPE_UNSET, null, Modifiers.NONE);
    }

    Event(String name, int type, long config, long config1, long config2, long config3, long config4, int bpType,
            Path probePath, Modifiers modifiers) {
        this.name = Objects.requireNonNull(name);
        this.type = type;
        this.config = config;
        this.config1 = config1;
        this.config2 = config2;
        this.config3 = config3;
        this.config4 = config4;
        this.bpType = bpType;
        this.probePath = probePath;
        this.modifiers = modifiers;
    }

    /**
     * A hardware cache event ({@code PERF_TYPE_HW_CACHE}): {@code config = cache | op << 8 | result << 16}.
     * Named like perf: {@code <cache>-<op>-misses} for misses ({@code L1-dcache-load-misses}), and the op's plural
     * for accesses ({@code LLC-stores}, {@code L1-dcache-prefetches}).
     *
     * @param cache which cache
     * @param op which operation
     * @param result accesses or misses
     * @return the event
     * @throws NullPointerException if an argument is null
     */
    public static Event cache(Cache cache, CacheOp op, CacheResult result) {
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(result, "result");
        String name = cache.perfName + "-" + (result == CacheResult.MISS ? op.perfName + "-misses" : op.accesses);
        return new Event(name, PERF_TYPE_HW_CACHE(), cache.id | (long) op.id << 8 | (long) result.id << 16);
    }

    /**
     * A raw, model-specific hardware event ({@code PERF_TYPE_RAW}); perf writes it {@code r<hex>}.
     *
     * @param config the raw event code
     * @return the event
     */
    public static Event raw(long config) {
        return new Event("r" + Long.toHexString(config), PERF_TYPE_RAW(), config);
    }

    /**
     * A hardware breakpoint ({@code PERF_TYPE_BREAKPOINT}): counts every access of {@code access} kind to the
     * {@code length} bytes at {@code address} (perf's {@code mem:<addr>/<len>:<rwx>}). x86 has four debug
     * registers: a fifth breakpoint in use at once fails with ENOSPC. A kernel address needs the event to count in
     * the kernel: with {@code exclude_kernel} the kernel refuses it (EINVAL).
     *
     * @param address the address to watch
     * @param length 1, 2, 4 or 8 bytes (8 for {@link Access#X})
     * @param access what to watch for
     * @return the event
     * @throws IllegalArgumentException for another length
     * @throws NullPointerException if {@code access} is null
     */
    public static Event breakpoint(long address, int length, Access access) {
        Objects.requireNonNull(access, "access");
        if (length != 1 && length != 2 && length != 4 && length != 8) {
            throw new IllegalArgumentException("breakpoint length must be 1, 2, 4 or 8 bytes, not " + length);
        }
        String name = "mem:0x" + Long.toHexString(address) + "/" + length + ":"
                + access.name().toLowerCase(Locale.ROOT);
        return new Event(name, PERF_TYPE_BREAKPOINT(), 0, address, length, 0, 0, access.bpType, null,
                Modifiers.NONE);
    }

    /**
     * A tracepoint ({@code PERF_TYPE_TRACEPOINT}), such as {@code sched:sched_switch} or
     * {@code syscalls:sys_enter_getpid}: its id is read from tracefs ({@code events/<subsystem>/<name>/id}).
     *
     * @param subsystem the tracepoint's subsystem, such as {@code sched}
     * @param name the tracepoint, such as {@code sched_switch}
     * @return the event
     * @throws NullPointerException if an argument is null
     * @throws EventNameException when the mounted tracefs has no such tracepoint (with the nearest names as
     *     {@link EventNameException#suggestions()}; {@code sched:enable}, a file of tracefs, is none either), or a part
     *     is not a plain word (empty, {@code .}, {@code ..}, a {@code /}, a wildcard, a NUL)
     * @throws PerfEventException ENOENT when tracefs is not mounted (with how to mount it; the library never mounts
     *     it), EACCES when tracefs is not readable by this user (it is root-only by default), or the errno of another
     *     failed read of the id file
     */
    public static Event tracepoint(String subsystem, String name) {
        Objects.requireNonNull(subsystem, "subsystem");
        Objects.requireNonNull(name, "name");
        return tracepoint(subsystem, name, new NameSources(Pmu.DEVICES));
    }

    static Event tracepoint(String subsystem, String name, NameSources sources) {
        return new Event(subsystem + ":" + name, PERF_TYPE_TRACEPOINT(), Tracing.tracepointId(subsystem, name, sources));
    }

    /**
     * A uprobe on the instruction at {@code fileOffset} of {@code binary}, through the {@code uprobe} PMU
     * ({@code config1} = the path, {@code config2} = the offset): counts each time the target executes it.
     *
     * @param binary an executable or shared library
     * @param fileOffset the instruction's offset in the file (not its virtual address)
     * @return the event
     * @throws PerfEventException when this kernel has no uprobe PMU (ENOENT)
     */
    public static Event uprobe(Path binary, long fileOffset) {
        return probe(binary, fileOffset, false);
    }

    /**
     * A uprobe on the entry of function {@code symbol} of {@code binary}, whose file offset is found in the ELF
     * symbol table ({@code .symtab}, else {@code .dynsym}). A plain name means the default version of a versioned
     * symbol (glibc's {@code posix_spawn} is {@code posix_spawn@@GLIBC_2.15}); {@code name@VERSION} picks another.
     *
     * <p>The file is opened once without blocking (a FIFO cannot hang the call) and must be a regular file; only
     * its headers, symbol, string and version tables are read, into memory of this call, so a file truncated or
     * rewritten meanwhile is refused rather than faulting.
     *
     * @param binary an ELF executable or shared library
     * @param symbol a function defined there: {@code name}, {@code name@VERSION} or {@code name@@VERSION}
     * @return the event
     * @throws IllegalArgumentException when {@code binary} names no regular file (a directory, a FIFO, a device, a
     *     socket; the message says which), or the file is a valid ELF file that defines no such function (the
     *     message lists the versions it has of the name, or the nearest function names)
     * @throws PerfEventException with the errno the open or read really gave (ENOENT when the file does not exist,
     *     EACCES when it is not readable); ENOEXEC when it is not an ELF64 little-endian file, is truncated or
     *     corrupt, changed while it was read, or has a table over 1 GiB; EINVAL for a GNU indirect function (its
     *     symbol is the resolver, run once, not the function); ENOENT when the kernel has no uprobe PMU
     * @throws NullPointerException when {@code binary} or {@code symbol} is null
     */
    public static Event uprobe(Path binary, String symbol) {
        return probe(binary, ElfSymbols.fileOffset(binary, symbol), false).renamed("uprobe:" + binary + ":" + symbol);
    }

    /**
     * A uretprobe: counts each return from the function whose entry is at {@code fileOffset} of {@code binary}.
     *
     * @param binary an executable or shared library
     * @param fileOffset the function's entry, as a file offset
     * @return the event
     * @throws PerfEventException when this kernel has no uprobe PMU (ENOENT)
     */
    public static Event uretprobe(Path binary, long fileOffset) {
        return probe(binary, fileOffset, true);
    }

    /**
     * A uretprobe on function {@code symbol} of {@code binary}, resolved like {@link #uprobe(Path, String)}.
     *
     * @param binary an ELF executable or shared library
     * @param symbol a function defined there
     * @return the event
     * @throws IllegalArgumentException as {@link #uprobe(Path, String)}
     * @throws PerfEventException as {@link #uprobe(Path, String)}
     * @throws NullPointerException when {@code binary} or {@code symbol} is null
     */
    public static Event uretprobe(Path binary, String symbol) {
        return probe(binary, ElfSymbols.fileOffset(binary, symbol), true)
                .renamed("uretprobe:" + binary + ":" + symbol);
    }

    private static Event probe(Path binary, long fileOffset, boolean retprobe) {
        Event pmuEvent = Pmu.named("uprobe").event(retprobe ? "retprobe" : "");
        String name = (retprobe ? "uretprobe:" : "uprobe:") + binary + ":0x" + Long.toHexString(fileOffset);
        return new Event(name, pmuEvent.type, pmuEvent.config, 0, fileOffset, 0, 0, BP_TYPE_UNSET,
                binary.toAbsolutePath(), Modifiers.NONE);
    }

    /**
     * An event of a dynamic PMU from {@code /sys/bus/event_source/devices/<pmu>}, as perf writes it between
     * slashes: {@code pmu("msr", "tsc")} for {@code msr/tsc/}, or terms such as
     * {@code pmu("cpu", "event=0x3c,umask=0x00")}, each term a named event of {@code events/} or a field of
     * {@code format/} ({@code field=value}, a lone {@code field} meaning 1).
     *
     * @param pmu the PMU's directory name
     * @param terms comma-separated terms, possibly empty
     * @return the event
     * @throws NullPointerException if an argument is null
     * @throws EventNameException when sysfs has no such PMU, or the terms do not parse or name a field or event the
     *     PMU does not have (with the nearest names), as {@link Pmu#named} and {@link Pmu#event} say
     * @throws PerfEventException with the errno of the failed access when sysfs cannot be read
     * @throws UnsupportedOperationException as {@link Pmu#event} says
     */
    public static Event pmu(String pmu, String terms) {
        Objects.requireNonNull(pmu, "pmu");
        Objects.requireNonNull(terms, "terms");
        return Pmu.named(pmu).event(terms);
    }

    /**
     * Any event by its attr fields: {@code type} (a {@code PERF_TYPE_*} or a dynamic PMU's type) and {@code config}.
     * Add the other config words with {@link #withConfig1} and its siblings. Nothing is checked here; opening a
     * type that no PMU has, or a config its PMU does not know, fails with ENOENT (an unknown tracepoint id, with
     * EINVAL).
     *
     * @param type the {@code type} field
     * @param config the {@code config} field
     * @return the event, named {@code type/config/}
     */
    public static Event of(int type, long config) {
        return new Event(Integer.toUnsignedString(type) + "/0x" + Long.toHexString(config) + "/", type, config);
    }

    /**
     * An event by the name {@code perf stat -e} takes: a hardware, software or cache event name
     * ({@code cycles}, {@code task-clock}, {@code L1-dcache-load-misses}), a tracepoint ({@code sched:sched_switch}),
     * a PMU event ({@code msr/tsc/}, {@code pmu/field=value,.../}), a raw event ({@code r1a8}) or a breakpoint
     * ({@code mem:0x1000/8:w}), each optionally followed by {@code :modifiers} ({@code cycles:u}, {@code msr/tsc/u}).
     *
     * <p>The name is the caller's input: when it does not parse, or names nothing that this machine's sysfs or its
     * mounted tracefs holds, the answer is an {@link EventNameException} (an {@link IllegalArgumentException}) with
     * the index of the fault and the nearest known names; when it cannot be resolved because the machine cannot
     * answer (tracefs not mounted, or not readable by this user, sysfs unreadable), a {@link PerfEventException}
     * with the errno the failed access returned. Resolving one name lists sysfs and tracefs at most once, and only
     * for the suggestions of an unknown name of at most 256 characters.
     *
     * @param name the name
     * @return the event
     * @throws NullPointerException if {@code name} is null
     * @throws EventNameException when the name does not parse (saying why and where), or names no event of this
     *     machine: no symbolic event, no PMU or field or named event of sysfs, no tracepoint of the mounted tracefs
     *     (with the nearest existing names); {@code sched:enable}, a file of tracefs, is no tracepoint
     * @throws PerfEventException ENOENT for a tracepoint when tracefs is not mounted (with how to mount it, and the
     *     nearest symbolic event if the name looks like a misspelt one with modifiers), EACCES when tracefs is not
     *     readable by this user, or the errno of another failed read of sysfs or tracefs
     * @throws UnsupportedOperationException for a PMU field whose sysfs format this library cannot read (see
     *     {@link Pmu#event})
     */
    public static Event parse(String name) {
        Objects.requireNonNull(name, "name");
        return EventNames.parse(name, new NameSources(Pmu.DEVICES));
    }

    /**
     * This event with perf modifiers applied, as after a colon in a name: any of {@code u k h I G H D e}, and
     * {@code p} up to three times or {@code P} for the highest {@code precise_ip}. The letters add to those the
     * event already has: {@code parse("cycles:u").withModifiers("k")} is {@code cycles:uk}, as its name says.
     *
     * @param letters the modifier letters, such as {@code "u"} or {@code "kpp"}; none leaves the event as it is
     * @return the modified event, named {@code name:letters} (or {@code pmu/terms/letters}, as perf writes it)
     * @throws NullPointerException if {@code letters} is null
     * @throws EventNameException for a letter that is not a counting modifier (its index in {@code letters} is the
     *     {@link EventNameException#position()}), or more than three {@code p} in all
     */
    public Event withModifiers(String letters) {
        Objects.requireNonNull(letters, "letters");
        if (letters.isEmpty()) {
            return this;
        }
        // Every letter sets something, so an event has letters at the end of its name exactly when it has modifiers.
        int end = modifiers.equals(Modifiers.NONE) ? name.length()
                : Math.max(name.lastIndexOf(':'), name.lastIndexOf('/')) + 1;
        String base = name.substring(0, end);
        String all = name.substring(end) + letters;
        Modifiers parsed;
        try {
            parsed = Modifiers.parse(base, all);
        } catch (EventNameException e) { // the letters it had parsed: the fault is in the new ones
            throw new EventNameException("modifiers of " + base, letters,
                    e.position().orElseThrow() - (all.length() - letters.length()), e.reason(), List.of());
        }
        String modified = base.endsWith("/") || base.endsWith(":") ? base + all : base + ":" + all; // msr/tsc/u, cycles:u
        return new Event(modified, type, config, config1, config2, config3, config4, bpType, probePath, parsed);
    }

    /**
     * {@return this event with {@code config1} set} ({@code bp_addr} of a breakpoint).
     *
     * @param value the value
     */
    public Event withConfig1(long value) {
        return new Event(name, type, config, value, config2, config3, config4, bpType, probePath, modifiers);
    }

    /**
     * {@return this event with {@code config2} set} ({@code bp_len} of a breakpoint, the file offset of a uprobe).
     *
     * @param value the value
     */
    public Event withConfig2(long value) {
        return new Event(name, type, config, config1, value, config3, config4, bpType, probePath, modifiers);
    }

    /**
     * {@return this event with {@code config3} set} (Linux 6.3+).
     *
     * @param value the value
     */
    public Event withConfig3(long value) {
        return new Event(name, type, config, config1, config2, value, config4, bpType, probePath, modifiers);
    }

    /**
     * {@return this event with {@code config4} set} (new in Linux 7.x: an older kernel refuses a non-zero value
     * with E2BIG, and the exception names this field).
     *
     * @param value the value
     */
    public Event withConfig4(long value) {
        return new Event(name, type, config, config1, config2, config3, value, bpType, probePath, modifiers);
    }

    Event renamed(String newName) {
        return new Event(newName, type, config, config1, config2, config3, config4, bpType, probePath, modifiers);
    }

    /** {@return the name, as perf would print it} */
    public String name() {
        return name;
    }

    /** {@return the attr {@code type}} */
    public int type() {
        return type;
    }

    /** {@return the attr {@code config}} */
    public long config() {
        return config;
    }

    /** {@return the attr {@code config1} ({@code bp_addr} of a breakpoint; 0 for a uprobe, whose path is set at open)} */
    public long config1() {
        return config1;
    }

    /** {@return the attr {@code config2} ({@code bp_len} of a breakpoint, the file offset of a uprobe)} */
    public long config2() {
        return config2;
    }

    /** {@return the attr {@code config3}} */
    public long config3() {
        return config3;
    }

    /** {@return the attr {@code config4}} */
    public long config4() {
        return config4;
    }

    /**
     * Writes the event's fields into {@code attr}; a uprobe's path is allocated in {@code arena}, which must stay open
     * until the {@code perf_event_open} call (the kernel copies the path).
     */
    void writeTo(MemorySegment attr, Arena arena) {
        perf_event_attr.type(attr, type);
        perf_event_attr.config(attr, config);
        perf_event_attr.config1(attr, probePath != null ? arena.allocateFrom(probePath.toString()).address() : config1);
        perf_event_attr.config2(attr, config2);
        perf_event_attr.config3(attr, config3);
        perf_event_attr.config4(attr, config4);
        if (bpType != BP_TYPE_UNSET) {
            perf_event_attr.bp_type(attr, bpType);
        }
    }

    /** Applies the modifiers over whatever {@link Options} wrote. */
    void writeModifiersTo(MemorySegment attr) {
        modifiers.writeTo(attr);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Event e && name.equals(e.name) && type == e.type && config == e.config
                && config1 == e.config1 && config2 == e.config2 && config3 == e.config3 && config4 == e.config4
                && bpType == e.bpType && Objects.equals(probePath, e.probePath) && modifiers.equals(e.modifiers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, config, config1, config2, config3, config4, bpType, probePath, modifiers);
    }

    /** {@return the name} */
    @Override
    public String toString() {
        return name;
    }

    /** perf's event modifiers, parsed. {@code userKernelHv} has bit 0 u, 1 k, 2 h; 0 when none was given. */
    record Modifiers(int userKernelHv, boolean excludeIdle, boolean guestOnly, boolean hostOnly, int preciseIp,
            boolean pinned, boolean exclusive) {

        static final Modifiers NONE = new Modifiers(0, false, false, false, 0, false, false);
        private static final int MAX_PRECISE = 3;

        static Modifiers parse(String eventName, String letters) {
            int ukh = 0;
            int precise = 0;
            boolean idle = false;
            boolean guest = false;
            boolean host = false;
            boolean pinned = false;
            boolean exclusive = false;
            for (int i = 0; i < letters.length(); i++) {
                switch (letters.charAt(i)) {
                    case 'u' -> ukh |= 1;
                    case 'k' -> ukh |= 2;
                    case 'h' -> ukh |= 4;
                    case 'I' -> idle = true;
                    case 'G' -> guest = true;
                    case 'H' -> host = true;
                    case 'p' -> precise++;
                    case 'P' -> precise = MAX_PRECISE;
                    case 'D' -> pinned = true;
                    case 'e' -> exclusive = true;
                    default -> throw new EventNameException("modifiers of " + eventName, letters, i,
                            "'" + letters.charAt(i) + "' is not a counting modifier; use u (user), k (kernel), "
                                    + "h (hypervisor), I (exclude idle), G (guest), H (host), p/pp/ppp/P "
                                    + "(precise_ip), D (pinned), e (exclusive)", List.of());
                }
            }
            if (precise > MAX_PRECISE) {
                throw new EventNameException("modifiers of " + eventName, letters, letters.lastIndexOf('p'),
                        "precise_ip goes up to 3 (ppp); " + precise + " p's were given", List.of());
            }
            return new Modifiers(ukh, idle, guest, host, precise, pinned, exclusive);
        }

        void writeTo(MemorySegment attr) {
            if (userKernelHv != 0) {
                perf_event_attr_bits.exclude_user(attr, (userKernelHv & 1) == 0 ? 1 : 0);
                perf_event_attr_bits.exclude_kernel(attr, (userKernelHv & 2) == 0 ? 1 : 0);
                perf_event_attr_bits.exclude_hv(attr, (userKernelHv & 4) == 0 ? 1 : 0);
            }
            if (excludeIdle) {
                perf_event_attr_bits.exclude_idle(attr, 1);
            }
            if (guestOnly && !hostOnly) {
                perf_event_attr_bits.exclude_host(attr, 1);
            }
            if (hostOnly && !guestOnly) {
                perf_event_attr_bits.exclude_guest(attr, 1);
            }
            if (preciseIp > perf_event_attr_bits.precise_ip(attr)) {
                perf_event_attr_bits.precise_ip(attr, preciseIp);
            }
            if (pinned) {
                perf_event_attr_bits.pinned(attr, 1);
            }
            if (exclusive) {
                perf_event_attr_bits.exclusive(attr, 1);
            }
        }
    }
}
