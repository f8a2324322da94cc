package io.github.perfevent.internal.elf;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.perfevent.FuzzBudget;
import io.github.perfevent.PerfEventException;
import io.github.perfevent.Programs;
import io.github.perfevent.sys.Errno;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ElfSymbols} on mutations of real binaries (a gcc-built program, {@code /bin/true}, the libc this JVM runs
 * on): bytes flipped, the file cut short, header and section header fields overwritten with extreme values. Every
 * input must end within a bound with a contract outcome only: an offset inside the file, an
 * {@link IllegalArgumentException}, or a {@link PerfEventException} ENOEXEC (corrupt) or EINVAL (an indirect
 * function); never another exception or an {@link Error}.
 */
@Tag("fuzz")
class ElfSymbolsFuzzTest {

    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final long[] EXTREMES = {0, 1, -1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000L, 0xffffffffL,
        Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40};

    /** A real binary and symbols it defines. */
    private record Seed(Path path, byte[] bytes, List<String> symbols) {
    }

    @Test
    void mutatedRealBinariesGiveOnlyContractOutcomesInBoundedTime(@TempDir Path dir) throws IOException {
        List<Seed> seeds = new ArrayList<>();
        Path program = Programs.compiled("uprobe_target");
        seeds.add(new Seed(program, Files.readAllBytes(program), List.of("probed", "main", "probd")));
        Path bin = Path.of("/bin/true").toRealPath();
        seeds.add(new Seed(bin, Files.readAllBytes(bin), List.of("main", "__libc_start_main", "exit")));
        Path libc = loadedLibc();
        if (libc != null) {
            seeds.add(new Seed(libc, Files.readAllBytes(libc), List.of("getpid", "posix_spawn@GLIBC_2.2.5",
                    "posix_spawn", "memcpy", "pthread_cond_init@@GLIBC_2.3.2")));
        }
        Path file = dir.resolve("mutated");
        FuzzBudget budget = FuzzBudget.start("ElfSymbols");
        RandomGenerator random = budget.random();
        while (budget.more()) {
            Seed seed = seeds.get(random.nextInt(seeds.size()));
            StringBuilder how = new StringBuilder(seed.path().toString());
            byte[] mutated = mutate(seed.bytes(), random, how);
            Files.write(file, mutated);
            String symbol = seed.symbols().get(random.nextInt(seed.symbols().size()));
            assertContract(file, symbol, mutated.length, "seed " + budget.seed() + ": " + how + ", symbol " + symbol);
        }
    }

    /**
     * The race of the issue, for real: a thread rewrites one file in place, as {@code cp} over an existing library
     * does (truncate, then write in chunks), alternately with a PIE and a non-PIE build of one program, while this
     * thread looks up a function in it. Every answer is the offset of one build or ENOEXEC, never another offset, an
     * {@link Error} or another exception.
     */
    @Test
    void aFileRewrittenInPlaceWhileItIsReadGivesOneBuildsOffsetOrEnoexec(@TempDir Path dir) throws Exception {
        Path pie = Programs.compiled("uprobe_target");
        Path nonPie = dir.resolve("uprobe_target-no-pie");
        io.github.perfevent.sys.Gcc.compile(Path.of("src/test/c/uprobe_target.c"), nonPie, List.of("-no-pie"));
        List<byte[]> builds = List.of(Files.readAllBytes(pie), Files.readAllBytes(nonPie));
        List<Long> offsets = List.of(ElfSymbols.fileOffset(pie, "probed"), ElfSymbols.fileOffset(nonPie, "probed"));
        Path file = Files.write(dir.resolve("rewritten"), builds.get(0));
        FuzzBudget budget = FuzzBudget.start("ElfSymbols-rewrite");
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = Thread.ofPlatform().name("cp-over").start(() -> {
            for (int i = 0; !stop.get(); i++) {
                byte[] build = builds.get(i % 2);
                try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    for (int at = 0; at < build.length; at += 4096) {
                        c.write(ByteBuffer.wrap(build, at, Math.min(4096, build.length - at)));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        int[] outcomes = new int[3];
        try {
            while (budget.more()) {
                String input = "seed " + budget.seed();
                Throwable wrong = assertTimeoutPreemptively(BOUND, () -> {
                    try {
                        long offset = ElfSymbols.fileOffset(file, "probed");
                        outcomes[offsets.indexOf(offset) + 1]++;
                        return offsets.contains(offset) ? null : new AssertionError("offset 0x"
                                + Long.toHexString(offset) + " is neither build's " + offsets);
                    } catch (PerfEventException e) {
                        outcomes[0]++;
                        return e.errno() == Errno.ENOEXEC ? null : e;
                    } catch (Throwable t) {
                        return t;
                    }
                }, input);
                if (wrong != null) {
                    fail(input + ": " + wrong, wrong);
                }
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        System.out.printf("fuzz ElfSymbols-rewrite: %d ENOEXEC, %d and %d offsets of the two builds%n", outcomes[0],
                outcomes[1], outcomes[2]);
    }

    private static void assertContract(Path file, String symbol, long size, String input) {
        Throwable outcome = assertTimeoutPreemptively(BOUND, () -> {
            try {
                long offset = ElfSymbols.fileOffset(file, symbol);
                return offset >= 0 && offset < size ? null
                        : new AssertionError("offset " + offset + " outside a file of " + size + " bytes");
            } catch (IllegalArgumentException e) {
                return null;
            } catch (PerfEventException e) {
                return e.errno() == Errno.ENOEXEC || e.errno() == Errno.EINVAL ? null : e;
            } catch (Throwable t) {
                return t;
            }
        }, input);
        if (outcome != null) {
            fail(input + ": " + outcome, outcome);
        }
    }

    /** One to three mutations of a copy of {@code original}, described in {@code how}. */
    static byte[] mutate(byte[] original, RandomGenerator random, StringBuilder how) {
        byte[] bytes = original.clone();
        ByteBuffer elf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = elf.getLong(0x28);
        int shnum = Short.toUnsignedInt(elf.getShort(0x3c));
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            switch (random.nextInt(5)) {
                case 0 -> { // flip bytes anywhere
                    for (int i = 1 + random.nextInt(16); i > 0; i--) {
                        int at = random.nextInt(bytes.length);
                        bytes[at] ^= (byte) (1 + random.nextInt(255));
                        how.append(", flip @").append(at);
                    }
                }
                case 1 -> { // flip bytes of the headers
                    for (int i = 1 + random.nextInt(8); i > 0; i--) {
                        int at = random.nextBoolean() ? random.nextInt(64 + 56 * 4)
                                : (int) Math.min(bytes.length - 1, shoff + random.nextInt(Math.max(1, shnum * 64)));
                        bytes[at] ^= (byte) (1 + random.nextInt(255));
                        how.append(", header flip @").append(at);
                    }
                }
                case 2 -> { // an ELF header field set to an extreme
                    int[] fields = {0x20, 0x28, 0x36, 0x38, 0x3a, 0x3c};
                    int field = fields[random.nextInt(fields.length)];
                    long value = EXTREMES[random.nextInt(EXTREMES.length)];
                    if (field <= 0x28) {
                        elf.putLong(field, value);
                    } else {
                        elf.putShort(field, (short) value);
                    }
                    how.append(", e_field 0x").append(Integer.toHexString(field)).append(" = ").append(value);
                }
                case 3 -> { // a section header field set to an extreme
                    if (shnum > 0 && shoff > 0 && shoff + shnum * 64L <= bytes.length) {
                        int section = random.nextInt(shnum);
                        int[] fields = {0x04, 0x18, 0x20, 0x28, 0x2c, 0x38};
                        int field = fields[random.nextInt(fields.length)];
                        long value = EXTREMES[random.nextInt(EXTREMES.length)];
                        int at = (int) (shoff + section * 64L + field);
                        if (field == 0x18 || field == 0x20 || field == 0x38) {
                            elf.putLong(at, value);
                        } else {
                            elf.putInt(at, (int) value);
                        }
                        how.append(", section ").append(section).append(" field 0x")
                                .append(Integer.toHexString(field)).append(" = ").append(value);
                    }
                }
                default -> { // cut short
                    int length = random.nextInt(bytes.length);
                    bytes = Arrays.copyOf(bytes, length);
                    how.append(", cut to ").append(length);
                    return bytes;
                }
            }
        }
        return bytes;
    }

    /** The libc.so.6 this JVM has mapped, or null. */
    private static Path loadedLibc() throws IOException {
        try (BufferedReader maps = Files.newBufferedReader(Path.of("/proc/self/maps"))) {
            return maps.lines().map(line -> line.substring(line.lastIndexOf(' ') + 1))
                    .filter(p -> p.endsWith("/libc.so.6")).findFirst().map(Path::of).filter(Files::isReadable)
                    .orElse(null);
        }
    }
}
