/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */

import static io.github.perfevent.sampling.SampleField.CALLCHAIN;
import static io.github.perfevent.sampling.SampleField.IP;
import static io.github.perfevent.sampling.SampleField.TID;
import static io.github.perfevent.sampling.SampleField.TIME;

import io.github.perfevent.ChildProcess;
import io.github.perfevent.Event;
import io.github.perfevent.profile.Symbolizer;
import io.github.perfevent.sampling.PerfRecord;
import io.github.perfevent.sampling.Sampler;
import io.github.perfevent.sampling.Sampling;
import io.github.perfevent.sampling.SideBand;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * The README's sampling example: runs a command, samples its CPU time 999 times a second with callchains, names the
 * functions through the command's own mapping records, and prints the ten functions that used the most CPU
 * themselves (self samples). Run with
 * {@code java --enable-native-access=ALL-UNNAMED -cp target/classes src/examples/java/ProfileTopFunctions.java
 * COMMAND ARGS...}.
 */
public class ProfileTopFunctions {

    public static void main(String[] args) throws InterruptedException {
        // --- README begin
        try (ChildProcess cmd = ChildProcess.prepare(args);
             Sampler sampler = Sampler.open(Event.parse("task-clock"), cmd.target(), Sampling.frequency(999)
                     .sample(IP, TID, TIME, CALLCHAIN).sideBand(SideBand.MMAP, SideBand.COMM_EXEC))) {
            Symbolizer symbols = new Symbolizer();  Map<String, Integer> self = new HashMap<>();
            for (cmd.start(); !sampler.isEnded(); sampler.await(Duration.ofMillis(100)))       // until it exits
                for (PerfRecord r; (r = sampler.nextRecord()) != null; symbols.accept(r))      // mmap, exec...
                    if (r instanceof PerfRecord.Sample s) self.merge(symbols.stack(s).getFirst().name(), 1, Integer::sum);
            self.entrySet().stream().sorted(Map.Entry.comparingByValue(Comparator.reverseOrder())).limit(10)
                    .forEach(e -> System.out.println(e.getValue() + " " + e.getKey()));
        }
        // --- README end
    }
}
