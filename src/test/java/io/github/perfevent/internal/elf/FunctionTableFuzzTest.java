package io.github.perfevent.internal.elf;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.perfevent.FuzzBudget;
import io.github.perfevent.PerfEventException;
import io.github.perfevent.Programs;
import io.github.perfevent.sys.Errno;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzing {@link ElfSymbols#functions}: real binaries (a gcc-built program, /bin/true, libc) mutated as
 * {@link ElfSymbolsFuzzTest} mutates them, plus symbol entries whose name, value or size is set to an extreme, and
 * random bytes behind a valid ELF magic. Every input gives, within a bound, either a table whose every function lies
 * inside the file in strictly increasing order, or a {@link PerfEventException} ENOEXEC; never another exception, an
 * {@link Error} or a hang.
 */
@Tag("fuzz")
class FunctionTableFuzzTest {

    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final long[] EXTREMES = {0, 1, -1, 0x7f, 0xfff, 0x7fffffff, 0x80000000L, 0xffffffffL,
        Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40};

    @Test
    void mutatedBinariesGiveATableInsideTheFileOrEnoexecInBoundedTime(@TempDir Path dir) throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(Files.readAllBytes(Programs.compiled("uprobe_target")));
        seeds.add(Files.readAllBytes(Path.of("/bin/true").toRealPath()));
        try (BufferedReader maps = Files.newBufferedReader(Path.of("/proc/self/maps"))) {
            maps.lines().map(line -> line.substring(line.lastIndexOf(' ') + 1)).filter(p -> p.endsWith("/libc.so.6"))
                    .findFirst().ifPresent(libc -> {
                        try {
                            seeds.add(Files.readAllBytes(Path.of(libc)));
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
        }
        Path file = dir.resolve("mutated");
        FuzzBudget budget = FuzzBudget.start("FunctionTable");
        RandomGenerator random = budget.random();
        int tables = 0;
        int refused = 0;
        while (budget.more()) {
            byte[] seed = seeds.get(random.nextInt(seeds.size()));
            StringBuilder how = new StringBuilder("seed file " + seeds.indexOf(seed));
            byte[] mutated = switch (random.nextInt(3)) {
                case 0 -> ElfSymbolsFuzzTest.mutate(seed, random, how);
                case 1 -> mutateSymbols(seed, random, how);
                default -> randomAfterMagic(random, how);
            };
            Files.write(file, mutated);
            if (assertContract(file, mutated.length, "seed " + budget.seed() + ": " + how)) {
                tables++;
            } else {
                refused++;
            }
        }
        System.out.printf("fuzz FunctionTable: %d tables, %d ENOEXEC%n", tables, refused);
    }

    /** Whether a table came back (checked), false for ENOEXEC; fails on anything else. */
    private static boolean assertContract(Path file, long size, String input) {
        Object outcome = assertTimeoutPreemptively(BOUND, () -> {
            try {
                FunctionTable table = ElfSymbols.functions(file);
                for (int i = 0; i < table.size(); i++) {
                    if (table.offset(i) < 0 || table.offset(i) >= size || table.end(i) <= table.offset(i)
                            || i > 0 && table.offset(i) <= table.offset(i - 1)
                            || table.name(i).length() > ElfSymbols.MAX_NAME_BYTES + 3
                            || table.indexOf(table.offset(i)) != i) {
                        return new AssertionError("function " + i + " (" + table.name(i) + " at "
                                + table.offset(i) + "-" + table.end(i) + ") in a file of " + size + " bytes");
                    }
                }
                return Boolean.TRUE;
            } catch (PerfEventException e) {
                return e.errno() == Errno.ENOEXEC ? Boolean.FALSE : e;
            } catch (Throwable t) {
                return t;
            }
        }, input);
        if (outcome instanceof Throwable t) {
            fail(input + ": " + t, t);
        }
        return (Boolean) outcome;
    }

    /** Sets st_name, st_value or st_size of up to 8 entries of the symbol table ElfSymbols reads to an extreme. */
    private static byte[] mutateSymbols(byte[] original, RandomGenerator random, StringBuilder how) {
        byte[] bytes = original.clone();
        ByteBuffer elf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = elf.getLong(0x28);
        int shnum = Short.toUnsignedInt(elf.getShort(0x3c));
        long table = -1;
        long tableSize = 0;
        for (int i = 0; i < shnum; i++) {
            int type = elf.getInt((int) (shoff + i * 64L + 4));
            if (type == 2 || type == 11 && table < 0) {
                table = elf.getLong((int) (shoff + i * 64L + 0x18));
                tableSize = elf.getLong((int) (shoff + i * 64L + 0x20));
            }
        }
        if (table < 0 || tableSize < 48) {
            how.append(", no symbol table");
            return bytes;
        }
        for (int n = 1 + random.nextInt(8); n > 0; n--) {
            long entry = table + 24 * (1 + random.nextLong(tableSize / 24 - 1));
            int[] fields = {0, 8, 16};
            int field = fields[random.nextInt(fields.length)];
            long value = EXTREMES[random.nextInt(EXTREMES.length)];
            if (field == 0) {
                elf.putInt((int) entry, (int) value);
            } else {
                elf.putLong((int) (entry + field), value);
            }
            how.append(", symbol @").append(entry).append(" field ").append(field).append(" = ").append(value);
        }
        return bytes;
    }

    /** The ELF64 little-endian magic and up to 4 KiB of random bytes. */
    private static byte[] randomAfterMagic(RandomGenerator random, StringBuilder how) {
        byte[] bytes = new byte[6 + random.nextInt(4096)];
        random.nextBytes(bytes);
        System.arraycopy(new byte[] {0x7f, 'E', 'L', 'F', 2, 1}, 0, bytes, 0, 6);
        how.append(", ").append(bytes.length).append(" random bytes after the magic");
        return bytes;
    }
}
