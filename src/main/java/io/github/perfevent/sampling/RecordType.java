/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_AUX;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_AUX_OUTPUT_HW_ID;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_BPF_EVENT;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_CALLCHAIN_DEFERRED;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_CGROUP;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_COMM;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_EXIT;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_FORK;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_ITRACE_START;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_KSYMBOL;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_LOST;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_LOST_SAMPLES;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_MMAP;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_MMAP2;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_NAMESPACES;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_READ;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_SAMPLE;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_SWITCH;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_SWITCH_CPU_WIDE;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_TEXT_POKE;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_THROTTLE;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_UNTHROTTLE;

import io.github.perfevent.sys.bindings.perf_event_header;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code PERF_RECORD_*} types of {@code enum perf_event_type} (perf_event_open(2), "MMAP layout"), each with
 * the table of its body: the fields the kernel writes after the {@code perf_event_header}, in the order and with
 * the sizes of the comment above the enum value in {@code linux/perf_event.h} (record bodies are documented there
 * only as comments, so there is no struct to generate). The decoder ({@link RecordCursor}) takes every offset from
 * these tables, and a test checks each table against the header's text.
 *
 * <p>{@link #SAMPLE}'s body depends on {@code sample_type}: its table is the order of {@link SampleField}. Every
 * other type ends with a {@code struct sample_id} when {@code attr.sample_id_all} is set (see {@link SampleFormat}).
 */
public enum RecordType {
    /** {@code PERF_RECORD_MMAP}: a {@code PROT_EXEC} mapping (or a data mapping with {@code attr.mmap_data}). */
    MMAP(PERF_RECORD_MMAP(), "pid:u32 tid:u32 addr:u64 len:u64 pgoff:u64 filename:char[] sample_id:sample_id"),
    /** {@code PERF_RECORD_LOST}: records the ring buffer had no room for ({@code lost} of them). */
    LOST(PERF_RECORD_LOST(), "id:u64 lost:u64 sample_id:sample_id"),
    /** {@code PERF_RECORD_COMM}: a process name change ({@code PERF_RECORD_MISC_COMM_EXEC}: by an exec). */
    COMM(PERF_RECORD_COMM(), "pid:u32 tid:u32 comm:char[] sample_id:sample_id"),
    /** {@code PERF_RECORD_EXIT}: a task exited. */
    EXIT(PERF_RECORD_EXIT(), "pid:u32 ppid:u32 tid:u32 ptid:u32 time:u64 sample_id:sample_id"),
    /** {@code PERF_RECORD_THROTTLE}: the kernel throttled the event (too many interrupts). */
    THROTTLE(PERF_RECORD_THROTTLE(), "time:u64 id:u64 stream_id:u64 sample_id:sample_id"),
    /** {@code PERF_RECORD_UNTHROTTLE}: the event runs again after a throttle. */
    UNTHROTTLE(PERF_RECORD_UNTHROTTLE(), "time:u64 id:u64 stream_id:u64 sample_id:sample_id"),
    /** {@code PERF_RECORD_FORK}: a task was created. */
    FORK(PERF_RECORD_FORK(), "pid:u32 ppid:u32 tid:u32 ptid:u32 time:u64 sample_id:sample_id"),
    /** {@code PERF_RECORD_READ}: counter values of an inherited event at a child's exit ({@code inherit_stat}). */
    READ(PERF_RECORD_READ(), "pid:u32 tid:u32 values:read_format sample_id:sample_id"),
    /** {@code PERF_RECORD_SAMPLE}: a sample; its fields are those of {@code sample_type} ({@link SampleField}). */
    SAMPLE(PERF_RECORD_SAMPLE(), ""),
    /** {@code PERF_RECORD_MMAP2}: a mapping with its inode, or its build id ({@code PERF_RECORD_MISC_MMAP_BUILD_ID}). */
    MMAP2(PERF_RECORD_MMAP2(), "pid:u32 tid:u32 addr:u64 len:u64 pgoff:u64 ( maj:u32 min:u32 ino:u64 ino_generation:u64"
            + " | build_id_size:u8 __reserved_1:u8 __reserved_2:u16 build_id:u8[20] ) prot:u32 flags:u32"
            + " filename:char[] sample_id:sample_id"),
    /** {@code PERF_RECORD_AUX}: new data in the AUX area ({@code PERF_AUX_FLAG_*} in {@code flags}). */
    AUX(PERF_RECORD_AUX(), "aux_offset:u64 aux_size:u64 flags:u64 sample_id:sample_id"),
    /** {@code PERF_RECORD_ITRACE_START}: instruction tracing started in a task. */
    ITRACE_START(PERF_RECORD_ITRACE_START(), "pid:u32 tid:u32 sample_id:sample_id"),
    /** {@code PERF_RECORD_LOST_SAMPLES}: samples the PMU dropped (such as PEBS records). */
    LOST_SAMPLES(PERF_RECORD_LOST_SAMPLES(), "lost:u64 sample_id:sample_id"),
    /** {@code PERF_RECORD_SWITCH}: a context switch in or out ({@code PERF_RECORD_MISC_SWITCH_OUT}). */
    SWITCH(PERF_RECORD_SWITCH(), "sample_id:sample_id"),
    /** {@code PERF_RECORD_SWITCH_CPU_WIDE}: a context switch, with the next (out) or previous (in) task. */
    SWITCH_CPU_WIDE(PERF_RECORD_SWITCH_CPU_WIDE(), "next_prev_pid:u32 next_prev_tid:u32 sample_id:sample_id"),
    /** {@code PERF_RECORD_NAMESPACES}: a task's namespaces, as {@code perf_ns_link_info} (dev, inode) pairs. */
    NAMESPACES(PERF_RECORD_NAMESPACES(), "pid:u32 tid:u32 nr_namespaces:u64"
            + " namespaces:{dev:u64,inode:u64}[nr_namespaces] sample_id:sample_id"),
    /** {@code PERF_RECORD_KSYMBOL}: a kernel symbol registered or unregistered (BPF programs, trampolines). */
    KSYMBOL(PERF_RECORD_KSYMBOL(), "addr:u64 len:u32 ksym_type:u16 flags:u16 name:char[] sample_id:sample_id"),
    /** {@code PERF_RECORD_BPF_EVENT}: a BPF program loaded or unloaded. */
    BPF_EVENT(PERF_RECORD_BPF_EVENT(), "type:u16 flags:u16 id:u32 tag:u8[8] sample_id:sample_id"),
    /** {@code PERF_RECORD_CGROUP}: a cgroup was created: its id and path. */
    CGROUP(PERF_RECORD_CGROUP(), "id:u64 path:char[] sample_id:sample_id"),
    /** {@code PERF_RECORD_TEXT_POKE}: kernel text changed: the old bytes, then the new ones. */
    TEXT_POKE(PERF_RECORD_TEXT_POKE(), "addr:u64 old_len:u16 new_len:u16 bytes:u8[old_len+new_len]"
            + " sample_id:sample_id"),
    /** {@code PERF_RECORD_AUX_OUTPUT_HW_ID}: the hardware id of AUX data written for {@code aux_output}. */
    AUX_OUTPUT_HW_ID(PERF_RECORD_AUX_OUTPUT_HW_ID(), "hw_id:u64 sample_id:sample_id"),
    /** {@code PERF_RECORD_CALLCHAIN_DEFERRED}: a user callchain taken on the way back to user space. */
    CALLCHAIN_DEFERRED(PERF_RECORD_CALLCHAIN_DEFERRED(), "cookie:u64 nr:u64 ips:u64[nr] sample_id:sample_id"),
    /**
     * Any type this header does not define: {@link #of} answers it, {@link #id()} is -1, and the decoder skips such
     * records by their size (see {@link RecordCursor#unknownRecords()}).
     */
    UNKNOWN(-1, "");

    /** How a field of a record body is stored. */
    public enum Kind {
        /** An unsigned 8-bit integer. */
        U8,
        /** An unsigned 16-bit integer. */
        U16,
        /** An unsigned 32-bit integer (pids and tids are written as u32 and read as Java ints). */
        U32,
        /** A 64-bit integer. */
        U64,
        /** A fixed number of bytes ({@link Field#size()}). */
        BYTES,
        /** A NUL-terminated string padded with NULs to 8 bytes, up to the {@code sample_id}. */
        STRING,
        /** {@code count} elements of {@link Field#size()} bytes each; {@link Field#count()} names the count fields. */
        ARRAY,
        /** A {@code struct read_format}, laid out as {@code attr.read_format} says. */
        READ_FORMAT,
        /** The {@code struct sample_id} trailer: at the end of the record, when {@code sample_id_all} is set. */
        SAMPLE_ID
    }

    /**
     * One field of a record body, from the table of its {@link RecordType}.
     *
     * @param type the record type it belongs to
     * @param name its name in the header's comment
     * @param kind how it is stored
     * @param offset its offset from the start of the record (the {@code perf_event_header} included); -1 for the
     *     {@code sample_id}, which is at the end
     * @param size its size in bytes; for an {@link Kind#ARRAY}, the size of one element; 0 when variable
     * @param count for an {@link Kind#ARRAY}, the fields whose sum is the number of elements; else empty
     * @param members the names the header gives to the parts of one element (an element of {@code {dev, inode}}
     *     pairs has two); for any other field, its name
     */
    public record Field(RecordType type, String name, Kind kind, int offset, int size, List<String> count,
            List<String> members) {
        /**
         * Checks the components and copies the collections.
         *
         * @throws NullPointerException if a reference is null
         */
        public Field {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            count = List.copyOf(count);
            members = List.copyOf(members);
        }

        /** {@return whether the field is an integer of at most 64 bits, which {@link RecordCursor#get} reads} */
        public boolean isInteger() {
            return kind == Kind.U8 || kind == Kind.U16 || kind == Kind.U32 || kind == Kind.U64;
        }
    }

    /** What the constructors use (an enum's constructor cannot read its own static fields). */
    private static final class Table {
        static final Pattern FIELD = Pattern.compile(
                "(\\w+):(?:(u8|u16|u32|u64|read_format|sample_id|char\\[])|(u8|u64)\\[(\\w+(?:\\+\\w+)*)]"
                + "|\\{([\\w:,]+)}\\[(\\w+)])");
        static final int HEADER = Math.toIntExact(perf_event_header.sizeof());
    }

    private static final RecordType[] BY_ID;

    static {
        int max = 0;
        for (RecordType t : values()) {
            max = Math.max(max, t.id);
        }
        BY_ID = new RecordType[max + 1];
        for (RecordType t : values()) {
            if (t.id >= 0) {
                BY_ID[t.id] = t;
            }
        }
    }

    private final int id;
    private final List<Field> fields;
    /** The bytes of the body before any part of variable size (a string, an array, a read_format). */
    private final int fixedSize;

    RecordType(int id, String table) {
        this.id = id;
        this.fields = parse(table);
        int end = Table.HEADER;
        for (Field f : fields) {
            if (f.kind != Kind.SAMPLE_ID && f.kind != Kind.STRING && f.kind != Kind.ARRAY
                    && f.kind != Kind.READ_FORMAT) {
                end = Math.max(end, f.offset + f.size);
            }
        }
        this.fixedSize = end - Table.HEADER;
    }

    private List<Field> parse(String table) {
        List<Field> parsed = new ArrayList<>();
        int offset = Table.HEADER;
        int unionStart = -1;
        int unionEnd = -1;
        for (String token : table.isEmpty() ? new String[0] : table.split(" ")) {
            switch (token) {
                case "(" -> unionStart = offset;
                case "|" -> {
                    unionEnd = Math.max(unionEnd, offset);
                    offset = unionStart;
                }
                case ")" -> {
                    offset = Math.max(unionEnd, offset);
                    unionStart = -1;
                    unionEnd = -1;
                }
                default -> {
                    Field f = field(token, offset);
                    parsed.add(f);
                    offset = f.offset < 0 || f.kind == Kind.ARRAY || f.kind == Kind.STRING ? offset : offset + f.size;
                }
            }
        }
        return List.copyOf(parsed);
    }

    private Field field(String token, int offset) {
        Matcher m = Table.FIELD.matcher(token);
        if (!m.matches()) {
            throw new AssertionError("bad table entry " + token + " of " + name());
        }
        String name = m.group(1);
        if (m.group(2) != null) {
            return switch (m.group(2)) {
                case "u8" -> new Field(this, name, Kind.U8, offset, 1, List.of(), List.of(name));
                case "u16" -> new Field(this, name, Kind.U16, offset, 2, List.of(), List.of(name));
                case "u32" -> new Field(this, name, Kind.U32, offset, 4, List.of(), List.of(name));
                case "u64" -> new Field(this, name, Kind.U64, offset, 8, List.of(), List.of(name));
                case "read_format" -> new Field(this, name, Kind.READ_FORMAT, offset, 0, List.of(), List.of(name));
                case "sample_id" -> new Field(this, name, Kind.SAMPLE_ID, -1, 0, List.of(), List.of(name));
                default -> new Field(this, name, Kind.STRING, offset, 0, List.of(), List.of(name));
            };
        }
        if (m.group(3) != null) {
            int element = m.group(3).equals("u8") ? 1 : 8;
            String count = m.group(4);
            if (count.chars().allMatch(Character::isDigit)) {
                return new Field(this, name, Kind.BYTES, offset, Integer.parseInt(count), List.of(), List.of(name));
            }
            return new Field(this, name, Kind.ARRAY, offset, element, List.of(count.split("\\+")), List.of(name));
        }
        List<String> members = new ArrayList<>();
        int element = 0;
        for (String member : m.group(5).split(",")) {
            String[] nameAndType = member.split(":");
            members.add(nameAndType[0]);
            element += switch (nameAndType[1]) {
                case "u64" -> 8;
                default -> throw new AssertionError("bad member " + member + " of " + name());
            };
        }
        return new Field(this, name, Kind.ARRAY, offset, element, List.of(m.group(6)), members);
    }

    /** {@return the {@code PERF_RECORD_*} value, or -1 for {@link #UNKNOWN}} */
    public int id() {
        return id;
    }

    /**
     * {@return the record type whose {@code PERF_RECORD_*} value is {@code type}, or {@link #UNKNOWN} when the header
     * defines none (a newer kernel's type, or a type {@code perf} itself writes into files)}
     *
     * @param type the {@code perf_event_header.type}
     */
    public static RecordType of(int type) {
        return type >= 0 && type < BY_ID.length && BY_ID[type] != null ? BY_ID[type] : UNKNOWN;
    }

    /**
     * {@return the fields of the body in the header's order, the {@code sample_id} last; empty for {@link #SAMPLE}
     * (see {@link SampleField}) and {@link #UNKNOWN}} The two forms of {@link #MMAP2}'s union are both listed; their
     * offsets overlap.
     */
    public List<Field> fields() {
        return fields;
    }

    /**
     * {@return the field named {@code name}}
     *
     * @param name the name the header's comment gives the field, such as {@code "ino"} of {@link #MMAP2}
     * @throws IllegalArgumentException if this type has no such field (the message lists those it has)
     * @throws NullPointerException if {@code name} is null
     */
    public Field field(String name) {
        Objects.requireNonNull(name, "name");
        for (Field f : fields) {
            if (f.name.equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("PERF_RECORD_" + name() + " has no field '" + name + "'; it has "
                + fields.stream().map(Field::name).toList());
    }

    /** The size of the body before its first part of variable size, without the header and sample_id. */
    int fixedSize() {
        return fixedSize;
    }
}
