package io.github.perfevent.internal.elf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Test support: small ELF64 little-endian files written byte by byte, to give {@link ElfSymbols} what no compiler
 * produces. The file is: the ELF header, one {@code PT_LOAD} program header, the section contents, then the section
 * headers ([0] null, then the sections in the order added). {@code SHT_*} numbers and field offsets are those of
 * elf(5).
 */
final class CraftedElf {

    static final int SHT_STRTAB = 3;
    static final int SHT_SYMTAB = 2;
    static final int SHT_DYNSYM = 11;
    static final int SHT_GNU_VERSYM = 0x6fffffff;
    static final int SHT_GNU_VERDEF = 0x6ffffffd;
    /** {@code st_info} of a global function. */
    static final int GLOBAL_FUNC = 0x12;
    /** {@code st_info} of a local function. */
    static final int LOCAL_FUNC = 0x02;
    /** {@code st_info} of a global GNU indirect function. */
    static final int GLOBAL_IFUNC = 0x1a;

    /** A section: its type, contents, {@code sh_link}, {@code sh_info} and {@code sh_entsize}. */
    record Section(int type, byte[] contents, int link, int info, long entsize) {
    }

    private final List<Section> sections = new ArrayList<>();
    private long loadOffset;
    private long loadVaddr;
    private long loadSize = 1L << 20;
    private int phentsize = 56;
    private int shentsize = 64;

    /** Adds a section; returns its index (the null section is 0). */
    int add(int type, byte[] contents, int link, int info, long entsize) {
        sections.add(new Section(type, contents, link, info, entsize));
        return sections.size();
    }

    /** The one {@code PT_LOAD}: file offset, virtual address and file size. */
    CraftedElf load(long offset, long vaddr, long size) {
        this.loadOffset = offset;
        this.loadVaddr = vaddr;
        this.loadSize = size;
        return this;
    }

    CraftedElf entrySizes(int phentsize, int shentsize) {
        this.phentsize = phentsize;
        this.shentsize = shentsize;
        return this;
    }

    /** {@code Elf64_Sym} entries: {name, info, shndx, value} or {name, info, shndx, value, size} each. */
    static byte[] symbols(long[]... entries) {
        ByteBuffer b = ByteBuffer.allocate(24 * (entries.length + 1)).order(ByteOrder.LITTLE_ENDIAN);
        b.position(24); // symbol 0 is the null symbol
        for (long[] e : entries) {
            b.putInt((int) e[0]).put((byte) e[1]).put((byte) 0).putShort((short) e[2]).putLong(e[3])
                    .putLong(e.length > 4 ? e[4] : 0);
        }
        return b.array();
    }

    /** {@code Elf64_Verdef} entries, each followed by one {@code Elf64_Verdaux}: {flags, ndx, name, next} each. */
    static byte[] versionDefinitions(long[]... entries) {
        ByteBuffer b = ByteBuffer.allocate(28 * entries.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long[] e : entries) {
            b.putShort((short) 1).putShort((short) e[0]).putShort((short) e[1]).putShort((short) 1).putInt(0)
                    .putInt(20).putInt((int) e[3]).putInt((int) e[2]).putInt(0);
        }
        return b.array();
    }

    /** {@code Elf64_Half} version indexes, one per symbol (the null symbol first). */
    static byte[] versions(int... indexes) {
        ByteBuffer b = ByteBuffer.allocate(2 * indexes.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : indexes) {
            b.putShort((short) v);
        }
        return b.array();
    }

    byte[] bytes() {
        ByteArrayOutputStream contents = new ByteArrayOutputStream();
        long[] offsets = new long[sections.size()];
        long at = 64 + 56;
        for (int i = 0; i < sections.size(); i++) {
            offsets[i] = at;
            contents.writeBytes(sections.get(i).contents());
            at += sections.get(i).contents().length;
        }
        long shoff = at;
        int shnum = sections.size() + 1;
        ByteBuffer b = ByteBuffer.allocate((int) (shoff + (long) shnum * 64)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).position(16);
        b.putShort((short) 3).putShort((short) 62).putInt(1).putLong(0).putLong(64).putLong(shoff).putInt(0)
                .putShort((short) 64).putShort((short) phentsize).putShort((short) 1).putShort((short) shentsize)
                .putShort((short) shnum).putShort((short) 0);
        b.position(64);
        b.putInt(1).putInt(5).putLong(loadOffset).putLong(loadVaddr).putLong(loadVaddr).putLong(loadSize)
                .putLong(loadSize).putLong(0x1000);
        b.put(contents.toByteArray());
        b.position((int) shoff + 64);
        for (int i = 0; i < sections.size(); i++) {
            Section s = sections.get(i);
            b.putInt(0).putInt(s.type()).putLong(0).putLong(0).putLong(offsets[i]).putLong(s.contents().length)
                    .putInt(s.link()).putInt(s.info()).putLong(8).putLong(s.entsize());
        }
        return b.array();
    }
}
