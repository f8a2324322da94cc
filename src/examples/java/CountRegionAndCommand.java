/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */

import io.github.perfevent.ChildProcess;
import io.github.perfevent.Counter;
import io.github.perfevent.Event;
import io.github.perfevent.Options;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The README's example, as written there: counts the page faults of a region of Java code on this thread, then the
 * CPU time of a command (and its children) from its exec to its exit. Run with {@code mvn -q compile exec:exec}.
 */
public class CountRegionAndCommand {

    public static void main(String[] args) throws InterruptedException {
        // --- README begin
        try (Counter faults = Counter.open(Event.parse("page-faults"))) {              // this thread
            faults.enable();  work();  faults.disable();
            System.out.println(faults.read() + " page faults");
        }
        try (ChildProcess find = ChildProcess.prepare("sh", "-c", "find /usr/share > /dev/null");
             Counter clock = Counter.open(Event.parse("task-clock"), find.target(), Options.defaults().inherit(true))) {
            int status = find.run();                                                    // from exec to exit
            System.out.println(clock.read() + " ns of CPU in the command, exit status " + status);
        }
        // --- README end
    }

    /** Touches 16 MiB of fresh memory, one byte per 4 KiB page: 4096 page faults at least. */
    static void work() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(16L << 20);
            for (long page = 0; page < memory.byteSize(); page += 4096) {
                memory.set(ValueLayout.JAVA_BYTE, page, (byte) 1);
            }
        }
    }
}
