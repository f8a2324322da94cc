/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FLAG_FD_CLOEXEC;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_TRACEPOINT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Fixtures;
import io.github.perfevent.sys.Syscalls;
import io.github.perfevent.sys.Tracefs;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bindings.perf_event_mmap_page;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Records the kernel really writes, decoded by the cursor: {@code sched:sched_process_exec} sampled with period 1 on
 * every CPU while this test starts children, with COMM records (comm_exec) and a sample_id on every record. Through
 * the raw layer only (the Sampler is built elsewhere): open, mmap, enable, disable, read the linear part of the ring.
 */
class KernelRecordsTest {

    private static final int DATA_PAGES = 64;
    private static final int CHILDREN = 5;
    private static final VarHandle HEAD = ValueLayout.JAVA_LONG.varHandle();

    /** The online CPUs, from /sys/devices/system/cpu/online ("0-1", "0,2-3"): a child may run on any of them. */
    private static List<Integer> onlineCpus() throws java.io.IOException {
        List<Integer> cpus = new ArrayList<>();
        for (String range : Files.readString(Path.of("/sys/devices/system/cpu/online")).strip().split(",")) {
            String[] ends = range.split("-");
            for (int cpu = Integer.parseInt(ends[0]); cpu <= Integer.parseInt(ends[ends.length - 1]); cpu++) {
                cpus.add(cpu);
            }
        }
        return cpus;
    }

    @Test
    void execTracepointSamplesDecodeByNameAndEveryRecordHasItsSampleId() throws Exception {
        Assumptions.assumeTrue(Tracefs.isRoot(), "CPU-wide tracepoint sampling with PERF_SAMPLE_RAW needs root "
                + "(perf_event_paranoid 2 refuses it with EACCES)");
        Tracefs tracefs = Tracefs.acquire();
        List<Integer> cpus = onlineCpus();
        long page = Fixtures.PAGE_SIZE;
        long length = (1 + DATA_PAGES) * page;
        List<Integer> fds = new ArrayList<>();
        List<MemorySegment> maps = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            TracepointFormat exec = TracepointFormat.of("sched:sched_process_exec");
            SampleFormat format = SampleFormat.builder().sampleFields(SampleField.IDENTIFIER, SampleField.TID,
                    SampleField.TIME, SampleField.CPU, SampleField.PERIOD, SampleField.RAW).sampleIdAll(true).build();
            MemorySegment attr = perf_event_attr.allocate(arena);
            perf_event_attr.type(attr, PERF_TYPE_TRACEPOINT());
            perf_event_attr.size(attr, (int) perf_event_attr.sizeof());
            perf_event_attr.config(attr, exec.id());
            perf_event_attr.sample_period(attr, 1);
            perf_event_attr.sample_type(attr, format.sampleType());
            perf_event_attr_bits.sample_id_all(attr, 1);
            perf_event_attr_bits.comm(attr, 1);
            perf_event_attr_bits.comm_exec(attr, 1);
            perf_event_attr_bits.disabled(attr, 1);
            assertEquals(format, SampleFormat.of(attr));
            for (int cpu : cpus) {
                int fd = Syscalls.perfEventOpen(attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC());
                if (fd < 0) {
                    fail("perf_event_open(sched:sched_process_exec, cpu " + cpu + "): " + Errno.describe(-fd));
                }
                fds.add(fd);
                long address = Syscalls.mmap(0, length, Syscalls.PROT_READ | Syscalls.PROT_WRITE,
                        Syscalls.MAP_SHARED, fd, 0);
                if (address < 0) {
                    fail("mmap: " + Errno.describe((int) -address));
                }
                maps.add(MemorySegment.ofAddress(address).reinterpret(length));
            }
            for (int fd : fds) {
                assertEquals(0, Syscalls.enable(fd, 0));
            }
            Set<Long> children = new HashSet<>();
            for (int i = 0; i < CHILDREN; i++) {
                Process child = new ProcessBuilder("/bin/true").start();
                children.add(child.pid());
                assertEquals(0, child.waitFor());
            }
            for (int fd : fds) {
                assertEquals(0, Syscalls.disable(fd, 0));
            }

            Map<Long, Integer> execsOfTrue = new HashMap<>();
            Set<Long> commExecs = new HashSet<>();
            long records = 0;
            for (int i = 0; i < maps.size(); i++) {
                MemorySegment map = maps.get(i);
                int cpu = cpus.get(i);
                MemorySegment meta = map.asSlice(0, perf_event_mmap_page.sizeof());
                long head = (long) HEAD.getAcquire(meta, perf_event_mmap_page.data_head$offset());
                long dataOffset = perf_event_mmap_page.data_offset(meta);
                long dataSize = perf_event_mmap_page.data_size(meta);
                assertTrue(head <= dataSize, "the buffer was never consumed, so it cannot have wrapped: " + head);
                RecordCursor c = RecordCursor.of(format).walk(map.asSlice(dataOffset, head));
                while (c.next()) {
                    records++;
                    assertEquals(cpu, c.cpu(), "every record's CPU (a sample's own, or its sample_id's)");
                    assertTrue(c.time() > 0);
                    if (c.recordType() == RecordType.SAMPLE) {
                        MemorySegment raw = c.raw();
                        long pid = exec.longField(raw, "pid");
                        assertEquals(c.pid(), exec.longField(raw, "common_pid"));
                        assertEquals(1, c.period());
                        if (children.contains(pid) && exec.stringField(raw, "filename").equals("/bin/true")) {
                            assertEquals(pid, c.pid());
                            execsOfTrue.merge(pid, 1, Integer::sum);
                        }
                    } else if (c.toRecord() instanceof PerfRecord.Comm comm && comm.exec()
                            && children.contains((long) comm.pid()) && comm.comm().equals("true")) {
                        assertEquals(comm.pid(), comm.sampleId().pid());
                        commExecs.add((long) comm.pid());
                    }
                }
                assertEquals(0, c.unknownRecords());
            }
            assertEquals(children.size(), execsOfTrue.size(), "one exec sample of /bin/true per child, of "
                    + records + " records: " + execsOfTrue);
            assertTrue(execsOfTrue.values().stream().allMatch(n -> n == 1), execsOfTrue.toString());
            assertEquals(children, commExecs, "a COMM record with the exec flag per child");
        } finally {
            for (MemorySegment map : maps) {
                Syscalls.munmap(map.address(), length);
            }
            for (int fd : fds) {
                Syscalls.close(fd);
            }
            tracefs.release();
        }
    }
}
