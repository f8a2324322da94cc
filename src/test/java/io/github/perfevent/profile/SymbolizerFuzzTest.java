package io.github.perfevent.profile;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.FuzzBudget;
import io.github.perfevent.sampling.CallchainContext;
import io.github.perfevent.sampling.PerfRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing what comes from the kernel and from files: random streams of MMAP2, MMAP, FORK, COMM and EXIT records over a
 * few pids and real and missing files, with random addresses and callchains (markers included), never make a
 * {@link Symbolizer} throw, and a callchain gives at most one frame per address; random perf map and kallsyms text
 * parses to named ranges without failing.
 */
@Tag("fuzz")
class SymbolizerFuzzTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    @Test
    void randomRecordStreamsAndCallchainsAlwaysGiveFrames() {
        List<String> files = List.of(TargetPrograms.pie().program().toString(),
                TargetPrograms.pie().library().toString(), "/bin/true", "//anon", "[vdso]", "", "/nonexistent",
                "/proc/self/maps", "/");
        long[] markers = {CallchainContext.KERNEL.marker(), CallchainContext.USER.marker(),
            CallchainContext.USER_DEFERRED.marker(), CallchainContext.GUEST.marker(), -4095, -1};
        FuzzBudget budget = FuzzBudget.start("Symbolizer");
        RandomGenerator random = budget.random();
        int frames = 0;
        while (budget.more()) {
            long seed = random.nextLong();
            frames += assertTimeoutPreemptively(BOUND, () -> {
                RandomGenerator r = java.util.random.RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
                // kallsyms is read once per symbolizer (a few hundred ms): every tenth stream reads the real one
                Symbolizer symbols = r.nextInt(10) == 0 ? new Symbolizer() : new Symbolizer(Path.of("/nonexistent"));
                int made = 0;
                for (int i = 0; i < 200; i++) {
                    int pid = r.nextInt(4);
                    PerfRecord.SampleId none = PerfRecord.SampleId.NONE;
                    switch (r.nextInt(7)) {
                        case 0, 1 -> symbols.accept(new PerfRecord.Mmap2(r.nextInt(), pid, pid, address(r),
                                address(r), address(r), 0, 0, r.nextLong(), 0, r.nextBoolean() ? null : new byte[20],
                                r.nextInt(), r.nextInt(), files.get(r.nextInt(files.size())), none));
                        case 2 -> symbols.accept(new PerfRecord.Mmap(r.nextInt(), pid, pid, address(r), address(r),
                                address(r), files.get(r.nextInt(files.size())), none));
                        case 3 -> symbols.accept(new PerfRecord.Fork(0, r.nextInt(4), r.nextInt(4), r.nextInt(4),
                                r.nextInt(4), 0, none));
                        case 4 -> symbols.accept(new PerfRecord.Comm(r.nextBoolean() ? 0x2000 : 0, pid, pid, "c",
                                none));
                        case 5 -> symbols.accept(new PerfRecord.Exit(0, pid, 0, r.nextInt(4), 0, 0, none));
                        default -> {
                            long[] chain = new long[r.nextInt(8)];
                            for (int k = 0; k < chain.length; k++) {
                                chain[k] = r.nextInt(4) == 0 ? markers[r.nextInt(markers.length)] : address(r);
                            }
                            List<Frame> stack = symbols.callchain(pid, chain);
                            long addresses = java.util.Arrays.stream(chain)
                                    .filter(e -> !io.github.perfevent.sampling.RecordCursor.isContextMarker(e))
                                    .count();
                            assertTrue(stack.size() <= addresses, "one frame per address at most");
                            stack.forEach(f -> assertNotNull(f.name()));
                            made += stack.size();
                        }
                    }
                    assertNotNull(symbols.frame(pid, address(r)));
                }
                return made;
            }, "seed " + budget.seed() + ", stream " + seed);
        }
        System.out.printf("fuzz Symbolizer: %d frames%n", frames);
    }

    /** An address near the program's usual places, near the top, or anywhere. */
    private static long address(RandomGenerator r) {
        return switch (r.nextInt(4)) {
            case 0 -> 0x5500_0000_0000L + r.nextInt(0x10000);
            case 1 -> r.nextInt(0x20000);
            case 2 -> -1L - r.nextInt(0x10000);
            default -> r.nextLong();
        };
    }

    @Test
    void randomPerfMapAndKallsymsTextParsesToNamedRanges() {
        FuzzBudget budget = FuzzBudget.start("AddressNames");
        RandomGenerator random = budget.random();
        String alphabet = "0123456789abcdefx TtWw\t\n\r[]_.-Z";
        while (budget.more()) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(2000); i > 0; i--) {
                text.append(random.nextInt(10) == 0 ? Long.toHexString(random.nextLong())
                        : String.valueOf(alphabet.charAt(random.nextInt(alphabet.length()))));
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            String input = "seed " + budget.seed() + ": " + text;
            for (AddressNames names : new AddressNames[] {AddressNames.perfMap(bytes), AddressNames.kallsyms(bytes)}) {
                if (names == null) {
                    continue;
                }
                for (int i = 0; i < names.size(); i++) {
                    assertNotNull(names.name(i), input);
                }
                assertTrue(names.indexOf(random.nextLong()) < names.size(), input);
            }
        }
    }
}
