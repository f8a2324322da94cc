package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Tracefs;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The package's exception contract for names: the caller's text gets an {@link EventNameException} (an
 * {@link IllegalArgumentException}) with the input, the index at fault and the suggestions; never a
 * {@link PerfEventException} with an errno no system call returned, never a {@code NumberFormatException} or an
 * {@code InvalidPathException} from inside; {@code null} gets a {@link NullPointerException} naming the parameter.
 * The inputs are those of issue 7, each of which broke the contract before.
 */
class EventNameContractTest {

    @Test
    void namesThatNoSystemCallRefusedAreIllegalArgumentsNotErrnos() {
        assertRefused("nonsense", 0, "no event is called 'nonsense'");
        assertRefused("", -1, "the name is empty");
        assertRefused("   ", -1, "the name is empty");
        assertRefused("  nonsense", 2, "no event is called 'nonsense'");
    }

    @Test
    void theMessageSaysWhatWhereAndWhyAndShortensOnlyInputsOver256Characters() {
        assertEquals("event name 'nonsense' at index 0: no event is called 'nonsense'. EventCatalog.list() lists the "
                + "events of this machine.", assertThrows(EventNameException.class, () -> Event.parse("nonsense"))
                        .getMessage());
        assertEquals("event name '': the name is empty",
                assertThrows(EventNameException.class, () -> Event.parse("")).getMessage());
        String limit = "q".repeat(256);
        assertTrue(assertThrows(EventNameException.class, () -> Event.parse(limit)).getMessage()
                .startsWith("event name '" + limit + "' at index 0"));
        assertTrue(assertThrows(EventNameException.class, () -> Event.parse(limit + "q")).getMessage()
                .startsWith("event name '" + limit + "...(257 characters)' at index 0"));
    }

    @Test
    void numbersBeyondTheirFieldsAreRefusedAtTheNumberNotLeakedAsNumberFormatExceptions() {
        assertRefused("r11111111111111111", 1, "at most 16 hex digits");
        assertEquals(-1L, Event.parse("rffffffffffffffff").config(), "16 hex digits are 64 bits");
        assertRefused("mem:0x10000000000000000", 4, "address has 64 bits");
        assertRefused("mem:18446744073709551616", 4, "address has 64 bits");
        assertEquals(-1L, Event.parse("mem:18446744073709551615").config1(), "2^64-1 is the last address");
        assertRefused("mem:0x1000/99999999999", 11, "length must be 1, 2, 4 or 8 bytes, not 99999999999");
        assertRefused("  mem:0x1000/16:w", 13, "not 16");
        assertRefused("msr/event=0x10000000000000000/", 4, "not a number of at most 64 bits");
    }

    @Test
    void aNulCharacterIsRefusedWhereItStandsNotLeakedAsInvalidPathException() {
        assertRefused("a\0/b/", 1, "NUL");
        assertRefused("sched:sched_switch\0", 18, "NUL");
        assertRefused("\0", 0, "NUL");
        EventNameException pmu = assertThrows(EventNameException.class, () -> Pmu.named("a\0"));
        assertEquals("a\0", pmu.input());
        EventNameException tracepoint = assertThrows(EventNameException.class, () -> Event.tracepoint("sched", "a\0"));
        assertEquals(6, tracepoint.position().orElseThrow(), "the name part of sched:a\\0");
    }

    @Test
    void nullIsANullPointerExceptionNamingTheParameter() {
        assertNullNamed("name", () -> Event.parse(null));
        assertNullNamed("letters", () -> Event.parse("cycles").withModifiers(null));
        assertNullNamed("name", () -> Pmu.named(null));
        assertNullNamed("terms", () -> Pmu.named("software").event(null));
        assertNullNamed("pmu", () -> Event.pmu(null, ""));
        assertNullNamed("terms", () -> Event.pmu("software", null));
        assertNullNamed("subsystem", () -> Event.tracepoint(null, "x"));
        assertNullNamed("name", () -> Event.tracepoint("sched", null));
        assertNullNamed("access", () -> Event.breakpoint(0x1000, 4, null));
        assertNullNamed("cache", () -> Event.cache(null, Event.CacheOp.READ, Event.CacheResult.MISS));
        assertNullNamed("op", () -> Event.cache(Event.Cache.L1D, null, Event.CacheResult.MISS));
        assertNullNamed("result", () -> Event.cache(Event.Cache.L1D, Event.CacheOp.READ, null));
    }

    @Test
    void aTrailingColonIsRefusedAfterEveryKindOfName() {
        for (String name : List.of("cycles:", "sched:sched_switch:", "msr/tsc/:", "mem:0x1000:rw:", "mem:", "r1a8:")) {
            EventNameException e = assertThrows(EventNameException.class, () -> Event.parse(name), name);
            assertEquals(name.length() - 1, e.position().orElseThrow(), name);
            assertTrue(e.reason().startsWith("nothing after ':'"), e.getMessage());
        }
        assertEquals(Event.parse("cycles"), Event.parse("cycles").withModifiers(""), "no letters: the event as it is");
    }

    @Test
    void filesOfTracefsAndOverlongNamesAreNoTracepointsNotIoErrors() throws Exception {
        Tracefs tracefs = Tracefs.acquire();
        try {
            assertTrue(Files.isRegularFile(Tracefs.ROOT.resolve("events/sched/enable")), "the test's premise");
            for (String file : List.of("sched:enable", "sched:filter", "enable:x", "header_page:x")) {
                EventNameException e = assertThrows(EventNameException.class, () -> Event.parse(file), file);
                assertTrue(e.reason().startsWith("no such tracepoint in tracefs"), e.getMessage());
            }
            String longName = "sched:" + "x".repeat(300);
            EventNameException e = assertThrows(EventNameException.class, () -> Event.parse(longName));
            assertTrue(e.reason().startsWith("no such tracepoint in tracefs"), e.getMessage());
            assertThrows(EventNameException.class, () -> Event.parse("y".repeat(300) + ":x"));
            assertThrows(EventNameException.class, () -> Event.tracepoint("sched", "z".repeat(5000)),
                    "a path over PATH_MAX");
            assertEquals(Tracefs.ROOT.resolve("events/sched/sched_switch/id").toFile().exists(),
                    Event.parse("sched:sched_switch").config() > 0, "a real tracepoint still resolves");
        } finally {
            tracefs.release();
        }
    }

    @Test
    void aRawEventKeepsItsModifiers() {
        Event raw = Event.parse("rFF:u");
        assertEquals("rff:u", raw.name());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = EventOpener.attr(arena, raw, Options.defaults(), 0, true, false);
            assertEquals(0, perf_event_attr_bits.exclude_user(attr), ":u counts user");
            assertEquals(1, perf_event_attr_bits.exclude_kernel(attr), ":u excludes the kernel");
            assertEquals(1, perf_event_attr_bits.exclude_hv(attr), ":u excludes the hypervisor");
        }
        assertEquals("mem:0x1000/4:rw:k", Event.parse("mem:0x1000:rw:k").name(), "a breakpoint keeps them too");
    }

    @Test
    void modifiersAddToThoseTheEventHasAndTheNameSaysAll() {
        Event uk = Event.parse("cycles:u").withModifiers("k");
        assertEquals("cycles:uk", uk.name());
        assertEquals(Event.parse("cycles:uk"), uk, "the same as the name parsed");
        assertEquals(Event.parse("msr/tsc/uk"), Event.parse("msr/tsc/u").withModifiers("k"));
        assertEquals(Event.parse("mem:0x1000/4:rw:kp"), Event.parse("mem:0x1000:rw:k").withModifiers("p"));
        assertEquals(Event.parse("r1a8:u"), Event.parse("r1a8").withModifiers("u"));
        EventNameException overflow = assertThrows(EventNameException.class,
                () -> Event.parse("cycles:pp").withModifiers("upp"));
        assertEquals("upp", overflow.input(), "the letters given");
        assertEquals(2, overflow.position().orElseThrow(), "the p that makes four");
        assertTrue(overflow.getMessage().startsWith("modifiers of cycles: 'upp' at index 2: precise_ip goes up to 3"),
                overflow.getMessage());
        EventNameException letter = assertThrows(EventNameException.class,
                () -> Event.parse("cycles:u").withModifiers("kz"));
        assertEquals(1, letter.position().orElseThrow());
    }

    @Test
    void aFailedFileAccessCarriesTheErrnoTheSystemCallReturned(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertEquals(Errno.ENOENT, errnoOfReading(dir.resolve("missing")));
        assertEquals(Errno.ENOTDIR, errnoOfReading(file.resolve("id")), "a file where a directory should be");
        assertEquals(Errno.ENAMETOOLONG, errnoOfReading(dir.resolve("n".repeat(256))), "over NAME_MAX");
        assertEquals(21, errnoOfReading(dir), "EISDIR: read(2) of a directory, known by its strerror text");
        assertEquals(Errno.ENOTDIR, PerfEventException.errnoOf(assertThrows(IOException.class,
                () -> Files.list(file).close())), "NotDirectoryException");
        PerfEventException e = PerfEventException.ofFileAccess("read " + file, new IOException("No such device"), "");
        assertEquals(Errno.ENODEV, e.errno(), "the longest strerror text that starts the message, not ENXIO's");
        assertEquals(6, PerfEventException.errnoOf(new IOException("No such device or address")), "ENXIO");
        assertEquals(Errno.EIO, PerfEventException.errnoOf(new IOException("something the JDK made up")));
        assertEquals(Errno.EIO, PerfEventException.errnoOf(new IOException((String) null)));
    }

    private static int errnoOfReading(Path path) {
        IOException e = assertThrows(IOException.class, () -> {
            try (var reader = Files.newBufferedReader(path)) {
                reader.readLine();
            }
        });
        return PerfEventException.errnoOf(e);
    }

    private static void assertRefused(String name, int position, String why) {
        EventNameException e = assertThrows(EventNameException.class, () -> Event.parse(name), name);
        assertEquals(name, e.input());
        assertEquals(position, e.position().orElse(-1), e.getMessage());
        assertTrue(e.reason().contains(why), e.getMessage());
        assertTrue(e instanceof IllegalArgumentException);
    }

    private static void assertNullNamed(String parameter, Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertEquals(parameter, e.getMessage());
    }
}
