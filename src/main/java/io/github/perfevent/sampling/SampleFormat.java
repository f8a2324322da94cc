/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FORMAT_GROUP;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_BRANCH_COUNTERS;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_BRANCH_HW_INDEX;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_MAX;

import io.github.perfevent.ReadFormat;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Everything needed to lay out the records of one event's stream, taken from its {@code perf_event_attr}
 * (perf_event_open(2), "MMAP layout"): which fields a sample has ({@code sample_type}), how its counter values are
 * laid out ({@code read_format}), whether every other record ends with a {@code sample_id}
 * ({@code sample_id_all}), whether a branch stack has {@code hw_idx} and counters ({@code branch_sample_type}
 * with {@code PERF_SAMPLE_BRANCH_HW_INDEX}, {@code PERF_SAMPLE_BRANCH_COUNTERS}) and how many registers are dumped
 * ({@code sample_regs_user}, {@code sample_regs_intr}: one u64 per bit set). Immutable.
 *
 * <p>Made from an attr with {@link #of(MemorySegment)}, or field by field with {@link #builder()}.
 */
public final class SampleFormat {

    private static final long KNOWN_SAMPLE_BITS = Integer.toUnsignedLong(PERF_SAMPLE_MAX()) - 1;
    private static final long GROUP = PERF_FORMAT_GROUP();
    private static final long KNOWN_READ_BITS = GROUP | ReadFormat.TOTAL_TIME_ENABLED.bit()
            | ReadFormat.TOTAL_TIME_RUNNING.bit() | ReadFormat.ID.bit() | ReadFormat.LOST.bit();
    /** The fields a {@code struct sample_id} can have, in the order the kernel writes them there. */
    static final SampleField[] SAMPLE_ID_ORDER = {SampleField.TID, SampleField.TIME, SampleField.ID,
        SampleField.STREAM_ID, SampleField.CPU, SampleField.IDENTIFIER};

    private final long sampleType;
    private final long readFormat;
    private final boolean sampleIdAll;
    private final long branchSampleType;
    private final long regsUserMask;
    private final long regsIntrMask;

    /** Offsets in a sample's body of the fields before READ (all of fixed size), -1 when absent; by ordinal. */
    final int[] sampleOffsets = new int[SampleField.values().length];
    /** Bytes of a sample's body before READ. */
    final int samplePrefixSize;
    /** The fields of a sample from READ on, whose places depend on the record, in the kernel's order. */
    final SampleField[] sampleVariableFields;
    /** {@link #sampleFields()}, unmodifiable, shared by the records of this format. */
    final Set<SampleField> sampleFieldSet;
    /** The sample_id fields of a sample (those of sample_type) and of other records (with sample_id_all). */
    final Set<SampleField> sampleIdFieldsOfSamples;
    final Set<SampleField> sampleIdFieldsOfOthers;
    /** Offsets in a sample_id of its fields, -1 when absent; by ordinal. */
    final int[] sampleIdOffsets = new int[SampleField.values().length];
    /** Bytes of a sample_id (0 without sample_id_all). */
    final int sampleIdSize;
    final boolean readGroup;
    final boolean readEnabled;
    final boolean readRunning;
    final boolean readId;
    final boolean readLost;
    /** u64 words per value of a read_format: value, [id], [lost]. */
    final int readWordsPerValue;
    final boolean branchHwIndex;
    final boolean branchCounters;
    final int regsUserCount;
    final int regsIntrCount;

    private SampleFormat(Builder b) {
        if ((b.sampleType & ~KNOWN_SAMPLE_BITS) != 0) {
            throw new IllegalArgumentException("sample_type 0x" + Long.toHexString(b.sampleType) + " has bits 0x"
                    + Long.toHexString(b.sampleType & ~KNOWN_SAMPLE_BITS) + " that name no PERF_SAMPLE_* field of "
                    + "the Linux 7.2 header: a record with them cannot be laid out");
        }
        if ((b.sampleType & SampleField.WEIGHT.bit()) != 0 && (b.sampleType & SampleField.WEIGHT_STRUCT.bit()) != 0) {
            throw new IllegalArgumentException("sample_type has both PERF_SAMPLE_WEIGHT and PERF_SAMPLE_WEIGHT_STRUCT, "
                    + "which share one place in a sample (the kernel refuses them together with EINVAL)");
        }
        if ((b.readFormat & ~KNOWN_READ_BITS) != 0) {
            throw new IllegalArgumentException("read_format 0x" + Long.toHexString(b.readFormat) + " has bits 0x"
                    + Long.toHexString(b.readFormat & ~KNOWN_READ_BITS) + " that name no PERF_FORMAT_* of the Linux "
                    + "7.2 header: values read with them cannot be laid out");
        }
        this.sampleType = b.sampleType;
        this.readFormat = b.readFormat;
        this.sampleIdAll = b.sampleIdAll;
        this.branchSampleType = b.branchSampleType;
        this.regsUserMask = b.regsUserMask;
        this.regsIntrMask = b.regsIntrMask;

        Arrays.fill(sampleOffsets, -1);
        int offset = 0;
        for (SampleField f : SampleField.values()) {
            if (f == SampleField.READ) {
                break;
            }
            if (has(f)) {
                sampleOffsets[f.ordinal()] = offset;
                offset += Long.BYTES; // every field before READ is one u64 (TID and CPU are two u32s)
            }
        }
        this.samplePrefixSize = offset;
        this.sampleVariableFields = SampleField.of(sampleType).stream()
                .filter(f -> f.ordinal() >= SampleField.READ.ordinal()).toArray(SampleField[]::new);
        this.sampleFieldSet = FieldSet.of(SampleField.of(sampleType));
        Set<SampleField> ids = EnumSet.noneOf(SampleField.class);
        for (SampleField f : SAMPLE_ID_ORDER) {
            if (has(f)) {
                ids.add(f);
            }
        }
        this.sampleIdFieldsOfSamples = FieldSet.of(ids);
        this.sampleIdFieldsOfOthers = sampleIdAll ? sampleIdFieldsOfSamples : FieldSet.of(Set.of());
        Arrays.fill(sampleIdOffsets, -1);
        offset = 0;
        if (sampleIdAll) {
            for (SampleField f : SAMPLE_ID_ORDER) {
                if (has(f)) {
                    sampleIdOffsets[f.ordinal()] = offset;
                    offset += Long.BYTES;
                }
            }
        }
        this.sampleIdSize = offset;
        this.readGroup = (readFormat & GROUP) != 0;
        this.readEnabled = (readFormat & ReadFormat.TOTAL_TIME_ENABLED.bit()) != 0;
        this.readRunning = (readFormat & ReadFormat.TOTAL_TIME_RUNNING.bit()) != 0;
        this.readId = (readFormat & ReadFormat.ID.bit()) != 0;
        this.readLost = (readFormat & ReadFormat.LOST.bit()) != 0;
        this.readWordsPerValue = 1 + (readId ? 1 : 0) + (readLost ? 1 : 0);
        this.branchHwIndex = (branchSampleType & Integer.toUnsignedLong(PERF_SAMPLE_BRANCH_HW_INDEX())) != 0;
        this.branchCounters = (branchSampleType & Integer.toUnsignedLong(PERF_SAMPLE_BRANCH_COUNTERS())) != 0;
        this.regsUserCount = Long.bitCount(regsUserMask);
        this.regsIntrCount = Long.bitCount(regsIntrMask);
    }

    /**
     * {@return the format of the records an event opened with {@code attr} writes}
     *
     * @param attr a {@code struct perf_event_attr} of the generated layout's size
     *     ({@link perf_event_attr#allocate}), read through the generated accessors
     * @throws IllegalArgumentException if {@code attr} is smaller than {@link perf_event_attr#sizeof()}, or its
     *     fields cannot be laid out (see {@link Builder#build()})
     * @throws NullPointerException if {@code attr} is null
     */
    public static SampleFormat of(MemorySegment attr) {
        Objects.requireNonNull(attr, "attr");
        if (attr.byteSize() < perf_event_attr.sizeof()) {
            throw new IllegalArgumentException("attr is " + attr.byteSize() + " bytes; a perf_event_attr is "
                    + perf_event_attr.sizeof());
        }
        return builder()
                .sampleType(perf_event_attr.sample_type(attr))
                .readFormat(perf_event_attr.read_format(attr))
                .sampleIdAll(perf_event_attr_bits.sample_id_all(attr) != 0)
                .branchSampleType(perf_event_attr.branch_sample_type(attr))
                .regsUserMask(perf_event_attr.sample_regs_user(attr))
                .regsIntrMask(perf_event_attr.sample_regs_intr(attr))
                .build();
    }

    /** {@return a builder of a format with no sample fields, no read_format and no sample_id} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder that starts from this format's values} */
    public Builder toBuilder() {
        return new Builder().sampleType(sampleType).readFormat(readFormat).sampleIdAll(sampleIdAll)
                .branchSampleType(branchSampleType).regsUserMask(regsUserMask).regsIntrMask(regsIntrMask);
    }

    /** {@return the {@code sample_type} bits} */
    public long sampleType() {
        return sampleType;
    }

    /** {@return the fields of a sample, as a new set} */
    public Set<SampleField> sampleFields() {
        return SampleField.of(sampleType);
    }

    /**
     * {@return whether samples have {@code field}}
     *
     * @param field a sample field
     */
    public boolean has(SampleField field) {
        return (sampleType & field.bit()) != 0;
    }

    /** {@return the {@code read_format} bits, {@code PERF_FORMAT_GROUP} included} */
    public long readFormat() {
        return readFormat;
    }

    /** {@return the {@code read_format} bits other than {@code PERF_FORMAT_GROUP}, as a new set} */
    public Set<ReadFormat> readFormats() {
        Set<ReadFormat> formats = EnumSet.noneOf(ReadFormat.class);
        for (ReadFormat f : ReadFormat.values()) {
            if ((readFormat & f.bit()) != 0) {
                formats.add(f);
            }
        }
        return formats;
    }

    /** {@return whether {@code read_format} has {@code PERF_FORMAT_GROUP}: read values are a group's} */
    public boolean readGroup() {
        return readGroup;
    }

    /** {@return whether every record other than a sample ends with a {@code struct sample_id}} */
    public boolean sampleIdAll() {
        return sampleIdAll;
    }

    /** {@return the {@code branch_sample_type} bits} */
    public long branchSampleType() {
        return branchSampleType;
    }

    /** {@return whether a branch stack has {@code hw_idx} ({@code PERF_SAMPLE_BRANCH_HW_INDEX})} */
    public boolean branchHwIndex() {
        return branchHwIndex;
    }

    /** {@return whether a branch stack has a counters word per entry ({@code PERF_SAMPLE_BRANCH_COUNTERS})} */
    public boolean branchCounters() {
        return branchCounters;
    }

    /** {@return {@code sample_regs_user}: the user registers dumped, one bit per register} */
    public long regsUserMask() {
        return regsUserMask;
    }

    /** {@return {@code sample_regs_intr}: the registers dumped at the interrupt, one bit per register} */
    public long regsIntrMask() {
        return regsIntrMask;
    }

    /** {@return the bytes of the {@code struct sample_id} that ends every other record; 0 without one} */
    public int sampleIdSize() {
        return sampleIdSize;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SampleFormat f && f.sampleType == sampleType && f.readFormat == readFormat
                && f.sampleIdAll == sampleIdAll && f.branchSampleType == branchSampleType
                && f.regsUserMask == regsUserMask && f.regsIntrMask == regsIntrMask;
    }

    @Override
    public int hashCode() {
        return Objects.hash(sampleType, readFormat, sampleIdAll, branchSampleType, regsUserMask, regsIntrMask);
    }

    @Override
    public String toString() {
        return "SampleFormat[sampleType=" + sampleFields() + ", readFormat=" + readFormats()
                + (readGroup ? "+GROUP" : "") + ", sampleIdAll=" + sampleIdAll + ", branchSampleType=0x"
                + Long.toHexString(branchSampleType) + ", regsUserMask=0x" + Long.toHexString(regsUserMask)
                + ", regsIntrMask=0x" + Long.toHexString(regsIntrMask) + "]";
    }

    /** A builder of {@link SampleFormat}; every value starts at 0 (false). */
    public static final class Builder {
        private long sampleType;
        private long readFormat;
        private boolean sampleIdAll;
        private long branchSampleType;
        private long regsUserMask;
        private long regsIntrMask;

        private Builder() {
        }

        /**
         * Sets {@code sample_type}.
         *
         * @param bits the {@code PERF_SAMPLE_*} bits
         * @return this builder
         */
        public Builder sampleType(long bits) {
            this.sampleType = bits;
            return this;
        }

        /**
         * Sets {@code sample_type} to the bits of {@code fields}.
         *
         * @param fields the sample fields
         * @return this builder
         * @throws NullPointerException if {@code fields} is or holds null
         */
        public Builder sampleFields(SampleField... fields) {
            Objects.requireNonNull(fields, "fields");
            return sampleType(SampleField.bits(Set.of(fields)));
        }

        /**
         * Sets {@code read_format}.
         *
         * @param bits the {@code PERF_FORMAT_*} bits, {@code PERF_FORMAT_GROUP} included
         * @return this builder
         */
        public Builder readFormat(long bits) {
            this.readFormat = bits;
            return this;
        }

        /**
         * Sets {@code read_format} to {@code formats}, with {@code PERF_FORMAT_GROUP} when {@code group}.
         *
         * @param formats what a read value carries besides the count
         * @param group whether values are read for the whole group
         * @return this builder
         * @throws NullPointerException if {@code formats} is or holds null
         */
        public Builder readFormat(Set<ReadFormat> formats, boolean group) {
            Objects.requireNonNull(formats, "formats");
            long bits = group ? GROUP : 0;
            for (ReadFormat f : formats) {
                bits |= f.bit();
            }
            return readFormat(bits);
        }

        /**
         * Sets {@code sample_id_all}.
         *
         * @param on whether every other record ends with a {@code struct sample_id}
         * @return this builder
         */
        public Builder sampleIdAll(boolean on) {
            this.sampleIdAll = on;
            return this;
        }

        /**
         * Sets {@code branch_sample_type}.
         *
         * @param bits the {@code PERF_SAMPLE_BRANCH_*} bits
         * @return this builder
         */
        public Builder branchSampleType(long bits) {
            this.branchSampleType = bits;
            return this;
        }

        /**
         * Sets {@code sample_regs_user}.
         *
         * @param mask one bit per register (see {@code asm/perf_regs.h})
         * @return this builder
         */
        public Builder regsUserMask(long mask) {
            this.regsUserMask = mask;
            return this;
        }

        /**
         * Sets {@code sample_regs_intr}.
         *
         * @param mask one bit per register (see {@code asm/perf_regs.h})
         * @return this builder
         */
        public Builder regsIntrMask(long mask) {
            this.regsIntrMask = mask;
            return this;
        }

        /**
         * {@return the format}
         *
         * @throws IllegalArgumentException if records of it cannot be laid out: {@code sample_type} bits that name
         *     no field of the header, both {@code PERF_SAMPLE_WEIGHT} and {@code PERF_SAMPLE_WEIGHT_STRUCT} (one
         *     place, two meanings), or {@code read_format} bits that name no {@code PERF_FORMAT_*}
         */
        public SampleFormat build() {
            return new SampleFormat(this);
        }
    }
}
