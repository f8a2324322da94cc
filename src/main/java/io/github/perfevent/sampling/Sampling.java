/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;

/**
 * What a {@link Sampler} samples and how: the sampling fields of {@code perf_event_attr} ({@code perf_event_open(2)}:
 * {@code sample_period} or {@code sample_freq}, {@code sample_type}, {@code wakeup_events} or
 * {@code wakeup_watermark}, {@code sample_max_stack}, the side-band flags...) and the ring buffer's size and mode.
 * Immutable: every method returns a changed copy. The counting options (exclude bits, {@code inherit}, clock,
 * {@code precise_ip}, {@code read_format}) stay in {@link io.github.perfevent.Options}.
 *
 * <p>Defaults: samples carry {@link SampleField#IDENTIFIER}, {@code IP}, {@code TID}, {@code TIME}, {@code CPU}
 * and {@code PERIOD}; {@code sample_id_all} is set, so that every record has a time and an id; the buffer has 64
 * data pages (256 KiB with 4 KiB pages); the kernel wakes a waiting reader when the buffer is half full; records
 * are delivered in time order across buffers, with a reorder window of 5 ms.
 */
public final class Sampling {

    /** Every clock-driven software event fires at most every 10 µs, whatever shorter period it is given. */
    static final long MIN_TIMER_PERIOD_NS = 10_000;

    private static final Set<SampleField> DEFAULT_SAMPLE = Collections.unmodifiableSet(EnumSet.of(
            SampleField.IDENTIFIER, SampleField.IP, SampleField.TID, SampleField.TIME, SampleField.CPU,
            SampleField.PERIOD));

    private long period;
    private long frequency;
    private Set<SampleField> sample = DEFAULT_SAMPLE;
    private Set<SideBand> sideBand = Collections.emptySet();
    private int wakeupEvents;
    private int wakeupWatermark;
    private int maxStack;
    private boolean excludeCallchainKernel;
    private boolean excludeCallchainUser;
    private boolean sampleIdAll = true;
    private int dataPages = 64;
    private boolean overwrite;
    private int auxPages;
    private Boolean ordered;
    private Duration reorderWindow = Duration.ofMillis(5);
    private long branchSampleType;
    private long regsUser;
    private long regsIntr;
    private int stackUser;

    private Sampling() {
    }

    private Sampling copy() {
        Sampling s = new Sampling();
        s.period = period;
        s.frequency = frequency;
        s.sample = sample;
        s.sideBand = sideBand;
        s.wakeupEvents = wakeupEvents;
        s.wakeupWatermark = wakeupWatermark;
        s.maxStack = maxStack;
        s.excludeCallchainKernel = excludeCallchainKernel;
        s.excludeCallchainUser = excludeCallchainUser;
        s.sampleIdAll = sampleIdAll;
        s.dataPages = dataPages;
        s.overwrite = overwrite;
        s.auxPages = auxPages;
        s.ordered = ordered;
        s.reorderWindow = reorderWindow;
        s.branchSampleType = branchSampleType;
        s.regsUser = regsUser;
        s.regsIntr = regsIntr;
        s.stackUser = stackUser;
        return s;
    }

    /**
     * One sample every {@code period} events ({@code sample_period}): every {@code period} nanoseconds for
     * {@code cpu-clock} and {@code task-clock}, every {@code period} faults for {@code page-faults}, every hit for a
     * breakpoint or tracepoint with period 1.
     *
     * @param period events per sample, at least 1 and below 2<sup>63</sup>
     * @return the sampling
     * @throws IllegalArgumentException if {@code period} is not positive
     */
    public static Sampling period(long period) {
        if (period <= 0) {
            throw new IllegalArgumentException("the sample period must be > 0, not " + period);
        }
        Sampling s = new Sampling();
        s.period = period;
        return s;
    }

    /**
     * About {@code hertz} samples per second ({@code freq} and {@code sample_freq}): the kernel adjusts the period
     * as it goes to hit the rate. The kernel refuses (EINVAL) a rate above {@code kernel.perf_event_max_sample_rate},
     * which it may lower by itself when sampling interrupts take too long.
     *
     * @param hertz samples per second, at least 1
     * @return the sampling
     * @throws IllegalArgumentException if {@code hertz} is not positive
     */
    public static Sampling frequency(long hertz) {
        if (hertz <= 0) {
            throw new IllegalArgumentException("the sample frequency must be > 0 Hz, not " + hertz);
        }
        Sampling s = new Sampling();
        s.frequency = hertz;
        return s;
    }

    /**
     * What each sample carries ({@code sample_type}); replaces the default set.
     *
     * @param fields the fields, in any order (the kernel writes them in its own order)
     * @return the changed copy
     */
    public Sampling sample(Set<SampleField> fields) {
        Objects.requireNonNull(fields, "fields");
        Sampling s = copy();
        s.sample = fields.isEmpty() ? Collections.emptySet() : Collections.unmodifiableSet(EnumSet.copyOf(fields));
        return s;
    }

    /**
     * What each sample carries ({@code sample_type}); replaces the default set.
     *
     * @param fields the fields
     * @return the changed copy
     */
    public Sampling sample(SampleField... fields) {
        return sample(fields.length == 0 ? EnumSet.noneOf(SampleField.class) : EnumSet.copyOf(Set.of(fields)));
    }

    /**
     * The side-band records to ask for besides samples.
     *
     * @param records the records
     * @return the changed copy
     */
    public Sampling sideBand(SideBand... records) {
        Sampling s = copy();
        s.sideBand = records.length == 0 ? Collections.emptySet()
                : Collections.unmodifiableSet(EnumSet.copyOf(Set.of(records)));
        return s;
    }

    /**
     * {@code wakeup_events}: wake a waiting reader after every {@code count} samples (other records do not count).
     *
     * @param count samples per wake-up, at least 1
     * @return the changed copy
     * @throws IllegalArgumentException if {@code count} is not positive
     */
    public Sampling wakeupEvents(int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("wakeup_events must be > 0, not " + count);
        }
        Sampling s = copy();
        s.wakeupEvents = count;
        s.wakeupWatermark = 0;
        return s;
    }

    /**
     * {@code watermark} and {@code wakeup_watermark}: wake a waiting reader when {@code bytes} of records are unread.
     *
     * @param bytes unread bytes per wake-up, at least 1
     * @return the changed copy
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public Sampling wakeupWatermark(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("wakeup_watermark must be > 0 bytes, not " + bytes);
        }
        Sampling s = copy();
        s.wakeupWatermark = bytes;
        s.wakeupEvents = 0;
        return s;
    }

    /**
     * {@code sample_max_stack}: at most {@code frames} entries in a callchain; the kernel refuses (EOVERFLOW) more
     * than {@code kernel.perf_event_max_stack}.
     *
     * @param frames 1 to 65535
     * @return the changed copy
     * @throws IllegalArgumentException outside 1..65535
     */
    public Sampling maxStack(int frames) {
        if (frames <= 0 || frames > 0xffff) {
            throw new IllegalArgumentException("sample_max_stack is 1 to 65535, not " + frames);
        }
        Sampling s = copy();
        s.maxStack = frames;
        return s;
    }

    /**
     * {@code exclude_callchain_kernel}: callchains leave out the kernel's frames.
     *
     * @param on whether to leave them out
     * @return the changed copy
     */
    public Sampling excludeCallchainKernel(boolean on) {
        Sampling s = copy();
        s.excludeCallchainKernel = on;
        return s;
    }

    /**
     * {@code exclude_callchain_user}: callchains leave out the user-space frames.
     *
     * @param on whether to leave them out
     * @return the changed copy
     */
    public Sampling excludeCallchainUser(boolean on) {
        Sampling s = copy();
        s.excludeCallchainUser = on;
        return s;
    }

    /**
     * {@code sample_id_all}: every record, not only samples, ends with the sample's {@code TID}, {@code TIME},
     * {@code ID}, {@code STREAM_ID}, {@code CPU} and {@code IDENTIFIER} fields that {@code sample_type} selects. On by
     * default; time-ordered delivery needs it.
     *
     * @param on whether to set it
     * @return the changed copy
     */
    public Sampling sampleIdAll(boolean on) {
        Sampling s = copy();
        s.sampleIdAll = on;
        return s;
    }

    /**
     * The size of each ring buffer: {@code pages} data pages after the metadata page.
     *
     * @param pages a power of two, 1 to 2<sup>20</sup>
     * @return the changed copy
     * @throws IllegalArgumentException if {@code pages} is not a power of two in range
     */
    public Sampling bufferPages(int pages) {
        RingBuffer.requireDataPages(pages);
        Sampling s = copy();
        s.dataPages = pages;
        return s;
    }

    /**
     * Overwrite mode ({@code write_backward}, a read-only mapping): the kernel keeps writing over the oldest records
     * and never loses any for want of room; {@link Sampler#snapshot()} pauses the buffers and reads what they hold,
     * newest record last. For flight-recorder use.
     *
     * @param on whether to overwrite
     * @return the changed copy
     */
    public Sampling overwrite(boolean on) {
        Sampling s = copy();
        s.overwrite = on;
        return s;
    }

    /**
     * An AUX area of {@code pages} pages beside each ring buffer, for PMUs that trace into it (Intel PT, Arm SPE,
     * CoreSight); other PMUs refuse it with EOPNOTSUPP.
     *
     * @param pages a power of two, 1 to 2<sup>20</sup>, or 0 for none
     * @return the changed copy
     * @throws IllegalArgumentException if {@code pages} is not 0 or a power of two in range
     */
    public Sampling auxPages(int pages) {
        if (pages != 0) {
            RingBuffer.requireDataPages(pages);
        }
        Sampling s = copy();
        s.auxPages = pages;
        return s;
    }

    /**
     * Whether records are delivered in time order across every buffer (needs {@code TIME} and {@code sample_id_all}):
     * records are copied out of the buffers and held for the reorder window. Unordered, records are read in place from
     * one buffer after the other, in the order each buffer holds them, which is not strictly time order even within
     * one buffer. By default ordered when the sample has {@code TIME} and {@code sample_id_all} is set.
     *
     * @param on whether to order
     * @return the changed copy
     */
    public Sampling ordered(boolean on) {
        Sampling s = copy();
        s.ordered = on;
        return s;
    }

    /**
     * How late the kernel may write a record, after records with later time stamps, for it still to be delivered in
     * order. The sampler reads in rounds of at least this length and delivers a record only when a whole round has
     * passed since a later one was read (see {@link Sampler}), so records wait between one and two windows. The
     * kernel writes MMAP2 records up to about half a millisecond after later samples; the default is 5 ms.
     *
     * @param window at least 1 µs and at most 10 s
     * @return the changed copy
     * @throws IllegalArgumentException outside that range
     */
    public Sampling reorderWindow(Duration window) {
        Objects.requireNonNull(window, "window");
        if (window.compareTo(Duration.ofNanos(1000)) < 0 || window.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException("the reorder window is 1 µs to 10 s, not " + window);
        }
        Sampling s = copy();
        s.reorderWindow = window;
        return s;
    }

    /**
     * {@code branch_sample_type} for {@link SampleField#BRANCH_STACK}: the {@code PERF_SAMPLE_BRANCH_*} bits.
     *
     * @param bits the bits
     * @return the changed copy
     */
    public Sampling branchSampleType(long bits) {
        Sampling s = copy();
        s.branchSampleType = bits;
        return s;
    }

    /**
     * {@code sample_regs_user} for {@link SampleField#REGS_USER}: which registers, as the architecture's
     * {@code perf_regs.h} numbers them.
     *
     * @param mask one bit per register
     * @return the changed copy
     */
    public Sampling regsUser(long mask) {
        Sampling s = copy();
        s.regsUser = mask;
        return s;
    }

    /**
     * {@code sample_regs_intr} for {@link SampleField#REGS_INTR}.
     *
     * @param mask one bit per register
     * @return the changed copy
     */
    public Sampling regsIntr(long mask) {
        Sampling s = copy();
        s.regsIntr = mask;
        return s;
    }

    /**
     * {@code sample_stack_user} for {@link SampleField#STACK_USER}: how many bytes of the user stack to copy.
     *
     * @param bytes a multiple of 8, at most 65528
     * @return the changed copy
     * @throws IllegalArgumentException otherwise
     */
    public Sampling stackUser(int bytes) {
        if (bytes < 0 || bytes > 65528 || bytes % 8 != 0) {
            throw new IllegalArgumentException("sample_stack_user is a multiple of 8 up to 65528, not " + bytes);
        }
        Sampling s = copy();
        s.stackUser = bytes;
        return s;
    }

    /** {@return the period, or 0 in frequency mode} */
    public long period() {
        return period;
    }

    /** {@return the frequency in hertz, or 0 in period mode} */
    public long frequency() {
        return frequency;
    }

    /** {@return the fields each sample carries} */
    public Set<SampleField> sample() {
        return sample;
    }

    /** {@return the side-band records asked for} */
    public Set<SideBand> sideBand() {
        return sideBand;
    }

    /** {@return the data pages of each ring buffer} */
    public int bufferPages() {
        return dataPages;
    }

    /** {@return whether the buffers are in overwrite mode} */
    public boolean overwrite() {
        return overwrite;
    }

    /** {@return the AUX pages of each buffer, 0 for none} */
    public int auxPages() {
        return auxPages;
    }

    /** {@return whether records are delivered in time order} */
    public boolean ordered() {
        return ordered != null ? ordered : sample.contains(SampleField.TIME) && sampleIdAll;
    }

    /** {@return the reorder window} */
    public Duration reorderWindow() {
        return reorderWindow;
    }

    /** Refuses settings that cannot work together. */
    void validate() {
        if (overwrite && auxPages != 0) {
            throw new IllegalArgumentException("an AUX area is placed by writing aux_offset and aux_size into the "
                    + "metadata page, which overwrite mode maps read-only: use one or the other");
        }
        if (ordered() && (!sample.contains(SampleField.TIME) || !sampleIdAll)) {
            throw new IllegalArgumentException("time-ordered delivery needs SampleField.TIME in the sample and "
                    + "sample_id_all, so that every record has a time: add TIME, or use ordered(false)");
        }
    }

    /** Writes the sampling fields into {@code attr}; the side-band bits only when {@code sideBandToo}. */
    void writeTo(MemorySegment attr, boolean sideBandToo) {
        if (frequency > 0) {
            perf_event_attr_bits.freq(attr, 1);
            perf_event_attr.sample_freq(attr, frequency);
        } else {
            perf_event_attr.sample_period(attr, period);
        }
        perf_event_attr.sample_type(attr, SampleField.bits(sample));
        perf_event_attr_bits.sample_id_all(attr, sampleIdAll ? 1 : 0);
        if (wakeupWatermark > 0) {
            perf_event_attr_bits.watermark(attr, 1);
            perf_event_attr.wakeup_watermark(attr, wakeupWatermark);
        } else {
            perf_event_attr.wakeup_events(attr, wakeupEvents);
        }
        perf_event_attr.sample_max_stack(attr, (short) maxStack);
        perf_event_attr_bits.exclude_callchain_kernel(attr, excludeCallchainKernel ? 1 : 0);
        perf_event_attr_bits.exclude_callchain_user(attr, excludeCallchainUser ? 1 : 0);
        perf_event_attr_bits.write_backward(attr, overwrite ? 1 : 0);
        perf_event_attr.branch_sample_type(attr, branchSampleType);
        perf_event_attr.sample_regs_user(attr, regsUser);
        perf_event_attr.sample_regs_intr(attr, regsIntr);
        perf_event_attr.sample_stack_user(attr, stackUser);
        if (sideBandToo) {
            for (SideBand record : sideBand) {
                record.writeTo(attr);
            }
        }
    }

    /** {@return the settings, such as {@code Sampling[frequency=99, sample=[IP, TID, TIME], sideBand=[MMAP]]}} */
    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ", "Sampling[", "]");
        j.add(frequency > 0 ? "frequency=" + frequency : "period=" + period);
        j.add("sample=" + sample);
        if (!sideBand.isEmpty()) {
            j.add("sideBand=" + sideBand);
        }
        j.add("bufferPages=" + dataPages);
        if (overwrite) {
            j.add("overwrite");
        }
        if (!ordered()) {
            j.add("unordered");
        }
        return j.toString();
    }
}
