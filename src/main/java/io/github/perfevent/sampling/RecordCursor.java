/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_CONTEXT_MAX;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.github.perfevent.sys.bindings.perf_branch_entry;
import io.github.perfevent.sys.bindings.perf_event_header;
import io.github.perfevent.sys.bindings.perf_sample_weight;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A zero-allocation view of one record in memory (a ring buffer, a copy of one, a file): a flyweight that reads
 * every field in place (perf_event_open(2), "MMAP layout"). {@link #wrap} positions it on the record at an offset,
 * checks that the record is one the kernel could have written and computes the offsets of its fields once; the
 * accessors then read them without slicing, boxing or allocating. {@link #walk} and {@link #next()} step through
 * consecutive records.
 *
 * <pre>{@code
 * RecordCursor cursor = RecordCursor.of(format).walk(buffer);
 * while (cursor.next()) {
 *     if (cursor.recordType() == RecordType.SAMPLE) {
 *         histogram.add(cursor.ip());
 *     }
 * }
 * }</pre>
 *
 * <p>A record is a {@code perf_event_header} ({@code type}, {@code misc}, {@code size}) and a body of
 * {@code size - 8} bytes. A {@link RecordType#SAMPLE} has the {@link SampleField}s of the format's
 * {@code sample_type}, in the kernel's order; every other type has the fields of its {@link RecordType#fields()
 * table}, then a {@code struct sample_id} when the format's {@code sample_id_all} is set. The accessors
 * {@link #pid()}, {@link #tid()}, {@link #time()}, {@link #id()}, {@link #streamId()} and {@link #cpu()} read a
 * sample's own fields or, for every other type, its {@code sample_id}: so records of all types can be ordered by
 * time and told apart by event id.
 *
 * <p>Reading a field the current record does not have throws {@link IllegalStateException} naming the field; an
 * index out of range throws {@link IndexOutOfBoundsException}. Nothing is ever read outside the current record.
 * A cursor is not thread-safe; the memory must stay alive while it is read.
 */
public final class RecordCursor {

    private static final int HEADER = Math.toIntExact(perf_event_header.sizeof());
    private static final long TYPE = perf_event_header.type$offset();
    private static final long MISC = perf_event_header.misc$offset();
    private static final long SIZE = perf_event_header.size$offset();
    private static final int BRANCH_ENTRY = Math.toIntExact(perf_branch_entry.sizeof());
    private static final long BRANCH_FROM = perf_branch_entry.from$offset();
    private static final long BRANCH_TO = perf_branch_entry.to$offset();
    /** The u64 of perf_branch_entry's bitfields (mispred ... reserved), after {@code to}. */
    private static final long BRANCH_FLAGS = perf_branch_entry.to$offset() + Long.BYTES;
    private static final long WEIGHT_VAR1 = perf_sample_weight.var1_dw$offset();
    private static final long WEIGHT_VAR2 = perf_sample_weight.var2_w$offset();
    private static final long WEIGHT_VAR3 = perf_sample_weight.var3_w$offset();
    private static final long FIRST_CONTEXT = PERF_CONTEXT_MAX();

    private static final int IDENTIFIER = SampleField.IDENTIFIER.ordinal();
    private static final int IP = SampleField.IP.ordinal();
    private static final int TID = SampleField.TID.ordinal();
    private static final int TIME = SampleField.TIME.ordinal();
    private static final int ADDR = SampleField.ADDR.ordinal();
    private static final int ID = SampleField.ID.ordinal();
    private static final int STREAM_ID = SampleField.STREAM_ID.ordinal();
    private static final int CPU = SampleField.CPU.ordinal();
    private static final int PERIOD = SampleField.PERIOD.ordinal();
    private static final int READ = SampleField.READ.ordinal();
    private static final int CALLCHAIN = SampleField.CALLCHAIN.ordinal();
    private static final int RAW = SampleField.RAW.ordinal();
    private static final int BRANCH_STACK = SampleField.BRANCH_STACK.ordinal();
    private static final int REGS_USER = SampleField.REGS_USER.ordinal();
    private static final int STACK_USER = SampleField.STACK_USER.ordinal();
    private static final int WEIGHT = SampleField.WEIGHT.ordinal();
    private static final int WEIGHT_STRUCT = SampleField.WEIGHT_STRUCT.ordinal();
    private static final int DATA_SRC = SampleField.DATA_SRC.ordinal();
    private static final int TRANSACTION = SampleField.TRANSACTION.ordinal();
    private static final int REGS_INTR = SampleField.REGS_INTR.ordinal();
    private static final int PHYS_ADDR = SampleField.PHYS_ADDR.ordinal();
    private static final int CGROUP = SampleField.CGROUP.ordinal();
    private static final int DATA_PAGE_SIZE = SampleField.DATA_PAGE_SIZE.ordinal();
    private static final int CODE_PAGE_SIZE = SampleField.CODE_PAGE_SIZE.ordinal();
    private static final int AUX = SampleField.AUX.ordinal();
    private static final SampleField[] FIELDS = SampleField.values();
    private static final int[] NO_OFFSETS = new int[FIELDS.length];
    private static final long[] NO_OFFSETS_LONG = new long[FIELDS.length];

    static {
        Arrays.fill(NO_OFFSETS, -1);
        Arrays.fill(NO_OFFSETS_LONG, -1);
    }

    private static final int READ_VALUES = RecordType.READ.field("values").offset();
    private static final int NAMESPACES_NR = RecordType.NAMESPACES.field("nr_namespaces").offset();
    private static final int NAMESPACE_LINK = RecordType.NAMESPACES.field("namespaces").size();
    private static final int DEFERRED_NR = RecordType.CALLCHAIN_DEFERRED.field("nr").offset();
    private static final RecordType.Field POKE_OLD = RecordType.TEXT_POKE.field("old_len");
    private static final RecordType.Field POKE_NEW = RecordType.TEXT_POKE.field("new_len");

    private SampleFormat format;
    /** The format the current record was decoded with. */
    private SampleFormat decoded;
    private MemorySegment segment;
    private long base = -1;
    private int size;
    private int type;
    private RecordType recordType;
    /** Where the body ends: the record's end, or the start of its sample_id. */
    private long bodyEnd;
    /**
     * Where the fields of fixed place are: a sample's fields before READ at {@code idBase + idOffsets[field]}
     * ({@code idBase} after the header), or a sample_id's ({@code idBase} at its start); -1 entries are absent.
     */
    private long idBase;
    private int[] idOffsets = NO_OFFSETS;
    /** Absolute offset of each part of variable place (READ ... AUX: its count or size word); -1 when absent. */
    private final long[] at = NO_OFFSETS_LONG.clone();
    /** Whether {@link #at} has an entry set, to be cleared before the next record. */
    private boolean variableParts = true;
    private int readCount;
    private int callchainLength;
    private int rawSize;
    private int branchCount;
    private long branchEntries;
    private int regsUserCount;
    private int regsIntrCount;
    private long stackUserSize;
    private long auxSize;
    /** Where the walk's next record starts; -1 when no walk is under way. */
    private long nextOffset = -1;
    private long unknownRecords;

    private RecordCursor(SampleFormat format) {
        this.format = format;
    }

    /**
     * {@return a cursor over records of {@code format}, positioned on nothing yet}
     *
     * @param format the format of the records (that of the attr of the event that writes them)
     * @throws NullPointerException if {@code format} is null
     */
    public static RecordCursor of(SampleFormat format) {
        return new RecordCursor(Objects.requireNonNull(format, "format"));
    }

    /** {@return the format records are decoded with} */
    public SampleFormat format() {
        return format;
    }

    /**
     * Decodes the following records with {@code format} (several events writing into one buffer through
     * {@code PERF_EVENT_IOC_SET_OUTPUT} may differ in format; {@code PERF_SAMPLE_IDENTIFIER} tells them apart).
     * The current record is not decoded again: wrap it again to read it with the new format.
     *
     * @param format the format of the records to come
     * @return this cursor
     * @throws NullPointerException if {@code format} is null
     */
    public RecordCursor format(SampleFormat format) {
        this.format = Objects.requireNonNull(format, "format");
        return this;
    }

    /**
     * Positions the cursor on the record whose {@code perf_event_header} starts at {@code offset} of {@code segment}
     * (the header and body must be contiguous there: a record that wraps the end of a ring buffer is copied whole
     * first), checks it and computes where its fields are. Ends a walk ({@link #walk}).
     *
     * @param segment the memory the record is in
     * @param offset where its header starts
     * @return this cursor
     * @throws MalformedRecordException if the bytes are not a record the kernel writes: a size under 8 or not a
     *     multiple of 8, a record past the end of {@code segment}, or a body too short for what its format and
     *     counts say it holds; the cursor is then positioned on nothing
     * @throws NullPointerException if {@code segment} is null
     */
    public RecordCursor wrap(MemorySegment segment, long offset) {
        Objects.requireNonNull(segment, "segment");
        nextOffset = -1; // a walk does not survive a wrap elsewhere
        return position(segment, offset);
    }

    private RecordCursor position(MemorySegment segment, long offset) {
        this.segment = segment;
        this.base = -1;
        if (offset < 0 || offset > segment.byteSize() - HEADER) {
            throw new MalformedRecordException(offset, "a perf_event_header needs " + HEADER + " bytes; "
                    + Math.max(0, segment.byteSize() - Math.max(offset, 0)) + " are left in the "
                    + segment.byteSize() + "-byte segment");
        }
        int size = Short.toUnsignedInt(segment.get(JAVA_SHORT_UNALIGNED, offset + SIZE));
        if (size < HEADER || size % Long.BYTES != 0) {
            throw new MalformedRecordException(offset, "header.size " + size
                    + " is not a size the kernel writes (at least 8, a multiple of 8)");
        }
        if (size > segment.byteSize() - offset) {
            throw new MalformedRecordException(offset, "header.size " + size + " runs past the end of the "
                    + segment.byteSize() + "-byte segment");
        }
        this.type = segment.get(JAVA_INT_UNALIGNED, offset + TYPE);
        this.recordType = RecordType.of(type);
        this.size = size;
        if (variableParts) { // the counts need no reset: they are read only behind a set entry
            Arrays.fill(at, READ, at.length, -1); // the fields before READ have fixed places, never set here
            variableParts = false;
        }
        this.decoded = format;
        if (recordType == RecordType.SAMPLE) {
            layOutSample(offset);
        } else {
            layOutOther(offset);
        }
        this.base = offset;
        return this;
    }

    /**
     * Prepares a walk over the consecutive records that fill {@code segment} from its start (such as a drained
     * ring buffer's bytes): {@link #next()} then positions the cursor on each in turn. Resets
     * {@link #unknownRecords()}.
     *
     * @param segment records, one after the other, filling it exactly
     * @return this cursor, positioned on nothing
     * @throws NullPointerException if {@code segment} is null
     */
    public RecordCursor walk(MemorySegment segment) {
        this.segment = Objects.requireNonNull(segment, "segment");
        this.base = -1;
        this.nextOffset = 0;
        this.unknownRecords = 0;
        return this;
    }

    /**
     * Moves to the next record of the walk started by {@link #walk}. A record of a type the header does not
     * define ({@link RecordType#UNKNOWN}) is delivered too, with its size, header and sample_id only, and counted
     * in {@link #unknownRecords()}: skip it, it is never an error.
     *
     * @return whether the cursor is on a record; false at the end of the segment
     * @throws MalformedRecordException as {@link #wrap} does; the walk cannot go on past it (its size is unknown)
     * @throws IllegalStateException if no walk is under way (none was started, or {@link #wrap} ended it)
     */
    public boolean next() {
        if (nextOffset < 0) {
            throw new IllegalStateException("no walk: call walk(segment) first");
        }
        if (nextOffset >= segment.byteSize()) {
            base = -1;
            return false;
        }
        long offset = nextOffset;
        nextOffset = segment.byteSize(); // a malformed record ends the walk
        position(segment, offset);
        nextOffset = offset + size;
        if (recordType == RecordType.UNKNOWN) {
            unknownRecords++;
        }
        return true;
    }

    /** {@return how many records of a type the header does not define this walk has met} */
    public long unknownRecords() {
        return unknownRecords;
    }

    private void layOutSample(long offset) {
        SampleFormat f = format;
        long end = offset + size;
        long body = offset + HEADER;
        if (f.samplePrefixSize > size - HEADER) {
            throw new MalformedRecordException(offset, "a sample of " + f.sampleFields() + " needs at least "
                    + (HEADER + f.samplePrefixSize) + " bytes; header.size is " + size);
        }
        idBase = body;
        idOffsets = f.sampleOffsets;
        if (f.sampleVariableFields.length == 0) {
            return;
        }
        variableParts = true;
        long p = body + f.samplePrefixSize;
        for (SampleField field : f.sampleVariableFields) { // in the kernel's order
            at[field.ordinal()] = p;
            p = switch (field) {
                case READ -> layOutRead(offset, p, end);
                case CALLCHAIN -> {
                    long nr = word(offset, p, end, "callchain nr");
                    callchainLength = count(offset, nr, Long.BYTES, end - p - Long.BYTES, "callchain");
                    yield p + Long.BYTES + (long) callchainLength * Long.BYTES;
                }
                case RAW -> {
                    if (end - p < Integer.BYTES) {
                        throw truncated(offset, "raw size");
                    }
                    long raw = Integer.toUnsignedLong(segment.get(JAVA_INT_UNALIGNED, p));
                    rawSize = count(offset, raw, 1, end - p - Integer.BYTES, "raw data");
                    yield p + Integer.BYTES + rawSize;
                }
                case BRANCH_STACK -> layOutBranchStack(offset, p, end);
                case REGS_USER -> {
                    long abi = word(offset, p, end, "user regs abi");
                    regsUserCount = abi == 0 ? 0
                            : count(offset, f.regsUserCount, Long.BYTES, end - p - Long.BYTES, "user regs");
                    yield p + Long.BYTES + (long) regsUserCount * Long.BYTES;
                }
                case STACK_USER -> {
                    long stack = word(offset, p, end, "user stack size");
                    stackUserSize = count(offset, stack, 1, end - p - Long.BYTES, "user stack");
                    long after = p + Long.BYTES + stackUserSize;
                    if (stackUserSize != 0) { // dyn_size only after a dump
                        word(offset, after, end, "user stack dyn_size");
                        after += Long.BYTES;
                    }
                    yield after;
                }
                case REGS_INTR -> {
                    long abi = word(offset, p, end, "interrupt regs abi");
                    regsIntrCount = abi == 0 ? 0
                            : count(offset, f.regsIntrCount, Long.BYTES, end - p - Long.BYTES, "interrupt regs");
                    yield p + Long.BYTES + (long) regsIntrCount * Long.BYTES;
                }
                case AUX -> {
                    long aux = word(offset, p, end, "aux size");
                    auxSize = count(offset, aux, 1, end - p - Long.BYTES, "aux data");
                    yield p + Long.BYTES + auxSize;
                }
                default -> { // WEIGHT or WEIGHT_STRUCT, DATA_SRC, TRANSACTION, PHYS_ADDR, CGROUP, page sizes: a u64
                    if (end - p < Long.BYTES) {
                        throw truncated(offset, field.name().toLowerCase(java.util.Locale.ROOT));
                    }
                    yield p + Long.BYTES;
                }
            };
        }
    }

    private long layOutBranchStack(long offset, long p, long end) {
        SampleFormat f = format;
        long nr = word(offset, p, end, "branch stack nr");
        p += Long.BYTES;
        if (f.branchHwIndex) {
            word(offset, p, end, "branch stack hw_idx");
            p += Long.BYTES;
        }
        branchEntries = p;
        int entry = BRANCH_ENTRY + (f.branchCounters ? Long.BYTES : 0);
        branchCount = count(offset, nr, entry, end - p, "branch stack");
        return p + (long) branchCount * entry;
    }

    /** Lays out a read_format at {@code p}; returns the offset after it. */
    private long layOutRead(long offset, long p, long end) {
        SampleFormat f = format;
        int times = (f.readEnabled ? 1 : 0) + (f.readRunning ? 1 : 0);
        if (!f.readGroup) {
            long bytes = (long) (1 + times + f.readWordsPerValue - 1) * Long.BYTES;
            if (end - p < bytes) {
                throw truncated(offset, "read values");
            }
            readCount = 1;
            return p + bytes;
        }
        long nr = word(offset, p, end, "read group nr");
        p += Long.BYTES;
        if (end - p < (long) times * Long.BYTES) {
            throw truncated(offset, "read times");
        }
        p += (long) times * Long.BYTES;
        readCount = count(offset, nr, f.readWordsPerValue * Long.BYTES, end - p, "read group");
        return p + (long) readCount * f.readWordsPerValue * Long.BYTES;
    }

    private long word(long offset, long p, long end, String what) {
        if (end - p < Long.BYTES) {
            throw truncated(offset, what);
        }
        return segment.get(JAVA_LONG_UNALIGNED, p);
    }

    /** Checks that {@code nr} elements of {@code element} bytes fit in {@code room}; returns nr. */
    private static int count(long offset, long nr, int element, long room, String what) {
        if (nr < 0 || nr > room / element) {
            throw new MalformedRecordException(offset, Long.toUnsignedString(nr) + " elements of " + what + " ("
                    + element + " bytes each) do not fit in the " + room + " bytes left in the record");
        }
        return (int) nr;
    }

    private MalformedRecordException truncated(long offset, String what) {
        return new MalformedRecordException(offset, "the record ends (header.size " + size + ") before its "
                + what);
    }

    private void layOutOther(long offset) {
        SampleFormat f = format;
        long end = offset + size;
        int trailer = f.sampleIdSize;
        if (recordType == RecordType.UNKNOWN && trailer > size - HEADER) {
            trailer = 0; // too short to end with a sample_id: not ours to judge
        }
        if (recordType.fixedSize() + trailer > size - HEADER) {
            throw new MalformedRecordException(offset, "a PERF_RECORD_" + recordType + " needs at least "
                    + (HEADER + recordType.fixedSize() + trailer) + " bytes with this format; header.size is "
                    + size);
        }
        bodyEnd = end - trailer;
        idBase = bodyEnd;
        idOffsets = trailer > 0 ? f.sampleIdOffsets : NO_OFFSETS;
        switch (recordType) {
            case READ -> {
                at[READ] = offset + READ_VALUES;
                variableParts = true;
                layOutRead(offset, offset + READ_VALUES, bodyEnd);
            }
            case NAMESPACES -> {
                long nr = segment.get(JAVA_LONG_UNALIGNED, offset + NAMESPACES_NR);
                count(offset, nr, NAMESPACE_LINK,
                        bodyEnd - offset - NAMESPACES_NR - Long.BYTES, "namespaces");
            }
            case CALLCHAIN_DEFERRED -> {
                long nr = segment.get(JAVA_LONG_UNALIGNED, offset + DEFERRED_NR);
                callchainLength = count(offset, nr, Long.BYTES, bodyEnd - offset - DEFERRED_NR - Long.BYTES,
                        "deferred callchain");
                at[CALLCHAIN] = offset + DEFERRED_NR;
                variableParts = true;
            }
            case TEXT_POKE -> {
                long bytes = unsigned(offset, POKE_OLD) + unsigned(offset, POKE_NEW);
                count(offset, bytes, 1, bodyEnd - offset - POKE_NEW.offset() - POKE_NEW.size(), "text poke bytes");
            }
            default -> {
                // fixed-size bodies (checked above) and strings, which end at the sample_id
            }
        }
    }

    private long unsigned(long offset, RecordType.Field field) {
        long at = offset + field.offset();
        return switch (field.kind()) {
            case U8 -> Byte.toUnsignedLong(segment.get(JAVA_BYTE, at));
            case U16 -> Short.toUnsignedLong(segment.get(JAVA_SHORT_UNALIGNED, at));
            case U32 -> Integer.toUnsignedLong(segment.get(JAVA_INT_UNALIGNED, at));
            case U64 -> segment.get(JAVA_LONG_UNALIGNED, at);
            default -> throw new IllegalArgumentException("field '" + field.name() + "' of PERF_RECORD_"
                    + field.type() + " is " + field.kind() + ", not an integer");
        };
    }

    private void positioned() {
        if (base < 0) {
            throw new IllegalStateException("the cursor is on no record: wrap it, or call next()");
        }
    }

    private long at(int field) {
        positioned();
        int fixed = idOffsets[field];
        if (fixed >= 0) {
            return idBase + fixed;
        }
        long a = at[field];
        if (a < 0) {
            throw absent(FIELDS[field]);
        }
        return a;
    }

    private IllegalStateException absent(SampleField field) {
        String why;
        if (recordType == RecordType.SAMPLE) {
            why = "the format's sample_type lacks PERF_SAMPLE_" + field;
        } else if (Arrays.asList(SampleFormat.SAMPLE_ID_ORDER).contains(field)) {
            why = "other records than samples have it only in their sample_id, and the format lacks sample_id_all "
                    + "or PERF_SAMPLE_" + field;
        } else {
            why = "only samples have it";
        }
        return new IllegalStateException("this PERF_RECORD_" + recordType + " has no " + field + ": " + why);
    }

    private long u64(long at) {
        return segment.get(JAVA_LONG_UNALIGNED, at);
    }

    // ---- the header ----

    /** {@return the offset of the current record's header in its segment} */
    public long offset() {
        positioned();
        return base;
    }

    /** {@return the segment the current record is in} */
    public MemorySegment segment() {
        positioned();
        return segment;
    }

    /** {@return {@code header.type}, the {@code PERF_RECORD_*} value (also of a type the header lacks)} */
    public int type() {
        positioned();
        return type;
    }

    /** {@return the record type; {@link RecordType#UNKNOWN} for a type the header does not define} */
    public RecordType recordType() {
        positioned();
        return recordType;
    }

    /**
     * {@return {@code header.misc}: the {@code PERF_RECORD_MISC_*} bits (the CPU mode in bits 0-2, and flags whose
     * meaning depends on the type: {@code COMM_EXEC}, {@code SWITCH_OUT}, {@code MMAP_BUILD_ID}, {@code EXACT_IP}...)}
     */
    public int misc() {
        positioned();
        return Short.toUnsignedInt(segment.get(JAVA_SHORT_UNALIGNED, base + MISC));
    }

    /** {@return {@code header.size}: the bytes of the record, header included} */
    public int size() {
        positioned();
        return size;
    }

    /**
     * {@return whether the current record has {@code field}: a sample has the fields of {@code sample_type}; every
     * other type only the {@code sample_id} ones (TID, TIME, ID, STREAM_ID, CPU, IDENTIFIER) with
     * {@code sample_id_all}, and a {@code PERF_RECORD_READ} its read values}
     *
     * @param field a sample field
     */
    public boolean has(SampleField field) {
        positioned();
        return idOffsets[field.ordinal()] >= 0 || at[field.ordinal()] >= 0;
    }

    // ---- sample_id: samples and every other record ----

    /**
     * {@return the process id: {@code PERF_SAMPLE_TID}'s pid, of the sample or of the sample_id}
     *
     * @throws IllegalStateException if the record has no TID (see {@link #has})
     */
    public int pid() {
        return segment.get(JAVA_INT_UNALIGNED, at(TID));
    }

    /**
     * {@return the thread id: {@code PERF_SAMPLE_TID}'s tid, of the sample or of the sample_id}
     *
     * @throws IllegalStateException if the record has no TID
     */
    public int tid() {
        return segment.get(JAVA_INT_UNALIGNED, at(TID) + Integer.BYTES);
    }

    /**
     * {@return the timestamp ({@code PERF_SAMPLE_TIME}), of the sample or of the sample_id: the key to merge streams}
     *
     * @throws IllegalStateException if the record has no TIME
     */
    public long time() {
        return u64(at(TIME));
    }

    /**
     * {@return the event's id: {@code PERF_SAMPLE_ID}, else {@code PERF_SAMPLE_IDENTIFIER} (the same value), of the
     * sample or of the sample_id}
     *
     * @throws IllegalStateException if the record has neither
     */
    public long id() {
        positioned();
        return u64(idOffsets[ID] >= 0 ? idBase + idOffsets[ID] : at(IDENTIFIER));
    }

    /**
     * {@return the id of the event this one was inherited from ({@code PERF_SAMPLE_STREAM_ID})}
     *
     * @throws IllegalStateException if the record has no STREAM_ID
     */
    public long streamId() {
        return u64(at(STREAM_ID));
    }

    /**
     * {@return the CPU ({@code PERF_SAMPLE_CPU})}
     *
     * @throws IllegalStateException if the record has no CPU
     */
    public int cpu() {
        return segment.get(JAVA_INT_UNALIGNED, at(CPU));
    }

    // ---- sample fields ----

    /**
     * {@return the instruction pointer ({@code PERF_SAMPLE_IP})}
     *
     * @throws IllegalStateException if the record has no IP
     */
    public long ip() {
        return u64(at(IP));
    }

    /**
     * {@return the address ({@code PERF_SAMPLE_ADDR})}
     *
     * @throws IllegalStateException if the record has no ADDR
     */
    public long addr() {
        return u64(at(ADDR));
    }

    /**
     * {@return the sampling period ({@code PERF_SAMPLE_PERIOD})}
     *
     * @throws IllegalStateException if the record has no PERIOD
     */
    public long period() {
        return u64(at(PERIOD));
    }

    /**
     * {@return the number of read values ({@code PERF_SAMPLE_READ}, or a {@code PERF_RECORD_READ}): 1, or a group's
     * {@code nr}}
     *
     * @throws IllegalStateException if the record has no read values
     */
    public int readValueCount() {
        at(READ);
        return readCount;
    }

    /**
     * {@return the counter value {@code i}: of the event, or of the group's {@code i}-th member (the leader first)}
     *
     * @param i the index, from 0 to {@link #readValueCount()} - 1
     * @throws IllegalStateException if the record has no read values
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public long readValue(int i) {
        return u64(readEntry(i));
    }

    /**
     * {@return the id of value {@code i} ({@code PERF_FORMAT_ID})}
     *
     * @param i the index, from 0 to {@link #readValueCount()} - 1
     * @throws IllegalStateException if the record has no read values, or they have no id
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public long readId(int i) {
        long entry = readEntry(i);
        if (!decoded.readId) {
            throw new IllegalStateException("the read_format lacks PERF_FORMAT_ID");
        }
        return u64(readExtras(entry));
    }

    /**
     * {@return the lost count of value {@code i} ({@code PERF_FORMAT_LOST})}
     *
     * @param i the index, from 0 to {@link #readValueCount()} - 1
     * @throws IllegalStateException if the record has no read values, or they have no lost count
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public long readLost(int i) {
        long entry = readEntry(i);
        if (!decoded.readLost) {
            throw new IllegalStateException("the read_format lacks PERF_FORMAT_LOST");
        }
        return u64(readExtras(entry) + (decoded.readId ? Long.BYTES : 0));
    }

    /**
     * {@return the time the event was enabled, in ns ({@code PERF_FORMAT_TOTAL_TIME_ENABLED})}
     *
     * @throws IllegalStateException if the record has no read values, or they have no enabled time
     */
    public long readTimeEnabled() {
        long read = at(READ);
        if (!decoded.readEnabled) {
            throw new IllegalStateException("the read_format lacks PERF_FORMAT_TOTAL_TIME_ENABLED");
        }
        return u64(read + Long.BYTES);
    }

    /**
     * {@return the time the event ran, in ns ({@code PERF_FORMAT_TOTAL_TIME_RUNNING})}
     *
     * @throws IllegalStateException if the record has no read values, or they have no running time
     */
    public long readTimeRunning() {
        long read = at(READ);
        if (!decoded.readRunning) {
            throw new IllegalStateException("the read_format lacks PERF_FORMAT_TOTAL_TIME_RUNNING");
        }
        return u64(read + Long.BYTES + (decoded.readEnabled ? Long.BYTES : 0));
    }

    private long readEntry(int i) {
        long read = at(READ);
        Objects.checkIndex(i, readCount);
        int times = (decoded.readEnabled ? 1 : 0) + (decoded.readRunning ? 1 : 0);
        return decoded.readGroup
                ? read + (long) (1 + times) * Long.BYTES + (long) i * decoded.readWordsPerValue * Long.BYTES
                : read;
    }

    private long readExtras(long entry) {
        if (decoded.readGroup) {
            return entry + Long.BYTES;
        }
        int times = (decoded.readEnabled ? 1 : 0) + (decoded.readRunning ? 1 : 0);
        return entry + (long) (1 + times) * Long.BYTES;
    }

    /**
     * {@return the number of entries of the callchain ({@code PERF_SAMPLE_CALLCHAIN}, or the {@code ips} of a
     * {@code PERF_RECORD_CALLCHAIN_DEFERRED}), markers included}
     *
     * @throws IllegalStateException if the record has no callchain
     */
    public int callchainLength() {
        at(CALLCHAIN);
        return callchainLength;
    }

    /**
     * {@return entry {@code i} of the callchain: an instruction pointer, or a {@code PERF_CONTEXT_*} marker
     * ({@link #isContextMarker}) that says whose frames follow (kernel, user, guest...; see {@link CallchainContext})}
     *
     * @param i the index, from 0 (the innermost frame, after its context marker) to {@link #callchainLength()} - 1
     * @throws IllegalStateException if the record has no callchain
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public long callchain(int i) {
        long chain = at(CALLCHAIN);
        Objects.checkIndex(i, callchainLength);
        return u64(chain + Long.BYTES + (long) i * Long.BYTES);
    }

    /**
     * {@return whether a callchain entry is a {@code PERF_CONTEXT_*} marker (a value from {@code PERF_CONTEXT_MAX},
     * -4095, to -1) rather than an address}
     *
     * @param entry a callchain entry
     */
    public static boolean isContextMarker(long entry) {
        return Long.compareUnsigned(entry, FIRST_CONTEXT) >= 0;
    }

    /**
     * {@return the bytes of raw data ({@code PERF_SAMPLE_RAW}), padding included (the kernel pads {@code size} and
     * data to a multiple of 8)}
     *
     * @throws IllegalStateException if the record has no RAW
     */
    public int rawSize() {
        at(RAW);
        return rawSize;
    }

    /**
     * {@return the offset of the raw data in {@link #segment()}}
     *
     * @throws IllegalStateException if the record has no RAW
     */
    public long rawOffset() {
        return at(RAW) + Integer.BYTES;
    }

    /**
     * {@return the raw data, as a slice of the segment (allocates the slice; read it before the memory is reused)}
     *
     * @throws IllegalStateException if the record has no RAW
     */
    public MemorySegment raw() {
        return segment.asSlice(rawOffset(), rawSize);
    }

    /**
     * {@return the number of branch entries ({@code PERF_SAMPLE_BRANCH_STACK})}
     *
     * @throws IllegalStateException if the record has no branch stack
     */
    public int branchCount() {
        at(BRANCH_STACK);
        return branchCount;
    }

    /**
     * {@return the branch stack's {@code hw_idx} (the hardware index of the newest entry)}
     *
     * @throws IllegalStateException if the record has no branch stack, or its format lacks
     *     {@code PERF_SAMPLE_BRANCH_HW_INDEX}
     */
    public long branchHwIndex() {
        long stack = at(BRANCH_STACK);
        if (!decoded.branchHwIndex) {
            throw new IllegalStateException("the branch_sample_type lacks PERF_SAMPLE_BRANCH_HW_INDEX");
        }
        return u64(stack + Long.BYTES);
    }

    /**
     * {@return the {@code from} of branch entry {@code i}}
     *
     * @param i the index, from 0 (the newest) to {@link #branchCount()} - 1
     * @throws IllegalStateException if the record has no branch stack
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public long branchFrom(int i) {
        return u64(branchEntryOffset(i) + BRANCH_FROM);
    }

    /**
     * {@return the {@code to} of branch entry {@code i}}
     *
     * @param i the index, from 0 to {@link #branchCount()} - 1
     * @throws IllegalStateException if the record has no branch stack
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public long branchTo(int i) {
        return u64(branchEntryOffset(i) + BRANCH_TO);
    }

    /**
     * {@return the u64 of bitfields of branch entry {@code i} (mispred, predicted, in_tx, abort, cycles, type,
     * spec, new_type, priv): decode it with {@link io.github.perfevent.sys.bitfields.perf_branch_entry_bits} on
     * {@link #branchEntry(int)}, or through {@link PerfRecord.Branch}}
     *
     * @param i the index, from 0 to {@link #branchCount()} - 1
     * @throws IllegalStateException if the record has no branch stack
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public long branchFlags(int i) {
        return u64(branchEntryOffset(i) + BRANCH_FLAGS);
    }

    /**
     * {@return branch entry {@code i} as a {@code struct perf_branch_entry} slice (allocates the slice)}
     *
     * @param i the index, from 0 to {@link #branchCount()} - 1
     * @throws IllegalStateException if the record has no branch stack
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public MemorySegment branchEntry(int i) {
        return segment.asSlice(branchEntryOffset(i), BRANCH_ENTRY);
    }

    /**
     * {@return the counters word of branch entry {@code i} ({@code PERF_SAMPLE_BRANCH_COUNTERS}; its layout is given
     * by the PMU's {@code branch_counter_nr} and {@code branch_counter_width})}
     *
     * @param i the index, from 0 to {@link #branchCount()} - 1
     * @throws IllegalStateException if the record has no branch stack, or its format lacks
     *     {@code PERF_SAMPLE_BRANCH_COUNTERS}
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public long branchCounters(int i) {
        at(BRANCH_STACK);
        if (!decoded.branchCounters) {
            throw new IllegalStateException("the branch_sample_type lacks PERF_SAMPLE_BRANCH_COUNTERS");
        }
        Objects.checkIndex(i, branchCount);
        return u64(branchEntries + (long) branchCount * BRANCH_ENTRY + (long) i * Long.BYTES);
    }

    private long branchEntryOffset(int i) {
        at(BRANCH_STACK);
        Objects.checkIndex(i, branchCount);
        return branchEntries + (long) i * BRANCH_ENTRY;
    }

    /**
     * {@return the ABI of the user registers ({@code PERF_SAMPLE_REGS_ABI_*}; 0, NONE, when the task had none, such
     * as a kernel thread, and then no registers follow)}
     *
     * @throws IllegalStateException if the record has no REGS_USER
     */
    public long regsUserAbi() {
        return u64(at(REGS_USER));
    }

    /**
     * {@return the number of user registers: the bits of {@code sample_regs_user}, or 0 when the ABI is NONE}
     *
     * @throws IllegalStateException if the record has no REGS_USER
     */
    public int regsUserCount() {
        at(REGS_USER);
        return regsUserCount;
    }

    /**
     * {@return user register {@code i}: that of the {@code i}-th lowest bit set in {@code sample_regs_user}}
     *
     * @param i the index, from 0 to {@link #regsUserCount()} - 1
     * @throws IllegalStateException if the record has no REGS_USER
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public long regsUser(int i) {
        long regs = at(REGS_USER);
        Objects.checkIndex(i, regsUserCount);
        return u64(regs + Long.BYTES + (long) i * Long.BYTES);
    }

    /**
     * {@return the ABI of the registers at the interrupt ({@code PERF_SAMPLE_REGS_ABI_*}; 0 when none follow)}
     *
     * @throws IllegalStateException if the record has no REGS_INTR
     */
    public long regsIntrAbi() {
        return u64(at(REGS_INTR));
    }

    /**
     * {@return the number of interrupt registers: the bits of {@code sample_regs_intr}, or 0 when the ABI is NONE}
     *
     * @throws IllegalStateException if the record has no REGS_INTR
     */
    public int regsIntrCount() {
        at(REGS_INTR);
        return regsIntrCount;
    }

    /**
     * {@return interrupt register {@code i}: that of the {@code i}-th lowest bit set in {@code sample_regs_intr}}
     *
     * @param i the index, from 0 to {@link #regsIntrCount()} - 1
     * @throws IllegalStateException if the record has no REGS_INTR
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public long regsIntr(int i) {
        long regs = at(REGS_INTR);
        Objects.checkIndex(i, regsIntrCount);
        return u64(regs + Long.BYTES + (long) i * Long.BYTES);
    }

    /**
     * {@return the bytes of user stack dumped ({@code PERF_SAMPLE_STACK_USER}'s size; 0 when there was no user
     * stack to dump)}
     *
     * @throws IllegalStateException if the record has no STACK_USER
     */
    public long stackUserSize() {
        at(STACK_USER);
        return stackUserSize;
    }

    /**
     * {@return the offset of the user stack dump in {@link #segment()}}
     *
     * @throws IllegalStateException if the record has no STACK_USER
     */
    public long stackUserOffset() {
        return at(STACK_USER) + Long.BYTES;
    }

    /**
     * {@return the user stack dump as a slice of the segment (allocates the slice)}
     *
     * @throws IllegalStateException if the record has no STACK_USER
     */
    public MemorySegment stackUser() {
        return segment.asSlice(stackUserOffset(), stackUserSize);
    }

    /**
     * {@return {@code dyn_size}: how many bytes of the dump are the stack's real content (the rest is padding); 0
     * when the size is 0, for then the kernel writes no dyn_size}
     *
     * @throws IllegalStateException if the record has no STACK_USER
     */
    public long stackUserDynSize() {
        long stack = at(STACK_USER);
        return stackUserSize == 0 ? 0 : u64(stack + Long.BYTES + stackUserSize);
    }

    /**
     * {@return the weight: the u64 of {@code PERF_SAMPLE_WEIGHT}, or the whole {@code union perf_sample_weight} of
     * {@code PERF_SAMPLE_WEIGHT_STRUCT}}
     *
     * @throws IllegalStateException if the record has neither
     */
    public long weight() {
        positioned();
        return u64(at[WEIGHT] >= 0 ? at[WEIGHT] : at(WEIGHT_STRUCT));
    }

    /**
     * {@return {@code var1_dw} of {@code union perf_sample_weight} (such as the access latency)}
     *
     * @throws IllegalStateException if the record has no WEIGHT_STRUCT
     */
    public int weightVar1() {
        return segment.get(JAVA_INT_UNALIGNED, at(WEIGHT_STRUCT) + WEIGHT_VAR1);
    }

    /**
     * {@return {@code var2_w} of {@code union perf_sample_weight}, zero-extended (such as the instruction latency)}
     *
     * @throws IllegalStateException if the record has no WEIGHT_STRUCT
     */
    public int weightVar2() {
        return Short.toUnsignedInt(segment.get(JAVA_SHORT_UNALIGNED, at(WEIGHT_STRUCT) + WEIGHT_VAR2));
    }

    /**
     * {@return {@code var3_w} of {@code union perf_sample_weight}, zero-extended}
     *
     * @throws IllegalStateException if the record has no WEIGHT_STRUCT
     */
    public int weightVar3() {
        return Short.toUnsignedInt(segment.get(JAVA_SHORT_UNALIGNED, at(WEIGHT_STRUCT) + WEIGHT_VAR3));
    }

    /**
     * {@return {@code union perf_mem_data_src} ({@code PERF_SAMPLE_DATA_SRC}) as its u64; see
     * {@link PerfRecord.MemDataSource}}
     *
     * @throws IllegalStateException if the record has no DATA_SRC
     */
    public long dataSrc() {
        return u64(at(DATA_SRC));
    }

    /**
     * {@return the {@code PERF_TXN_*} bits ({@code PERF_SAMPLE_TRANSACTION}), the abort code in bits 32-63}
     *
     * @throws IllegalStateException if the record has no TRANSACTION
     */
    public long transaction() {
        return u64(at(TRANSACTION));
    }

    /**
     * {@return the physical address ({@code PERF_SAMPLE_PHYS_ADDR})}
     *
     * @throws IllegalStateException if the record has no PHYS_ADDR
     */
    public long physAddr() {
        return u64(at(PHYS_ADDR));
    }

    /**
     * {@return the cgroup id ({@code PERF_SAMPLE_CGROUP})}
     *
     * @throws IllegalStateException if the record has no CGROUP
     */
    public long cgroup() {
        return u64(at(CGROUP));
    }

    /**
     * {@return the page size of the data address ({@code PERF_SAMPLE_DATA_PAGE_SIZE})}
     *
     * @throws IllegalStateException if the record has no DATA_PAGE_SIZE
     */
    public long dataPageSize() {
        return u64(at(DATA_PAGE_SIZE));
    }

    /**
     * {@return the page size of the code address ({@code PERF_SAMPLE_CODE_PAGE_SIZE})}
     *
     * @throws IllegalStateException if the record has no CODE_PAGE_SIZE
     */
    public long codePageSize() {
        return u64(at(CODE_PAGE_SIZE));
    }

    /**
     * {@return the bytes of AUX data ({@code PERF_SAMPLE_AUX})}
     *
     * @throws IllegalStateException if the record has no AUX
     */
    public long auxSize() {
        at(AUX);
        return auxSize;
    }

    /**
     * {@return the offset of the AUX data in {@link #segment()}}
     *
     * @throws IllegalStateException if the record has no AUX
     */
    public long auxOffset() {
        return at(AUX) + Long.BYTES;
    }

    /**
     * {@return the AUX data as a slice of the segment (allocates the slice)}
     *
     * @throws IllegalStateException if the record has no AUX
     */
    public MemorySegment aux() {
        return segment.asSlice(auxOffset(), auxSize);
    }

    // ---- the bodies of other records, by their tables ----

    /**
     * {@return integer {@code field} of the current record's body, zero-extended (read in place)}
     *
     * @param field a field of the current record's type, such as {@code RecordType.MMAP2.field("ino")} (look it up
     *     once, outside the loop)
     * @throws IllegalArgumentException if {@code field} is not an integer ({@link RecordType.Field#isInteger()})
     * @throws IllegalStateException if the current record is of another type
     * @throws NullPointerException if {@code field} is null
     */
    public long get(RecordType.Field field) {
        Objects.requireNonNull(field, "field");
        ofThisType(field);
        return unsigned(base, field);
    }

    /**
     * {@return string {@code field} of the current record's body ({@code filename}, {@code comm}, {@code name},
     * {@code path}): the bytes up to the first NUL, as UTF-8 (allocates)}
     *
     * @param field a {@link RecordType.Kind#STRING} field of the current record's type
     * @throws IllegalArgumentException if {@code field} is not a string
     * @throws IllegalStateException if the current record is of another type
     * @throws NullPointerException if {@code field} is null
     */
    public String string(RecordType.Field field) {
        Objects.requireNonNull(field, "field");
        ofThisType(field);
        if (field.kind() != RecordType.Kind.STRING) {
            throw new IllegalArgumentException("field '" + field.name() + "' of PERF_RECORD_" + field.type() + " is "
                    + field.kind() + ", not a string");
        }
        long start = base + field.offset();
        long end = start;
        while (end < bodyEnd && segment.get(JAVA_BYTE, end) != 0) {
            end++;
        }
        return new String(segment.asSlice(start, end - start).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private void ofThisType(RecordType.Field field) {
        positioned();
        if (field.type() != recordType) {
            throw new IllegalStateException("field '" + field.name() + "' is of PERF_RECORD_" + field.type()
                    + "; the current record is a PERF_RECORD_" + recordType);
        }
    }

    /** The format the current record was decoded with. */
    SampleFormat decodedFormat() {
        positioned();
        return decoded;
    }

    /** The IDENTIFIER itself (first in a sample, last in a sample_id). */
    long identifier() {
        return u64(at(IDENTIFIER));
    }

    /** The bytes of {@code length} from {@code offset} of the current segment. */
    byte[] bytes(long offset, long length) {
        return segment.asSlice(offset, length).toArray(JAVA_BYTE);
    }

    /** The u64 at {@code offset} of the current segment. */
    long word(long offset) {
        return u64(offset);
    }

    /**
     * {@return the current record as a plain Java record (allocates; for code that is not a hot loop)}
     *
     * @throws IllegalStateException if the cursor is on no record
     */
    public PerfRecord toRecord() {
        positioned();
        return Materializer.toRecord(this);
    }
}
