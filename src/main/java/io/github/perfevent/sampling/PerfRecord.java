/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_MISC_COMM_EXEC;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_MISC_CPUMODE_MASK;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_MISC_EXACT_IP;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_MISC_MMAP_BUILD_ID;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_MISC_MMAP_DATA;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_MISC_SWITCH_OUT;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_MISC_SWITCH_OUT_PREEMPT;

import io.github.perfevent.sys.bindings.perf_sample_weight;
import io.github.perfevent.sys.bitfields.perf_mem_data_src_bits;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A record of the ring buffer as a plain Java record (perf_event_open(2), "MMAP layout"), one per
 * {@link RecordType}, made by {@link RecordCursor#toRecord()}; pattern-match it in a {@code switch}:
 *
 * <pre>{@code
 * switch (cursor.toRecord()) {
 *     case PerfRecord.Sample s -> histogram.add(s.ip());
 *     case PerfRecord.Lost l -> lost += l.lost();
 *     case PerfRecord.Comm c when c.exec() -> names.put(c.pid(), c.comm());
 *     default -> { }
 * }
 * }</pre>
 *
 * <p>Numbers are as the kernel writes them ({@code u32}s read as Java {@code int}s, {@code u64}s as {@code long}s).
 * Arrays are the decoder's own copies; records holding them compare arrays by identity.
 */
public sealed interface PerfRecord {

    /** {@return the record's type} */
    RecordType recordType();

    /** {@return {@code header.misc}: the {@code PERF_RECORD_MISC_*} bits} */
    int misc();

    /**
     * {@return where and when the record was written: a sample's own fields, or the {@code struct sample_id} that
     * ends every other record with {@code sample_id_all}; {@link SampleId#NONE} without one}
     */
    SampleId sampleId();

    /**
     * {@return the CPU mode of the record: {@code misc & PERF_RECORD_MISC_CPUMODE_MASK} (KERNEL 1, USER 2,
     * HYPERVISOR 3, GUEST_KERNEL 4, GUEST_USER 5, or 0 unknown)}
     */
    default int cpuMode() {
        return misc() & PERF_RECORD_MISC_CPUMODE_MASK();
    }

    /**
     * The identity fields of a record ({@code struct sample_id}, or the same fields of a sample): each is there only
     * when the format has it ({@link #has}); an absent one reads 0.
     *
     * @param fields the fields present, among TID, TIME, ID, STREAM_ID, CPU and IDENTIFIER
     * @param pid the process id ({@code PERF_SAMPLE_TID})
     * @param tid the thread id ({@code PERF_SAMPLE_TID})
     * @param time the timestamp ({@code PERF_SAMPLE_TIME})
     * @param id the event's id: {@code PERF_SAMPLE_ID}, else {@code PERF_SAMPLE_IDENTIFIER} (the same value)
     * @param streamId the id of the event this one was inherited from ({@code PERF_SAMPLE_STREAM_ID})
     * @param cpu the CPU ({@code PERF_SAMPLE_CPU})
     * @param identifier the event's id as {@code PERF_SAMPLE_IDENTIFIER} writes it
     */
    record SampleId(Set<SampleField> fields, int pid, int tid, long time, long id, long streamId, int cpu,
            long identifier) {
        /** No identity fields: a record without a {@code sample_id}. */
        public static final SampleId NONE = new SampleId(Set.of(), 0, 0, 0, 0, 0, 0, 0);

        /**
         * Checks the components and copies the collections.
         *
         * @throws NullPointerException if {@code fields} is null
         */
        public SampleId {
            fields = FieldSet.of(fields);
        }

        /**
         * {@return whether the record has {@code field}}
         *
         * @param field one of TID, TIME, ID, STREAM_ID, CPU and IDENTIFIER
         */
        public boolean has(SampleField field) {
            return fields.contains(field);
        }
    }

    /**
     * Counter values ({@code struct read_format}): one value, or a group's, the leader first.
     *
     * @param timeEnabled ns the event was enabled ({@code PERF_FORMAT_TOTAL_TIME_ENABLED}; else 0)
     * @param timeRunning ns it ran ({@code PERF_FORMAT_TOTAL_TIME_RUNNING}; else 0)
     * @param values the values
     */
    record ReadValues(long timeEnabled, long timeRunning, List<ReadValue> values) {
        /**
         * Checks the components and copies the collections.
         *
         * @throws NullPointerException if {@code values} is null
         */
        public ReadValues {
            values = List.copyOf(values);
        }
    }

    /**
     * One counter value of a {@link ReadValues}.
     *
     * @param value the count
     * @param id the event's id ({@code PERF_FORMAT_ID}; else 0)
     * @param lost the samples it lost ({@code PERF_FORMAT_LOST}; else 0)
     */
    record ReadValue(long value, long id, long lost) {
    }

    /**
     * One entry of a branch stack ({@code struct perf_branch_entry}), its bitfields decoded through
     * {@link io.github.perfevent.sys.bitfields.perf_branch_entry_bits}.
     *
     * @param from the source instruction
     * @param to the branch target
     * @param flags the u64 of bitfields, as written
     * @param mispredicted {@code mispred}
     * @param predicted {@code predicted}
     * @param inTransaction {@code in_tx}
     * @param abort {@code abort}
     * @param cycles {@code cycles} since the last branch (0 if not supported)
     * @param type {@code type} ({@code PERF_BR_*})
     * @param speculation {@code spec} ({@code PERF_BR_SPEC_*})
     * @param newType {@code new_type} ({@code PERF_BR_NEW_*})
     * @param privilege {@code priv} ({@code PERF_BR_PRIV_*})
     * @param counters the entry's counters word ({@code PERF_SAMPLE_BRANCH_COUNTERS}; else 0)
     */
    record Branch(long from, long to, long flags, boolean mispredicted, boolean predicted, boolean inTransaction,
            boolean abort, int cycles, int type, int speculation, int newType, int privilege, long counters) {
    }

    /**
     * A branch stack ({@code PERF_SAMPLE_BRANCH_STACK}).
     *
     * @param hasHwIndex whether the format has {@code PERF_SAMPLE_BRANCH_HW_INDEX}
     * @param hwIndex {@code hw_idx}, the hardware index of the newest entry (0 without it)
     * @param hasCounters whether the format has {@code PERF_SAMPLE_BRANCH_COUNTERS}
     * @param entries the entries, newest first
     */
    record BranchStack(boolean hasHwIndex, long hwIndex, boolean hasCounters, List<Branch> entries) {
        /**
         * Checks the components and copies the collections.
         *
         * @throws NullPointerException if {@code entries} is null
         */
        public BranchStack {
            entries = List.copyOf(entries);
        }
    }

    /**
     * Dumped registers ({@code PERF_SAMPLE_REGS_USER} or {@code PERF_SAMPLE_REGS_INTR}).
     *
     * @param abi {@code PERF_SAMPLE_REGS_ABI_*}; 0 (NONE) when there were none to dump
     * @param mask the format's {@code sample_regs_user} or {@code sample_regs_intr}
     * @param values one per bit of {@code mask}, lowest bit first; empty when {@code abi} is 0
     */
    record Registers(long abi, long mask, long[] values) {
    }

    /**
     * A user stack dump ({@code PERF_SAMPLE_STACK_USER}).
     *
     * @param data the bytes dumped (empty when there was no user stack)
     * @param dynSize how many of them are the stack's real content ({@code dyn_size}; 0 when {@code data} is empty)
     */
    record UserStack(byte[] data, long dynSize) {
    }

    /**
     * The fields of {@code union perf_mem_data_src}, decoded through {@link perf_mem_data_src_bits}.
     *
     * @param op {@code mem_op} ({@code PERF_MEM_OP_*})
     * @param level {@code mem_lvl} ({@code PERF_MEM_LVL_*})
     * @param snoop {@code mem_snoop}
     * @param lock {@code mem_lock}
     * @param tlb {@code mem_dtlb}
     * @param levelNumber {@code mem_lvl_num} ({@code PERF_MEM_LVLNUM_*})
     * @param remote {@code mem_remote}
     * @param snoopX {@code mem_snoopx}
     * @param blocked {@code mem_blk}
     * @param hops {@code mem_hops}
     * @param region {@code mem_region}
     */
    record MemDataSource(int op, int level, int snoop, int lock, int tlb, int levelNumber, int remote, int snoopX,
            int blocked, int hops, int region) {

        /**
         * {@return the fields of {@code value}}
         *
         * @param value a {@code perf_mem_data_src} as its u64
         */
        public static MemDataSource of(long value) {
            MemorySegment s = MemorySegment.ofArray(new long[] {value});
            return new MemDataSource((int) perf_mem_data_src_bits.mem_op(s), (int) perf_mem_data_src_bits.mem_lvl(s),
                    (int) perf_mem_data_src_bits.mem_snoop(s), (int) perf_mem_data_src_bits.mem_lock(s),
                    (int) perf_mem_data_src_bits.mem_dtlb(s), (int) perf_mem_data_src_bits.mem_lvl_num(s),
                    (int) perf_mem_data_src_bits.mem_remote(s), (int) perf_mem_data_src_bits.mem_snoopx(s),
                    (int) perf_mem_data_src_bits.mem_blk(s), (int) perf_mem_data_src_bits.mem_hops(s),
                    (int) perf_mem_data_src_bits.mem_region(s));
        }
    }

    /**
     * {@code PERF_RECORD_SAMPLE}. A field the format lacks ({@link #fields()}) reads 0, or null for an object.
     *
     * @param misc {@code header.misc} ({@code PERF_RECORD_MISC_EXACT_IP} for a precise IP)
     * @param sampleId the sample's TID, TIME, ID, STREAM_ID, CPU and IDENTIFIER
     * @param ip {@code PERF_SAMPLE_IP}
     * @param addr {@code PERF_SAMPLE_ADDR}
     * @param period {@code PERF_SAMPLE_PERIOD}
     * @param read {@code PERF_SAMPLE_READ}
     * @param callchain {@code PERF_SAMPLE_CALLCHAIN}, {@code PERF_CONTEXT_*} markers included
     * @param raw {@code PERF_SAMPLE_RAW}, padding included
     * @param branchStack {@code PERF_SAMPLE_BRANCH_STACK}
     * @param regsUser {@code PERF_SAMPLE_REGS_USER}
     * @param stackUser {@code PERF_SAMPLE_STACK_USER}
     * @param weight {@code PERF_SAMPLE_WEIGHT}, or {@code PERF_SAMPLE_WEIGHT_STRUCT} as its u64
     * @param dataSrc {@code PERF_SAMPLE_DATA_SRC} as its u64 (see {@link #dataSource()})
     * @param transaction {@code PERF_SAMPLE_TRANSACTION}
     * @param regsIntr {@code PERF_SAMPLE_REGS_INTR}
     * @param physAddr {@code PERF_SAMPLE_PHYS_ADDR}
     * @param cgroup {@code PERF_SAMPLE_CGROUP}
     * @param dataPageSize {@code PERF_SAMPLE_DATA_PAGE_SIZE}
     * @param codePageSize {@code PERF_SAMPLE_CODE_PAGE_SIZE}
     * @param aux {@code PERF_SAMPLE_AUX}
     * @param fields the fields of the format
     */
    record Sample(int misc, SampleId sampleId, long ip, long addr, long period, ReadValues read, long[] callchain,
            byte[] raw, BranchStack branchStack, Registers regsUser, UserStack stackUser, long weight, long dataSrc,
            long transaction, Registers regsIntr, long physAddr, long cgroup, long dataPageSize, long codePageSize,
            byte[] aux, Set<SampleField> fields) implements PerfRecord {
        /**
         * Checks the components and copies the collections.
         *
         * @throws NullPointerException if {@code sampleId} or {@code fields} is null
         */
        public Sample {
            Objects.requireNonNull(sampleId, "sampleId");
            fields = FieldSet.of(fields);
        }

        @Override
        public RecordType recordType() {
            return RecordType.SAMPLE;
        }

        /**
         * {@return whether the sample has {@code field}}
         *
         * @param field a sample field
         */
        public boolean has(SampleField field) {
            return fields.contains(field);
        }

        /** {@return whether the IP is exact ({@code PERF_RECORD_MISC_EXACT_IP}, a precise event's)} */
        public boolean exactIp() {
            return (misc & PERF_RECORD_MISC_EXACT_IP()) != 0;
        }

        /**
         * {@return the addresses of the callchain taken in {@code context}, in order, without markers (empty without
         * a callchain)}
         *
         * @param context the context, such as {@link CallchainContext#USER}
         * @throws NullPointerException if {@code context} is null
         */
        public long[] callchain(CallchainContext context) {
            Objects.requireNonNull(context, "context");
            if (callchain == null) {
                return new long[0];
            }
            List<Long> ips = new ArrayList<>();
            CallchainContext current = null;
            for (long entry : callchain) {
                if (RecordCursor.isContextMarker(entry)) {
                    current = CallchainContext.of(entry);
                } else if (current == context) {
                    ips.add(entry);
                }
            }
            return ips.stream().mapToLong(Long::longValue).toArray();
        }

        /** {@return {@code var1_dw} of the weight as {@code union perf_sample_weight} (WEIGHT_STRUCT)} */
        public int weightVar1() {
            return perf_sample_weight.var1_dw(weightUnion());
        }

        /** {@return {@code var2_w} of the weight as {@code union perf_sample_weight}, zero-extended} */
        public int weightVar2() {
            return Short.toUnsignedInt(perf_sample_weight.var2_w(weightUnion()));
        }

        /** {@return {@code var3_w} of the weight as {@code union perf_sample_weight}, zero-extended} */
        public int weightVar3() {
            return Short.toUnsignedInt(perf_sample_weight.var3_w(weightUnion()));
        }

        private MemorySegment weightUnion() {
            return MemorySegment.ofArray(new long[] {weight});
        }

        /** {@return {@link #dataSrc()} decoded} */
        public MemDataSource dataSource() {
            return MemDataSource.of(dataSrc);
        }
    }

    /**
     * {@code PERF_RECORD_MMAP}.
     *
     * @param misc {@code header.misc} ({@code PERF_RECORD_MISC_MMAP_DATA} for a data mapping)
     * @param pid the process
     * @param tid the thread
     * @param addr the start of the mapping
     * @param len its length
     * @param pgoff the file offset it maps
     * @param filename the file (or {@code [anon]}, {@code //anon}...)
     * @param sampleId the {@code sample_id}
     */
    record Mmap(int misc, int pid, int tid, long addr, long len, long pgoff, String filename, SampleId sampleId)
            implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.MMAP;
        }

        /** {@return whether it is a data (not executable) mapping ({@code PERF_RECORD_MISC_MMAP_DATA})} */
        public boolean data() {
            return (misc & PERF_RECORD_MISC_MMAP_DATA()) != 0;
        }
    }

    /**
     * {@code PERF_RECORD_MMAP2}: in inode form ({@code maj}, {@code min}, {@code ino}, {@code ino_generation}) or, with
     * {@code PERF_RECORD_MISC_MMAP_BUILD_ID} in misc ({@code attr.build_id}), in build-id form.
     *
     * @param misc {@code header.misc}
     * @param pid the process
     * @param tid the thread
     * @param addr the start of the mapping
     * @param len its length
     * @param pgoff the file offset it maps
     * @param maj the device's major number (0 in build-id form)
     * @param min the device's minor number (0 in build-id form)
     * @param ino the inode (0 in build-id form)
     * @param inoGeneration the inode's generation (0 in build-id form)
     * @param buildId the build id, {@code build_id_size} bytes (null in inode form)
     * @param prot the {@code PROT_*} bits
     * @param flags the {@code MAP_*} bits
     * @param filename the file
     * @param sampleId the {@code sample_id}
     */
    record Mmap2(int misc, int pid, int tid, long addr, long len, long pgoff, int maj, int min, long ino,
            long inoGeneration, byte[] buildId, int prot, int flags, String filename, SampleId sampleId)
            implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.MMAP2;
        }

        /** {@return whether the record is in build-id form ({@code PERF_RECORD_MISC_MMAP_BUILD_ID})} */
        public boolean hasBuildId() {
            return (misc & PERF_RECORD_MISC_MMAP_BUILD_ID()) != 0;
        }

        /** {@return whether it is a data (not executable) mapping ({@code PERF_RECORD_MISC_MMAP_DATA})} */
        public boolean data() {
            return (misc & PERF_RECORD_MISC_MMAP_DATA()) != 0;
        }
    }

    /**
     * {@code PERF_RECORD_LOST}: records the buffer had no room for. The losses belong to the buffer: with several
     * events in one buffer, {@code id} names one of them for all.
     *
     * @param misc {@code header.misc}
     * @param id the id of the event the kernel was writing for
     * @param lost how many records were lost
     * @param sampleId the {@code sample_id}
     */
    record Lost(int misc, long id, long lost, SampleId sampleId) implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.LOST;
        }
    }

    /**
     * {@code PERF_RECORD_COMM}.
     *
     * @param misc {@code header.misc}
     * @param pid the process
     * @param tid the thread
     * @param comm its new name
     * @param sampleId the {@code sample_id}
     */
    record Comm(int misc, int pid, int tid, String comm, SampleId sampleId) implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.COMM;
        }

        /** {@return whether the name changed by an exec ({@code PERF_RECORD_MISC_COMM_EXEC}, with comm_exec)} */
        public boolean exec() {
            return (misc & PERF_RECORD_MISC_COMM_EXEC()) != 0;
        }
    }

    /**
     * {@code PERF_RECORD_EXIT}.
     *
     * @param misc {@code header.misc}
     * @param pid the process
     * @param ppid its parent
     * @param tid the thread
     * @param ptid the parent thread
     * @param time when it exited
     * @param sampleId the {@code sample_id}
     */
    record Exit(int misc, int pid, int ppid, int tid, int ptid, long time, SampleId sampleId) implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.EXIT;
        }
    }

    /**
     * {@code PERF_RECORD_FORK}.
     *
     * @param misc {@code header.misc}
     * @param pid the new process
     * @param ppid its parent
     * @param tid the new thread
     * @param ptid the thread that created it
     * @param time when it was created
     * @param sampleId the {@code sample_id}
     */
    record Fork(int misc, int pid, int ppid, int tid, int ptid, long time, SampleId sampleId) implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.FORK;
        }
    }

    /**
     * {@code PERF_RECORD_THROTTLE}.
     *
     * @param misc {@code header.misc}
     * @param time when
     * @param id the event's id
     * @param streamId the id of the event it was inherited from
     * @param sampleId the {@code sample_id}
     */
    record Throttle(int misc, long time, long id, long streamId, SampleId sampleId) implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.THROTTLE;
        }
    }

    /**
     * {@code PERF_RECORD_UNTHROTTLE}.
     *
     * @param misc {@code header.misc}
     * @param time when
     * @param id the event's id
     * @param streamId the id of the event it was inherited from
     * @param sampleId the {@code sample_id}
     */
    record Unthrottle(int misc, long time, long id, long streamId, SampleId sampleId) implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.UNTHROTTLE;
        }
    }

    /**
     * {@code PERF_RECORD_READ}.
     *
     * @param misc {@code header.misc}
     * @param pid the process
     * @param tid the thread
     * @param values the counter values
     * @param sampleId the {@code sample_id}
     */
    record Read(int misc, int pid, int tid, ReadValues values, SampleId sampleId) implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.READ;
        }
    }

    /**
     * {@code PERF_RECORD_AUX}.
     *
     * @param misc {@code header.misc}
     * @param auxOffset where the new data is in the AUX area
     * @param auxSize how much
     * @param flags {@code PERF_AUX_FLAG_*}
     * @param sampleId the {@code sample_id}
     */
    record Aux(int misc, long auxOffset, long auxSize, long flags, SampleId sampleId) implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.AUX;
        }
    }

    /**
     * {@code PERF_RECORD_ITRACE_START}.
     *
     * @param misc {@code header.misc}
     * @param pid the process
     * @param tid the thread
     * @param sampleId the {@code sample_id}
     */
    record ItraceStart(int misc, int pid, int tid, SampleId sampleId) implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.ITRACE_START;
        }
    }

    /**
     * {@code PERF_RECORD_LOST_SAMPLES}.
     *
     * @param misc {@code header.misc}
     * @param lost how many samples the PMU dropped
     * @param sampleId the {@code sample_id}
     */
    record LostSamples(int misc, long lost, SampleId sampleId) implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.LOST_SAMPLES;
        }
    }

    /**
     * {@code PERF_RECORD_SWITCH}.
     *
     * @param misc {@code header.misc}
     * @param sampleId the {@code sample_id}
     */
    record Switch(int misc, SampleId sampleId) implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.SWITCH;
        }

        /** {@return whether the task was switched out ({@code PERF_RECORD_MISC_SWITCH_OUT}), else in} */
        public boolean out() {
            return (misc & PERF_RECORD_MISC_SWITCH_OUT()) != 0;
        }

        /** {@return whether it was switched out while runnable ({@code PERF_RECORD_MISC_SWITCH_OUT_PREEMPT})} */
        public boolean preempted() {
            return (misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT()) != 0;
        }
    }

    /**
     * {@code PERF_RECORD_SWITCH_CPU_WIDE}.
     *
     * @param misc {@code header.misc}
     * @param nextPrevPid the process switched to (out) or from (in)
     * @param nextPrevTid the thread switched to (out) or from (in)
     * @param sampleId the {@code sample_id}
     */
    record SwitchCpuWide(int misc, int nextPrevPid, int nextPrevTid, SampleId sampleId) implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.SWITCH_CPU_WIDE;
        }

        /** {@return whether the task was switched out ({@code PERF_RECORD_MISC_SWITCH_OUT}), else in} */
        public boolean out() {
            return (misc & PERF_RECORD_MISC_SWITCH_OUT()) != 0;
        }

        /** {@return whether it was switched out while runnable ({@code PERF_RECORD_MISC_SWITCH_OUT_PREEMPT})} */
        public boolean preempted() {
            return (misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT()) != 0;
        }
    }

    /**
     * One namespace of a {@link Namespaces} ({@code struct perf_ns_link_info}), indexed by {@code NET_NS_INDEX}...
     *
     * @param dev the device of the namespace's file
     * @param inode its inode
     */
    record NamespaceLink(long dev, long inode) {
    }

    /**
     * {@code PERF_RECORD_NAMESPACES}.
     *
     * @param misc {@code header.misc}
     * @param pid the process
     * @param tid the thread
     * @param namespaces its namespaces, in the order of {@code NET_NS_INDEX} ... {@code CGROUP_NS_INDEX}
     * @param sampleId the {@code sample_id}
     */
    record Namespaces(int misc, int pid, int tid, List<NamespaceLink> namespaces, SampleId sampleId)
            implements PerfRecord {
        /**
         * Checks the components and copies the collections.
         *
         * @throws NullPointerException if {@code namespaces} is null
         */
        public Namespaces {
            namespaces = List.copyOf(namespaces);
        }

        @Override
        public RecordType recordType() {
            return RecordType.NAMESPACES;
        }
    }

    /**
     * {@code PERF_RECORD_KSYMBOL}.
     *
     * @param misc {@code header.misc}
     * @param addr the symbol's address
     * @param len its length
     * @param ksymType {@code PERF_RECORD_KSYMBOL_TYPE_*}
     * @param flags {@code PERF_RECORD_KSYMBOL_FLAGS_UNREGISTER} when it goes away
     * @param name its name
     * @param sampleId the {@code sample_id}
     */
    record Ksymbol(int misc, long addr, int len, int ksymType, int flags, String name, SampleId sampleId)
            implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.KSYMBOL;
        }
    }

    /**
     * {@code PERF_RECORD_BPF_EVENT}.
     *
     * @param misc {@code header.misc}
     * @param type {@code PERF_BPF_EVENT_*} (PROG_LOAD 1, PROG_UNLOAD 2)
     * @param flags the flags
     * @param id the program's id
     * @param tag the program's tag ({@code BPF_TAG_SIZE} bytes)
     * @param sampleId the {@code sample_id}
     */
    record BpfEvent(int misc, int type, int flags, int id, byte[] tag, SampleId sampleId) implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.BPF_EVENT;
        }
    }

    /**
     * {@code PERF_RECORD_CGROUP}.
     *
     * @param misc {@code header.misc}
     * @param id the cgroup's id (as {@code PERF_SAMPLE_CGROUP} writes it)
     * @param path its path in the cgroup2 hierarchy
     * @param sampleId the {@code sample_id}
     */
    record Cgroup(int misc, long id, String path, SampleId sampleId) implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.CGROUP;
        }
    }

    /**
     * {@code PERF_RECORD_TEXT_POKE}.
     *
     * @param misc {@code header.misc}
     * @param addr where kernel text changed
     * @param oldBytes the bytes before ({@code old_len} of them)
     * @param newBytes the bytes after ({@code new_len})
     * @param sampleId the {@code sample_id}
     */
    record TextPoke(int misc, long addr, byte[] oldBytes, byte[] newBytes, SampleId sampleId) implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.TEXT_POKE;
        }
    }

    /**
     * {@code PERF_RECORD_AUX_OUTPUT_HW_ID}.
     *
     * @param misc {@code header.misc}
     * @param hwId the hardware id
     * @param sampleId the {@code sample_id}
     */
    record AuxOutputHwId(int misc, long hwId, SampleId sampleId) implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.AUX_OUTPUT_HW_ID;
        }
    }

    /**
     * {@code PERF_RECORD_CALLCHAIN_DEFERRED}: the user part of the callchains of earlier samples whose chain ended
     * with {@link CallchainContext#USER_DEFERRED} and this {@code cookie}.
     *
     * @param misc {@code header.misc}
     * @param cookie matches the entry after the samples' {@code PERF_CONTEXT_USER_DEFERRED}
     * @param ips the user callchain
     * @param sampleId the {@code sample_id}
     */
    record CallchainDeferred(int misc, long cookie, long[] ips, SampleId sampleId) implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.CALLCHAIN_DEFERRED;
        }
    }

    /**
     * A record of a type the header does not define: kept whole, never an error.
     *
     * @param type {@code header.type}
     * @param misc {@code header.misc}
     * @param bytes the body (after the header, a sample_id included if it has one)
     * @param sampleId the {@code sample_id}, read as if the record ended with one (as every record type the kernel
     *     has added does) when the format has {@code sample_id_all} and the record is long enough
     */
    record Unknown(int type, int misc, byte[] bytes, SampleId sampleId) implements PerfRecord {
        @Override
        public RecordType recordType() {
            return RecordType.UNKNOWN;
        }
    }
}
