package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.perfevent.sys.Errno;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link Event#parse} on random and mutated names, with the package's exception contract as the assertion: for every
 * input it returns an event (whose name parses back to the same type and config), or throws an
 * {@link EventNameException} whose input is the text and whose position lies in it, or a {@link PerfEventException}
 * with an errno a file access really returns here (ENOENT only while tracefs is not mounted, EACCES when it is not
 * readable); nothing else, and within a bounded time. The inputs: real names of {@link EventCatalog#list()} and
 * perf's syntax, mutated the way a grammar breaks (a character inserted, deleted, replaced, doubled; modifiers,
 * colons and slashes added; numbers past 64 bits), random characters (NUL and lone surrogates included), and names
 * of up to 20,000 characters.
 */
@Tag("fuzz")
class EventNamesFuzzTest {

    /** Far above what one parse takes (a listing of tracefs, some 100 ms), far below the 9.7 s issue 7 measured. */
    private static final Duration PER_INPUT = Duration.ofSeconds(5);
    private static final String SYNTAX = ":/=,-_.?*0123456789abcdefxrumkhpPIGHDe \t\0\u00e9\ud800";
    private static final List<String> FORMS = List.of("mem:0x1000", "mem:4096/8:w", "mem:0x1000:rw:k", "r1a8", "rFF:u",
            "msr/tsc/", "msr/event=0x0/u", "uprobe/retprobe,config2=0x1139/", "software/config=1/", "sched:sched_switch",
            "syscalls:sys_enter_getpid:u", "cycles:ppp", "L1-dcache-load-misses:k", "l1d-misses-prefetch",
            "task-clock:uk", "breakpoint//");

    @Test
    void everyInputGivesAnEventAnEventNameExceptionOrARealErrno() {
        List<String> names = new ArrayList<>(FORMS);
        EventCatalog.list().forEach(entry -> names.add(entry.name()));
        Set<Integer> environment = Tracing.root().isPresent() ? Set.of(Errno.EACCES) : Set.of(Errno.ENOENT, Errno.EACCES);
        FuzzBudget budget = FuzzBudget.start("Event.parse");
        RandomGenerator random = budget.random();
        while (budget.more()) {
            String input = input(random, names);
            String replay = "seed " + budget.seed() + ", input \"" + escaped(input) + "\"";
            long start = System.nanoTime();
            try {
                Event event = Event.parse(input);
                Event again = Event.parse(event.name());
                assertEquals(event.type(), again.type(), replay + " parses back from " + event.name());
                assertEquals(event.config(), again.config(), replay + " parses back from " + event.name());
            } catch (EventNameException e) {
                assertEquals(input, e.input(), replay);
                e.position().ifPresent(p -> assertTrue(p >= 0 && p < input.length(), replay + ": " + e.getMessage()));
                assertTrue(e.suggestions().size() <= 3, replay);
            } catch (PerfEventException e) {
                assertTrue(environment.contains(e.errno()), replay + ": an errno no file access returned here: "
                        + e.getMessage());
            } catch (RuntimeException | Error e) {
                fail(replay + ": outside the contract", e);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(PER_INPUT) < 0, replay + " took " + took);
        }
    }

    private static String input(RandomGenerator random, List<String> names) {
        String name = names.get(random.nextInt(names.size()));
        return switch (random.nextInt(8)) {
            case 0 -> name;
            case 1, 2 -> mutated(random, name, 1 + random.nextInt(3));
            case 3 -> name + ":" + randomText(random, SYNTAX, random.nextInt(5));
            case 4 -> randomText(random, SYNTAX, random.nextInt(24));
            case 5 -> randomText(random, null, random.nextInt(24));
            case 6 -> hugeNumber(random);
            default -> mutated(random, name.repeat(1 + 20_000 / Math.max(1, name.length()) * random.nextInt(2)),
                    random.nextInt(2));
        };
    }

    /** {@code name} with {@code edits} grammar-breaking edits. */
    private static String mutated(RandomGenerator random, String name, int edits) {
        StringBuilder text = new StringBuilder(name);
        for (int i = 0; i < edits; i++) {
            int at = random.nextInt(text.length() + 1);
            char c = SYNTAX.charAt(random.nextInt(SYNTAX.length()));
            switch (random.nextInt(6)) {
                case 0 -> text.insert(at, c);
                case 1 -> text.deleteCharAt(Math.min(at, Math.max(0, text.length() - 1)));
                case 2 -> text.replace(at, Math.min(at + 1, text.length()), String.valueOf(c));
                case 3 -> text.insert(at, text.substring(at, Math.min(text.length(), at + 1 + random.nextInt(8))));
                case 4 -> text.setLength(at);
                default -> text.append(random.nextBoolean() ? ":" : "/").append(random.nextBoolean() ? "u" : "");
            }
            if (text.isEmpty()) {
                break;
            }
        }
        return text.toString();
    }

    private static String hugeNumber(RandomGenerator random) {
        StringBuilder digits = new StringBuilder();
        int length = 1 + random.nextInt(40);
        for (int i = 0; i < length; i++) {
            digits.append("0123456789abcdef".charAt(random.nextInt(16)));
        }
        String hex = digits.toString();
        String decimal = hex.replaceAll("[a-f]", "9");
        return switch (random.nextInt(6)) {
            case 0 -> "r" + hex;
            case 1 -> "mem:0x" + hex;
            case 2 -> "mem:" + decimal + ":w";
            case 3 -> "mem:0x1000/" + decimal;
            case 4 -> "msr/event=0x" + hex + "/";
            default -> "software/config=" + decimal + "/";
        };
    }

    /** Characters from {@code alphabet}, or any UTF-16 unit (lone surrogates included) when it is null. */
    private static String randomText(RandomGenerator random, String alphabet, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(alphabet == null ? (char) random.nextInt(0x10000) : alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private static String escaped(String input) {
        StringBuilder out = new StringBuilder();
        String shown = input.length() > 300 ? input.substring(0, 300) : input;
        for (char c : shown.toCharArray()) {
            out.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return out + (input.length() > 300 ? "...(" + input.length() + " characters)" : "");
    }
}
