/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile.perfdata;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The content of perf.data feature sections, as perf's {@code tools/perf/util/header.c} writes and reads them:
 * strings as {@code struct perf_header_string} ({@code u32 len} then the string, NUL-terminated and padded with NULs
 * to a multiple of {@code NAME_ALIGN}, 64), lists as {@code u32 nr} then the strings.
 */
final class Features {

    private Features() {
    }

    /** {@code struct perf_header_string}. */
    static byte[] string(String text) {
        Out out = new Out();
        out.string(text);
        return out.bytes();
    }

    /** {@code struct perf_header_string_list} (CMDLINE). */
    static byte[] stringList(List<String> texts) {
        Out out = new Out();
        out.u32(texts.size());
        for (String text : texts) {
            out.string(text);
        }
        return out.bytes();
    }

    /** NRCPUS: {@code u32 nr_cpus_available; u32 nr_cpus_online}. */
    static byte[] nrCpus(int available, int online) {
        Out out = new Out();
        out.u32(available);
        out.u32(online);
        return out.bytes();
    }

    /**
     * EVENT_DESC: {@code u32 nr; u32 attr_size;} then per event the attr ({@code attr_size} bytes), {@code u32 nr_ids},
     * the name as a {@code perf_header_string}, and the ids as u64s. perf takes the names from here, finding each
     * event by its first id.
     */
    static byte[] eventDescription(MemorySegment[] attrs, String[] names, List<long[]> ids, int attrSize) {
        Out out = new Out();
        out.u32(attrs.length);
        out.u32(attrSize);
        for (int i = 0; i < attrs.length; i++) {
            out.raw(attrs[i].asSlice(0, attrSize).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            long[] eventIds = ids.get(i);
            out.u32(eventIds.length);
            out.string(names[i]);
            for (long id : eventIds) {
                out.u64(id);
            }
        }
        return out.bytes();
    }

    /** A growing buffer in this machine's byte order. */
    private static final class Out {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final ByteBuffer scratch = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder());

        void u32(int value) {
            bytes.write(scratch.clear().putInt(value).array(), 0, Integer.BYTES);
        }

        void u64(long value) {
            bytes.write(scratch.clear().putLong(value).array(), 0, Long.BYTES);
        }

        void raw(byte[] data) {
            bytes.writeBytes(data);
        }

        void string(String text) {
            byte[] data = text.getBytes(StandardCharsets.UTF_8);
            int length = (data.length + 1 + PerfDataWriter.NAME_ALIGN - 1) / PerfDataWriter.NAME_ALIGN
                    * PerfDataWriter.NAME_ALIGN;
            u32(length);
            bytes.writeBytes(data);
            bytes.writeBytes(new byte[length - data.length]);
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
