package io.github.perfevent.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The two text formats {@link AddressNames} reads: perf maps as perf's jit-interface.txt and HotSpot write them, and
 * /proc/kallsyms as proc(5) describes it, with the choices made where they are ambiguous.
 */
class AddressNamesTest {

    private static byte[] text(String... lines) {
        return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    }

    private static String nameAt(AddressNames names, long address) {
        int index = names.indexOf(address);
        return index < 0 ? null : names.name(index);
    }

    @Test
    void perfMapLinesAreHexadecimalWithOrWithoutPrefixAndTheLaterLineWins() {
        AddressNames map = AddressNames.perfMap(text(
                "1000 10 plain",
                "0x2000 0X10 prefixed name with spaces  ",
                "3000\t8\ttabbed\r",
                "4000 10 first",
                "4000 4 second",
                "5000 0 empty",
                "6000 10",
                "12345678901234567 10 seventeen digits",
                "7000 1g bad size",
                "ffffffffffffff00 100 wraps",
                "",
                "8000 10 last"));
        assertEquals("plain", nameAt(map, 0x1000));
        assertEquals("plain", nameAt(map, 0x100f));
        assertNull(nameAt(map, 0x1010));
        assertNull(nameAt(map, 0xfff));
        assertEquals("prefixed name with spaces", nameAt(map, 0x2000));
        assertEquals("tabbed", nameAt(map, 0x3007));
        assertEquals("second", nameAt(map, 0x4003), "the later line at one start wins");
        assertNull(nameAt(map, 0x4004), "with its own size");
        assertNull(nameAt(map, 0x5000));
        assertNull(nameAt(map, 0x6000), "a line without a name");
        assertNull(nameAt(map, 0x7000));
        assertNull(nameAt(map, 0xffffffffffffff00L));
        assertEquals("last", nameAt(map, 0x8000));
        assertEquals(5, map.size());
        for (String atTheEnd : new String[] {"0", "0x", "9000", "9000 10", "9000 10 "}) {
            assertEquals(0, AddressNames.perfMap(text(atTheEnd)).size(), "'" + atTheEnd + "' at the end of the text");
        }
        assertEquals("n", nameAt(AddressNames.perfMap(text("9000 10 n")), 0x9000));
    }

    @Test
    void perfMapNamesAreCutAfterTheirBound() {
        String longName = "m".repeat(AddressNames.MAX_NAME_BYTES + 1);
        AddressNames map = AddressNames.perfMap(text("1000 10 " + longName));
        assertEquals("m".repeat(AddressNames.MAX_NAME_BYTES) + "...", nameAt(map, 0x1000));
        String exact = "e".repeat(AddressNames.MAX_NAME_BYTES);
        assertEquals(exact, nameAt(AddressNames.perfMap(text("1000 10 " + exact)), 0x1000));
    }

    @Test
    void kallsymsKeepsTextSymbolsEachEndingAtTheNextWithGlobalOnesPreferred() {
        AddressNames k = AddressNames.kallsyms(text(
                "ffffffff81000000 t _text_local",
                "ffffffff81000000 T _stext",
                "ffffffff81000100 t local_first",
                "ffffffff81000100 W weak_global",
                "ffffffff81000200 D data_symbol",
                "ffffffff81000300 w weak_local",
                "ffffffffc0001000 t module_function\t[nf_tables]",
                "not a line"));
        assertEquals("_stext", nameAt(k, 0xffffffff81000000L), "T over t at one address");
        assertEquals("_stext", nameAt(k, 0xffffffff810000ffL), "up to the next symbol");
        assertEquals("weak_global", nameAt(k, 0xffffffff81000100L), "W over t");
        assertEquals("weak_global", nameAt(k, 0xffffffff810002ffL), "data symbols are not text");
        assertEquals("weak_local", nameAt(k, 0xffffffff81000300L));
        assertEquals("weak_local", nameAt(k, 0xffffffffc0000fffL));
        int module = k.indexOf(0xffffffffc0001000L);
        assertEquals("module_function", k.name(module));
        assertEquals("[nf_tables]", k.module(module));
        assertNull(k.module(k.indexOf(0xffffffff81000000L)));
        assertEquals("module_function", nameAt(k, 0xffffffffc0001fffL), "the last covers a page");
        assertNull(nameAt(k, 0xffffffffc0002000L));
        assertNull(nameAt(k, 0xffffffff80ffffffL));
        assertEquals(4, k.size());
    }

    @Test
    void aKernelSymbolNearTheTopCoversUpToTheTopAndHiddenAddressesGiveNothing() {
        AddressNames top = AddressNames.kallsyms(text("fffffffffffff800 T at_the_top"));
        assertEquals("at_the_top", nameAt(top, 0xfffffffffffff800L));
        assertEquals("at_the_top", nameAt(top, -2L));
        assertNull(AddressNames.kallsyms(text("0000000000000000 T _stext", "0000000000000000 t other")),
                "every address 0: hidden from this reader");
        assertNull(AddressNames.kallsyms(text("")));
    }
}
