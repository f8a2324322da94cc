package io.github.perfevent.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.perfevent.sys.bindings.perf_event_h;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.UnionLayout;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The raw layer's contract: every struct size and alignment, every field offset, every bitfield, every constant,
 * the libc constants of {@link Syscalls} and the errno table of {@link Errno} are what gcc and glibc say they are.
 *
 * <p>The C side is compiled here, at test time, from {@code src/test/c/*.c} and tables generated from the Java
 * side (so that every Java field, constant and accessor is checked) and from the preprocessed
 * {@code headers/perf_event_bindings.h} (so that nothing in C is missing from Java). Every test collects all of its
 * mismatches and fails with the list, each naming the struct, field or constant and both values.
 *
 * <p>Every test that runs a C oracle runs it twice: on this machine, and for aarch64 with Debian's cross compiler
 * under qemu-user (skipped, with the command that installs them, where {@code aarch64-linux-gnu-gcc} or
 * {@code qemu-aarch64-static} is missing). Each compiles against the vendored {@code asm/} headers of its own
 * architecture, and the Java side answers for that architecture ({@link Syscalls#perfEventOpenNumber},
 * {@link #javaLibcConstants}). errno names and numbers come from the vendored {@code asm-generic/errno*.h}, the
 * messages from the target's glibc.
 */
class ConformanceTest {

    private static final String BINDINGS = "io.github.perfevent.sys.bindings";
    private static final String BITFIELDS = "io.github.perfevent.sys.bitfields";
    private static final Path BINDINGS_DIR = Path.of("src/main/java/io/github/perfevent/sys/bindings");
    private static final Path BITFIELDS_DIR = Path.of("src/main/java/io/github/perfevent/sys/bitfields");
    private static final Set<String> PERF_HEADERS = Set.of("linux/perf_event.h", "linux/hw_breakpoint.h");

    private static Path root;
    private static Path headers;
    private static Path cSources;
    private static Path work;
    private static String gccMissing;

    // Built on first use, shared by the tests.
    private static Symbols symbols;
    private static CHeaderModel header;
    private static String hostTriple;
    private static final Map<Target, LayoutOracle> layoutOracles = new java.util.HashMap<>();
    private static final Map<Target, Path> bitfieldOracles = new java.util.HashMap<>();

    @BeforeAll
    static void setUp() throws IOException {
        root = Path.of("").toAbsolutePath();
        headers = root.resolve("headers");
        cSources = root.resolve("src/test/c");
        assertTrue(Files.isRegularFile(headers.resolve("perf_event_bindings.h")),
                "the conformance test runs from the project root; no headers/perf_event_bindings.h in " + root);
        gccMissing = Gcc.unavailableReason();
        Path target = Files.createDirectories(root.resolve("target"));
        work = Files.createTempDirectory(target, "conformance-");
    }

    @AfterAll
    static void cleanUp() throws IOException {
        Gcc.deleteTree(work);
    }

    // ------------------------------------------------------------------------------------------------------------
    // 1. Structs and unions

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void everyStructAndUnionHasGccsSizeAlignmentAndFieldOffsets(Target target) throws Exception {
        LayoutOracle c = layoutOracle(target);
        Mismatches problems = new Mismatches();
        int fields = 0;
        for (String aggregate : symbols().aggregates().keySet()) {
            GroupLayout layout = javaLayout(aggregate, problems);
            if (layout == null) {
                continue;
            }
            Class<?> cls = bindingClass(aggregate);
            long[] a = c.aggregates().get(aggregate);
            problems.checkNumber(aggregate + " sizeof", a[0], layout.byteSize());
            problems.checkNumber(aggregate + " alignment", a[1], layout.byteAlignment());
            problems.checkNumber(aggregate + ".sizeof()", a[0], (Long) invokeStatic(cls, "sizeof"));
            problems.check(aggregate + " layout name", aggregate, layout.name().orElse("(unnamed)"));
            problems.check(aggregate + " layout kind", symbols().aggregates().get(aggregate),
                    layout instanceof StructLayout ? "struct" : layout instanceof UnionLayout ? "union" : "?");
            for (JavaField f : javaFields(layout)) {
                String name = aggregate + "." + f.path();
                long[] cf = c.fields().get(name);
                if (cf == null) {
                    problems.add(name + ": gcc printed nothing for this field");
                    continue;
                }
                fields++;
                problems.checkNumber(name + " offset", cf[0], f.offset());
                problems.checkNumber(name + " size", cf[1], f.layout().byteSize());
                problems.checkNumber(name + " alignment", cf[2], f.layout().byteAlignment());
                if (f.layout() instanceof SequenceLayout s) {
                    problems.checkNumber(name + " element size", cf[3], s.elementLayout().byteSize());
                }
                if (!f.path().contains(".")) {
                    // The generated accessors: name$offset() and name$layout().
                    try {
                        problems.checkNumber(name + "$offset()", cf[0],
                                (Long) invokeStatic(cls, f.path() + "$offset"));
                        problems.check(name + "$layout()", f.layout(), invokeStatic(cls, f.path() + "$layout"));
                    } catch (NoSuchMethodException e) {
                        problems.add(name + ": the generated class has no " + e.getMessage());
                    }
                }
            }
        }
        problems.assertNone(symbols().aggregates().size() + " structs/unions, " + fields + " fields");
    }

    @Test
    void everyStructAndUnionOfThePerfHeadersHasAJavaClassWithTheSameNamedFieldsInOrder() throws Exception {
        Mismatches problems = new Mismatches();
        Map<String, CHeaderModel.Aggregate> inC = perfAggregates();
        Map<String, String> inSymbols = symbols().aggregates();
        for (var a : inC.values()) {
            problems.check("symbols.txt entry for " + a.kind() + " " + a.name(), a.kind(),
                    inSymbols.getOrDefault(a.name(), "(absent)"));
        }
        for (String name : inSymbols.keySet()) {
            if (!inC.containsKey(name)) {
                problems.add("symbols.txt lists " + name + ", which perf_event.h/hw_breakpoint.h do not define");
            }
        }
        Set<String> classes = javaSourceNames(BINDINGS_DIR);
        classes.removeAll(Set.of("perf_event_h", "perf_event_h$shared"));
        problems.check("the generated struct/union classes in " + BINDINGS_DIR, new TreeSet<>(inSymbols.keySet()),
                classes);
        for (var a : inC.values()) {
            GroupLayout layout = javaLayout(a.name(), problems);
            if (layout == null) {
                continue;
            }
            List<JavaField> java = javaFields(layout);
            problems.check(a.name() + " named fields (C declaration order, bitfields excluded)",
                    a.fields().stream().map(CHeaderModel.Member::path).toList(),
                    java.stream().map(JavaField::path).toList());
            Map<String, JavaField> byPath = java.stream()
                    .collect(Collectors.toMap(JavaField::path, f -> f, (x, y) -> x, LinkedHashMap::new));
            for (CHeaderModel.Member m : a.fields()) {
                JavaField f = byPath.get(m.path());
                if (f == null) {
                    continue;
                }
                String name = a.name() + "." + m.path();
                if (m.isArray() != f.layout() instanceof SequenceLayout) {
                    problems.add(name + ": C declares " + (m.isArray() ? "an array [" + m.arraySize() + "]"
                            : "a scalar") + ", Java has " + f.layout());
                } else if (f.layout() instanceof SequenceLayout s) {
                    problems.check(name + " element count", m.isFlexibleArray() ? "0 (flexible array)"
                            : m.arraySize(), s.elementCount() == 0 ? "0 (flexible array)" : "" + s.elementCount());
                }
            }
        }
        problems.assertNone("C definitions vs Java classes and fields of " + inC.size() + " structs/unions");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void theVendoredAsmHeadersAreThoseOfTheTargetsWordSize(Target target) throws Exception {
        List<Integer> bits = layoutOracle(target).bitsPerLong();
        assertEquals(List.of(64, 64), bits, target + ": __BITS_PER_LONG of the asm/ headers in "
                + vendoredIncludes(target) + " vs 8 * sizeof(long) of " + target.compiler()
                + " (the library supports 64-bit Linux only)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void generatedGettersAndSettersUseTheBytesGccUses(Target target) throws Exception {
        LayoutOracle c = layoutOracle(target);
        Mismatches problems = new Mismatches();
        int checked = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (String aggregate : symbols().aggregates().keySet()) {
                GroupLayout layout = javaLayout(aggregate, problems);
                if (layout == null) {
                    continue;
                }
                Class<?> cls = bindingClass(aggregate);
                MemorySegment pattern = arena.allocate(layout);
                for (int i = 0; i < pattern.byteSize(); i++) {
                    pattern.set(ValueLayout.JAVA_BYTE, i, patternByte(i));
                }
                for (JavaField f : javaFields(layout)) {
                    if (f.path().contains(".")) {
                        continue;
                    }
                    String name = aggregate + "." + f.path();
                    MemorySegment written = arena.allocate(layout);
                    if (f.layout() instanceof ValueLayout v) {
                        Method getter = cls.getMethod(f.path(), MemorySegment.class);
                        Object value = getter.invoke(null, pattern);
                        long bits = toBits(value);
                        long mask = v.byteSize() == 8 ? -1L : (1L << (8 * v.byteSize())) - 1;
                        long gcc = c.values().get(name);
                        if ((bits & mask) != (gcc & mask)) {
                            problems.add(name + " getter: Java read 0x" + Long.toHexString(bits & mask)
                                    + ", gcc read 0x" + Long.toHexString(gcc & mask) + " from the same bytes");
                        }
                        cls.getMethod(f.path(), MemorySegment.class, v.carrier()).invoke(null, written, value);
                    } else if (f.layout() instanceof SequenceLayout s) {
                        MemorySegment slice = (MemorySegment) cls.getMethod(f.path(), MemorySegment.class)
                                .invoke(null, pattern);
                        problems.checkNumber(name + " getter slice offset", f.offset(),
                                slice.address() - pattern.address());
                        problems.checkNumber(name + " getter slice size", s.byteSize(), slice.byteSize());
                        cls.getMethod(f.path(), MemorySegment.class, MemorySegment.class).invoke(null, written,
                                pattern.asSlice(f.offset(), s.byteSize()));
                    }
                    // The setter wrote the field's bytes and nothing else.
                    for (long i = 0; i < written.byteSize(); i++) {
                        boolean inField = i >= f.offset() && i < f.offset() + f.layout().byteSize();
                        byte expected = inField ? patternByte(i) : 0;
                        byte actual = written.get(ValueLayout.JAVA_BYTE, i);
                        if (actual != expected) {
                            problems.add(name + " setter: byte " + i + " is 0x" + hex(actual) + ", expected 0x"
                                    + hex(expected) + (inField ? "" : " (outside the field)"));
                            break;
                        }
                    }
                    checked++;
                }
            }
        }
        problems.assertNone(checked + " getter/setter pairs");
    }

    // ------------------------------------------------------------------------------------------------------------
    // 2. Constants

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void everyConstantOfTheSymbolFilterIsGeneratedWithGccsValue(Target target) throws Exception {
        LayoutOracle c = layoutOracle(target);
        Mismatches problems = new Mismatches();
        Map<String, Method> java = new TreeMap<>();
        for (Method m : perf_event_h.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0
                    && (m.getReturnType() == int.class || m.getReturnType() == long.class)) {
                java.put(m.getName(), m);
            }
        }
        List<String> reinterpreted = new ArrayList<>();
        for (String name : symbols().constants()) {
            Method m = java.get(name);
            CConstant k = c.constants().get(name);
            if (m == null) {
                problems.add(name + ": in symbols.txt but perf_event_h has no public static int/long " + name + "()");
                continue;
            }
            long value = toBits(m.invoke(null));
            BigInteger expected = k.value();
            BigInteger actual = BigInteger.valueOf(value);
            // Java has no unsigned types: jextract carries an unsigned C value in a Java type of the same width by
            // its bits (unsigned int 0xffffffff is int -1). Accepted only when the widths are equal, and reported.
            int javaSize = m.getReturnType() == int.class ? 4 : 8;
            boolean sameBits = !k.signed() && k.size() == javaSize && new BigInteger(javaSize == 4
                    ? Integer.toUnsignedString((int) value) : Long.toUnsignedString(value)).equals(expected);
            if (sameBits && !actual.equals(expected)) {
                reinterpreted.add(name + " = " + value);
            } else if (!actual.equals(expected)) {
                problems.add(name + ": Java " + m.getReturnType() + " " + value + " (0x" + Long.toHexString(value)
                        + "), gcc " + k.type() + " " + expected + " (0x" + expected.toString(16) + ")");
            }
        }
        for (String name : java.keySet()) {
            if (!symbols().constants().contains(name) && !name.startsWith("C_")) {
                problems.add("perf_event_h." + name + "() is not in symbols.txt, so gcc never checked it");
            }
        }
        problems.assertNone(symbols().constants().size() + " constants (unsigned in C, negative in Java: "
                + reinterpreted + ")");
    }

    @Test
    void everyMacroAndEnumeratorOfThePerfHeadersIsInTheSymbolFilter() throws Exception {
        Mismatches problems = new Mismatches();
        Set<String> inC = new TreeSet<>();
        Pattern define = Pattern.compile("^#\\s*define\\s+([A-Za-z_]\\w*)[ \\t]+\\S", Pattern.MULTILINE);
        for (String h : PERF_HEADERS) {
            Matcher m = define.matcher(Files.readString(headers.resolve("include").resolve(h)));
            while (m.find()) {
                inC.add(m.group(1));
            }
        }
        for (CHeaderModel.Enumerator e : header().enumerators) {
            if (isPerfHeader(e.file())) {
                inC.add(e.name());
            }
        }
        for (String name : inC) {
            if (!symbols().constants().contains(name)) {
                problems.add(name + ": defined in linux/perf_event.h or hw_breakpoint.h but not in symbols.txt");
            }
        }
        assertTrue(inC.size() > 100, "found only " + inC.size() + " macros and enumerators: is the parser broken?");
        problems.assertNone(inC.size() + " macros and enumerators");
    }

    // ------------------------------------------------------------------------------------------------------------
    // 3. Bitfields

    @Test
    void bitfieldAccessorsAreExactlyTheBitfieldsOfTheHeader() throws Exception {
        Mismatches problems = new Mismatches();
        Map<String, List<CHeaderModel.Member>> inC = headerBitfields();
        problems.check("bitfield classes in " + BITFIELDS_DIR,
                inC.keySet().stream().map(a -> a + "_bits").collect(Collectors.toCollection(TreeSet::new)),
                javaSourceNames(BITFIELDS_DIR));
        int count = 0;
        for (var entry : inC.entrySet()) {
            String aggregate = entry.getKey();
            Class<?> cls;
            try {
                cls = Class.forName(BITFIELDS + "." + aggregate + "_bits");
            } catch (ClassNotFoundException e) {
                problems.add(aggregate + " has bitfields but there is no " + BITFIELDS + "." + aggregate + "_bits");
                continue;
            }
            Set<String> getters = new TreeSet<>();
            Set<String> setters = new TreeSet<>();
            for (Method m : cls.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers())) {
                    continue;
                }
                List<Class<?>> params = List.of(m.getParameterTypes());
                if (Modifier.isStatic(m.getModifiers()) && m.getReturnType() == long.class
                        && params.equals(List.of(MemorySegment.class))) {
                    getters.add(m.getName());
                } else if (Modifier.isStatic(m.getModifiers()) && m.getReturnType() == void.class
                        && params.equals(List.of(MemorySegment.class, long.class))) {
                    setters.add(m.getName());
                } else {
                    problems.add(cls.getSimpleName() + "." + m.getName() + params + " is neither a bitfield getter "
                            + "(long name(MemorySegment)) nor a setter (void name(MemorySegment, long))");
                }
            }
            Set<String> expected = entry.getValue().stream().map(CHeaderModel.Member::path)
                    .collect(Collectors.toCollection(TreeSet::new));
            problems.check(aggregate + " bitfield getters", expected, getters);
            problems.check(aggregate + " bitfield setters", expected, setters);
            count += expected.size();
        }
        assertTrue(count > 0, "no bitfields found in the preprocessed header: is the parser broken?");
        problems.assertNone(count + " bitfields in " + inC.size() + " structs/unions: " + inC.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue().size()).collect(Collectors.joining(", ")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void bitfieldSettersWriteTheBitsGccReads(Target target) throws Exception {
        target.require();
        Mismatches problems = new Mismatches();
        List<Bitfield> all = bitfields();
        List<String[]> commands = new ArrayList<>(); // bitfield index, value
        StringBuilder stdin = new StringBuilder();
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < all.size(); i++) {
                Bitfield b = all.get(i);
                for (long value : b.patterns()) {
                    MemorySegment s = arena.allocate(b.layout());
                    b.set(s, value);
                    stdin.append("R ").append(b.aggregate()).append(' ').append(b.name()).append(' ')
                            .append(HexFormat.of().formatHex(s.toArray(ValueLayout.JAVA_BYTE))).append('\n');
                    commands.add(new String[] {Integer.toString(i), Long.toUnsignedString(value)});
                }
            }
        }
        List<String> replies = runBitfieldOracle(target, stdin.toString(), commands.size());
        for (int k = 0; k < commands.size(); k++) {
            Bitfield b = all.get(Integer.parseInt(commands.get(k)[0]));
            String value = commands.get(k)[1];
            String[] r = replies.get(k).split(" ");
            String what = b + " = " + value + " written by the Java setter into a zeroed " + b.aggregate();
            if (!r[0].equals("R") || !r[2].equals(b.name())) {
                problems.add(what + ": the oracle answered '" + replies.get(k) + "'");
                continue;
            }
            if (!value.equals(r[3])) {
                problems.add(what + ": gcc reads " + r[3]);
            }
            if (!r[4].equals("1")) {
                problems.add(what + ": bytes outside the field are not zero for gcc");
            }
            if (r.length > 5) {
                problems.add(what + ": gcc sees other bitfields set: "
                        + String.join(" ", Arrays.copyOfRange(r, 5, r.length)));
            }
        }
        problems.assertNone(commands.size() + " values in " + all.size() + " bitfields");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void bitfieldGettersReadTheBitsGccWritesAndSettersNeverDisturbNeighbours(Target target) throws Exception {
        target.require();
        Mismatches problems = new Mismatches();
        List<Bitfield> all = bitfields();
        record Command(Bitfield bitfield, String value, int base) {
        }
        List<Command> commands = new ArrayList<>();
        for (Bitfield b : all) {
            // All 64 bits set: gcc keeps exactly as many as the field is wide (the width the header declares).
            commands.add(new Command(b, Long.toUnsignedString(-1L), 0x00));
            for (long value : b.patterns()) {
                commands.add(new Command(b, Long.toUnsignedString(value), 0x00));
                commands.add(new Command(b, Long.toUnsignedString(value), 0xff));
            }
            commands.add(new Command(b, "0", 0xff));
        }
        String stdin = commands.stream()
                .map(c -> "W " + c.bitfield().aggregate() + " " + c.bitfield().name() + " " + c.value() + " "
                        + (c.base() == 0 ? "00" : "ff"))
                .collect(Collectors.joining("\n", "", "\n"));
        List<String> replies = runBitfieldOracle(target, stdin, commands.size());
        try (Arena arena = Arena.ofConfined()) {
            for (int k = 0; k < commands.size(); k++) {
                Command cmd = commands.get(k);
                Bitfield b = cmd.bitfield();
                String[] r = replies.get(k).split(" ");
                if (r.length != 5 || !r[0].equals("W") || !r[2].equals(b.name())) {
                    problems.add(b + ": the oracle answered '" + replies.get(k) + "'");
                    continue;
                }
                boolean allBits = cmd.value().equals(Long.toUnsignedString(-1L));
                long value = allBits ? b.max() : Long.parseUnsignedLong(cmd.value());
                String what = b + " = " + (allBits ? "~0ULL" : cmd.value()) + " assigned by gcc in a struct of 0x"
                        + hex((byte) cmd.base());
                if (!Long.toUnsignedString(value).equals(r[3])) {
                    problems.add(what + ": gcc reads back " + r[3] + ", expected " + Long.toUnsignedString(value)
                            + " (the header says the field is " + b.width() + " bits wide)");
                }
                byte[] gccBytes = HexFormat.of().parseHex(r[4]);
                MemorySegment fromGcc = arena.allocate(b.layout());
                if (gccBytes.length != fromGcc.byteSize()) {
                    problems.add(what + ": gcc sent " + gccBytes.length + " bytes, the layout has "
                            + fromGcc.byteSize());
                    continue;
                }
                MemorySegment.copy(gccBytes, 0, fromGcc, ValueLayout.JAVA_BYTE, 0, gccBytes.length);
                problems.check(what + ": the Java getter", Long.toUnsignedString(value),
                        Long.toUnsignedString(b.get(fromGcc)));
                for (Bitfield other : all) {
                    if (other.aggregate().equals(b.aggregate()) && other != b) {
                        long expected = cmd.base() == 0 ? 0 : other.max();
                        long actual = other.get(fromGcc);
                        if (actual != expected) {
                            problems.add(what + ": the Java getter of " + other.name() + " returns "
                                    + Long.toUnsignedString(actual) + ", expected " + Long.toUnsignedString(expected));
                        }
                    }
                }
                // The Java setter on the same starting bytes writes the same bytes as gcc: the field's bits and
                // nothing else, whatever its neighbours hold.
                MemorySegment fromJava = arena.allocate(b.layout()).fill((byte) cmd.base());
                b.set(fromJava, value);
                byte[] javaBytes = fromJava.toArray(ValueLayout.JAVA_BYTE);
                if (!Arrays.equals(javaBytes, gccBytes)) {
                    problems.add(what + ": the Java setter wrote different bytes: " + diff(javaBytes, gccBytes));
                }
            }
        }
        problems.assertNone(commands.size() + " assignments in " + all.size() + " bitfields");
    }

    @Test
    void bitfieldSettersRejectValuesWiderThanTheFieldAndLeaveTheStructUnchanged() throws Exception {
        Mismatches problems = new Mismatches();
        int checked = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (Bitfield b : bitfields()) {
                if (b.width() == 64) {
                    continue; // every long fits
                }
                for (long tooWide : new long[] {b.max() + 1, -1L, Long.MIN_VALUE, b.max() << 1, Long.MAX_VALUE}) {
                    MemorySegment s = arena.allocate(b.layout());
                    for (int i = 0; i < s.byteSize(); i++) {
                        s.set(ValueLayout.JAVA_BYTE, i, patternByte(i));
                    }
                    byte[] before = s.toArray(ValueLayout.JAVA_BYTE);
                    try {
                        b.set(s, tooWide);
                        problems.add(b + " (width " + b.width() + ") accepted " + Long.toUnsignedString(tooWide));
                    } catch (IllegalArgumentException expected) {
                        checked++;
                    }
                    if (!Arrays.equals(before, s.toArray(ValueLayout.JAVA_BYTE))) {
                        problems.add(b + ": rejecting " + tooWide + " changed the struct: "
                                + diff(s.toArray(ValueLayout.JAVA_BYTE), before));
                    }
                }
            }
        }
        problems.assertNone(checked + " rejected values");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void bitfieldsFillExactlyThePaddingThatJextractLeftInTheLayouts(Target target) throws Exception {
        target.require();
        Mismatches problems = new Mismatches();
        List<Bitfield> all = bitfields();
        String stdin = all.stream()
                .map(b -> "W " + b.aggregate() + " " + b.name() + " " + Long.toUnsignedString(b.max()) + " 00")
                .collect(Collectors.joining("\n", "", "\n"));
        List<String> replies = runBitfieldOracle(target, stdin, all.size());
        Map<String, Set<Long>> bitfieldBytes = new TreeMap<>();
        for (int k = 0; k < all.size(); k++) {
            Bitfield b = all.get(k);
            byte[] bytes = HexFormat.of().parseHex(replies.get(k).split(" ")[4]);
            Set<Long> used = bitfieldBytes.computeIfAbsent(b.aggregate(), a -> new TreeSet<>());
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] != 0) {
                    used.add((long) i);
                }
            }
        }
        for (var e : bitfieldBytes.entrySet()) {
            Set<Long> padding = new TreeSet<>();
            for (long[] p : javaPadding(javaLayout(e.getKey(), problems))) {
                for (long i = p[0]; i < p[0] + p[1]; i++) {
                    padding.add(i);
                }
            }
            problems.check(e.getKey() + ": the bytes gcc's bitfields occupy vs the padding bytes of the Java layout",
                    ranges(e.getValue()), ranges(padding));
        }
        problems.assertNone("bitfield storage vs Java padding in " + bitfieldBytes.size() + " structs/unions");
    }

    // ------------------------------------------------------------------------------------------------------------
    // 4. libc constants and layouts in Syscalls

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void syscallsConstantsAndPollfdLayoutMatchGlibc(Target target) throws Exception {
        target.require();
        Map<String, Long> java = javaLibcConstants(target.osArch());
        assertTrue(java.keySet().containsAll(List.of("PROT_READ", "PROT_WRITE", "MAP_SHARED", "POLLIN", "POLLERR",
                "POLLHUP", "POLLNVAL", "O_RDONLY", "O_CLOEXEC", "SIGKILL", "SIGCONT", "RLIMIT_NOFILE", "EFD_CLOEXEC",
                "EFD_NONBLOCK")), "Syscalls lacks some of the libc constants: " + java.keySet());
        assertTrue(java.keySet().containsAll(List.of("O_NONBLOCK", "O_DIRECTORY", "AT_FDCWD", "AT_EMPTY_PATH", "STATX_TYPE",
                "STATX_MTIME", "STATX_SIZE", "S_IFMT", "S_IFREG", "S_IFDIR", "S_IFCHR", "S_IFBLK", "S_IFIFO", "S_IFSOCK",
                "S_IFLNK")), "Syscalls lacks some of the file constants: " + java.keySet());
        Map<String, String> c = libcOracle(target, java.keySet());
        Mismatches problems = new Mismatches();
        for (var e : java.entrySet()) {
            problems.check("Syscalls." + e.getKey() + " vs <sys/mman.h>/<poll.h>/<fcntl.h>/<signal.h>/<sys/stat.h>", c.get(e.getKey()),
                    Long.toString(e.getValue()));
        }
        MemoryLayout pollfd = Syscalls.POLLFD;
        problems.check("Syscalls.POLLFD byteSize vs sizeof(struct pollfd)", c.get("pollfd.sizeof"),
                Long.toString(pollfd.byteSize()));
        problems.check("Syscalls.POLLFD alignment vs _Alignof(struct pollfd)", c.get("pollfd.alignof"),
                Long.toString(pollfd.byteAlignment()));
        problems.check("Syscalls.POLLFD members", List.of("fd", "events", "revents"),
                Syscalls.POLLFD.memberLayouts().stream().map(m -> m.name().orElse("(padding)")).toList());
        for (String field : List.of("fd", "events", "revents")) {
            problems.check("Syscalls.POLLFD." + field + " offset", c.get("pollfd." + field + ".offsetof"),
                    Long.toString(pollfd.byteOffset(groupElement(field))));
            problems.check("Syscalls.POLLFD." + field + " size", c.get("pollfd." + field + ".sizeof"),
                    Long.toString(pollfd.select(groupElement(field)).byteSize()));
        }
        problems.check("Syscalls.RLIMIT byteSize vs sizeof(struct rlimit)", c.get("rlimit.sizeof"),
                Long.toString(Syscalls.RLIMIT.byteSize()));
        for (String field : List.of("rlim_cur", "rlim_max")) {
            problems.check("Syscalls.RLIMIT." + field + " offset", c.get("rlimit." + field + ".offsetof"),
                    Long.toString(Syscalls.RLIMIT.byteOffset(groupElement(field))));
        }
        problems.check("Syscalls.STATX byteSize vs sizeof(struct statx)", c.get("statx.sizeof"),
                Long.toString(Syscalls.STATX.byteSize()));
        for (MemoryLayout member : Syscalls.STATX.memberLayouts()) {
            if (member.name().isPresent()) {
                String field = member.name().get();
                problems.check("Syscalls.STATX." + field + " offset", c.get("statx." + field + ".offsetof"),
                        Long.toString(Syscalls.STATX.byteOffset(groupElement(field))));
                problems.check("Syscalls.STATX." + field + " size", c.get("statx." + field + ".sizeof"),
                        Long.toString(member.byteSize()));
            }
        }
        problems.check("Syscalls.STATX_TIMESTAMP byteSize", c.get("statx_timestamp.sizeof"),
                Long.toString(Syscalls.STATX_TIMESTAMP.byteSize()));
        for (String field : List.of("tv_sec", "tv_nsec")) {
            problems.check("Syscalls.STATX_TIMESTAMP." + field + " offset", c.get("statx_timestamp." + field + ".offsetof"),
                    Long.toString(Syscalls.STATX_TIMESTAMP.byteOffset(groupElement(field))));
        }
        problems.assertNone(java.size() + " Syscalls constants, struct pollfd, struct rlimit and struct statx");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void perfEventOpenSyscallNumberIsSysPerfEventOpenOfTheTarget(Target target) throws Exception {
        target.require();
        Map<String, String> c = libcOracle(target, Set.of());
        String arch = target.osArch();
        assertEquals(c.get("SYS_perf_event_open"), Long.toString(Syscalls.perfEventOpenNumber("Linux", arch)),
                "Syscalls.perfEventOpenNumber(\"Linux\", \"" + arch + "\") vs SYS_perf_event_open of <sys/syscall.h>");
    }

    /**
     * The values of Syscalls' libc constants on the architecture {@code osArch} (as {@code os.arch} names it), as
     * the Java code gives them. Today every one is the same on x86_64 and aarch64, so they are the fields
     * themselves; a constant whose value depends on the architecture must be computed here through the Java code's
     * own per-architecture function (as {@link Syscalls#perfEventOpenNumber} is), never copied from C.
     */
    static Map<String, Long> javaLibcConstants(String osArch) throws IllegalAccessException {
        Map<String, Long> java = new TreeMap<>();
        for (Field f : Syscalls.class.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (Modifier.isPublic(mod) && Modifier.isStatic(mod) && Modifier.isFinal(mod)
                    && f.getType().isPrimitive()) {
                java.put(f.getName(), toBits(f.get(null)));
            }
        }
        // The fields hold this host's values; the constants that differ by architecture come from the same
        // per-architecture logic that chose them.
        java.put("O_DIRECTORY", (long) Syscalls.openDirectoryFlag(osArch));
        return java;
    }

    // ------------------------------------------------------------------------------------------------------------
    // 5. errno: names and numbers from the vendored UAPI header (what the library claims), messages from the
    //    running glibc (which may be older or newer than the header: a number only one side knows is reported and
    //    skipped, never failed, since neither side is wrong)

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void errnoNamesAreThoseOfTheVendoredHeaderAndMessagesThoseOfGlibcStrerror(Target target) throws Exception {
        target.require();
        Map<String, String> headerNames = kernelErrnoNames();
        Map<String, String> header = errnoOracle(target, headerNames.keySet(), true).values();
        ErrnoOracle libc = errnoOracle(target, headerNames.keySet(), false);
        Mismatches problems = new Mismatches();
        List<String> notes = new ArrayList<>();
        int max = 0;
        Map<Integer, String> primaryByNumber = new TreeMap<>();
        for (var h : headerNames.entrySet()) {
            String value = header.get(h.getKey());
            if (value == null || value.equals("undefined")) {
                problems.add(h.getKey() + ": defined in headers/include/asm-generic but gcc says it is not");
                continue;
            }
            boolean alias = !h.getValue().matches("\\d+");
            if (!alias) {
                problems.check(h.getKey() + ": its number in the header text vs gcc", h.getValue(), value);
                primaryByNumber.put(Integer.parseInt(value), h.getKey());
            }
            max = Math.max(max, Integer.parseInt(value));
            // Every name of the header: Java gives it (or, for an alias, its primary name) for its value.
            String primary = alias ? h.getValue() : h.getKey();
            problems.check("Errno.name(" + value + ")" + (alias ? " for the alias " + h.getKey() : ""), primary,
                    Errno.name(Integer.parseInt(value)));
            // glibc agrees on every number both know (a glibc older than the header may lack a name).
            String inLibc = libc.values().get(h.getKey());
            if (inLibc == null || inLibc.equals("undefined")) {
                notes.add(h.getKey() + " " + value + " (glibc's <errno.h> does not define it)");
            } else {
                problems.check(h.getKey() + " in the vendored header vs glibc's <errno.h>", value, inLibc);
            }
        }
        assertTrue(max >= 133, "the vendored errno table ends at " + max + ": is the parser broken?");
        for (int n = 1; n <= ErrnoOracle.LAST_ASKED; n++) {
            // Every number: Java names it exactly when the header does.
            problems.check("Errno.name(" + n + ")", primaryByNumber.getOrDefault(n, "errno " + n), Errno.name(n));
            String glibcMessage = libc.messages().get(n);
            boolean glibcKnows = !glibcMessage.equals("Unknown error " + n);
            boolean javaKnows = primaryByNumber.containsKey(n);
            if (glibcKnows && javaKnows) {
                problems.check("Errno.message(" + n + ") vs strerror(" + n + ")", glibcMessage, Errno.message(n));
            } else if (javaKnows) {
                notes.add(n + " (strerror of this glibc does not know it; Java says \"" + Errno.message(n) + "\")");
                if (Errno.message(n).startsWith("Unknown error")) {
                    problems.add("Errno.message(" + n + ") of " + Errno.name(n) + " is \"" + Errno.message(n)
                            + "\": every errno of the header needs its text");
                }
            } else if (glibcKnows) {
                notes.add(n + " (this glibc, newer than the header, says \"" + glibcMessage + "\")");
                problems.check("Errno.message(" + n + "), not in the header", "Unknown error " + n, Errno.message(n));
            } else {
                problems.check("Errno.message(" + n + ")", glibcMessage, Errno.message(n));
            }
        }
        if (!notes.isEmpty()) {
            System.out.println("[conformance] " + target + ": glibc and the 7.2 header differ (not checked): " + notes);
        }
        problems.assertNone(target + ": errno 1.." + ErrnoOracle.LAST_ASKED + ", " + headerNames.size()
                + " names from headers/include/asm-generic/errno*.h");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void errnoConstantsEqualTheCMacrosOfTheSameName(Target target) throws Exception {
        target.require();
        Map<String, String> header = errnoOracle(target, kernelErrnoNames().keySet(), true).values();
        Mismatches problems = new Mismatches();
        Map<String, Integer> constants = errnoConstants();
        for (var e : constants.entrySet()) {
            problems.check("Errno." + e.getKey() + " vs the vendored asm-generic/errno*.h", header.get(e.getKey()),
                    Integer.toString(e.getValue()));
            problems.check("Errno.name(Errno." + e.getKey() + ")", e.getKey(), Errno.name(e.getValue()));
        }
        problems.assertNone(constants.size() + " Errno constants");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void unknownAndNegatedErrnosAreNamedLikeGlibcDoes(Target target) throws Exception {
        target.require();
        Map<String, String> headerNames = kernelErrnoNames();
        ErrnoOracle c = errnoOracle(target, headerNames.keySet(), false);
        Mismatches problems = new Mismatches();
        Set<String> defined = new TreeSet<>(headerNames.values());
        for (int n : ErrnoOracle.UNKNOWN) {
            if (defined.contains(Integer.toString(n))) {
                continue; // not unknown to the header
            }
            problems.check("Errno.name(" + n + ")", "errno " + n, Errno.name(n));
            problems.check("Errno.message(" + n + ")", "Unknown error " + n, Errno.message(n));
            if (c.messages().get(n).startsWith("Unknown error ")) { // a glibc newer than the header may know it
                problems.check("Errno.message(" + n + ") vs strerror(" + n + ")", c.messages().get(n),
                        Errno.message(n));
            }
        }
        for (int n = 1; n <= 200; n++) {
            problems.check("Errno.name(" + -n + ")", Errno.name(n), Errno.name(-n));
            problems.check("Errno.message(" + -n + ")", Errno.message(n), Errno.message(-n));
            problems.check("Errno.describe(" + -n + ")", Errno.name(n) + " (" + Errno.message(n) + ")",
                    Errno.describe(-n));
        }
        for (int n : new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE, 0}) {
            // Not errnos at all: the answer is the "unknown" form, never an exception.
            problems.check("Errno.name(" + n + ")", "errno " + Math.abs((long) n), Errno.name(n)
                    .replace("errno -", "errno "));
            assertTrue(Errno.message(n).startsWith("Unknown error "), "Errno.message(" + n + ")");
        }
        problems.assertNone("unknown and negated errnos");
    }

    // ------------------------------------------------------------------------------------------------------------
    // 6. regenerate.sh without jextract

    @Test
    void regenerateWithoutJextractExitsWith2AndSaysWhereToGetIt() throws Exception {
        String minimalPath = "/usr/bin:/bin";
        for (String dir : minimalPath.split(":")) {
            Assumptions.assumeFalse(Files.isExecutable(Path.of(dir, "jextract")),
                    "skipped: " + dir + "/jextract exists, so regenerate.sh would find jextract on " + minimalPath);
        }
        Path bash = Stream.of("/bin/bash", "/usr/bin/bash").map(Path::of).filter(Files::isExecutable).findFirst()
                .orElse(null);
        Assumptions.assumeTrue(bash != null, "skipped: no bash in /bin or /usr/bin");
        String before = treeDigest();
        Gcc.Result r = Gcc.run(List.of(bash.toString(), root.resolve("regenerate.sh").toString()), null,
                Map.of("PATH", minimalPath, "HOME", work.toString(), "LC_ALL", "C"), root);
        String output = "stdout:\n" + r.stdout() + "\nstderr:\n" + r.stderr();
        assertEquals(2, r.exitCode(), "regenerate.sh without jextract must exit with 2\n" + output);
        assertTrue(r.stderr().contains("jextract"), "regenerate.sh's message must mention jextract\n" + output);
        assertTrue(r.stderr().contains("JEXTRACT"), "the message should name the JEXTRACT variable\n" + output);
        assertEquals(before, treeDigest(), "regenerate.sh changed headers/ or the generated sources");
    }

    // ============================================================================================================
    // The Java side

    /** A named field of a jextract layout, found through anonymous groups; {@code offset} from the struct start. */
    record JavaField(String path, MemoryLayout layout, long offset) {
    }

    private static boolean isAnonymous(MemoryLayout m) {
        return m.name().isEmpty() || m.name().get().startsWith("$anon$");
    }

    static List<JavaField> javaFields(GroupLayout layout) {
        List<JavaField> out = new ArrayList<>();
        walk(layout, "", 0, out, new ArrayList<>());
        return out;
    }

    static List<long[]> javaPadding(GroupLayout layout) {
        List<long[]> out = new ArrayList<>();
        walk(layout, "", 0, new ArrayList<>(), out);
        return out;
    }

    private static void walk(GroupLayout g, String prefix, long base, List<JavaField> fields, List<long[]> padding) {
        long offset = base;
        for (MemoryLayout m : g.memberLayouts()) {
            long at = g instanceof StructLayout ? offset : base;
            if (m instanceof PaddingLayout) {
                padding.add(new long[] {at, m.byteSize()});
            } else if (m instanceof GroupLayout inner && isAnonymous(m)) {
                walk(inner, prefix, at, fields, padding);
            } else {
                String name = prefix + m.name().orElseThrow();
                fields.add(new JavaField(name, m, at));
                if (m instanceof GroupLayout inner) {
                    walk(inner, name + ".", at, fields, padding);
                }
            }
            offset += m.byteSize();
        }
    }

    private static Class<?> bindingClass(String aggregate) throws ClassNotFoundException {
        return Class.forName(BINDINGS + "." + aggregate);
    }

    private static GroupLayout javaLayout(String aggregate, Mismatches problems) throws Exception {
        try {
            return (GroupLayout) invokeStatic(bindingClass(aggregate), "layout");
        } catch (ClassNotFoundException e) {
            problems.add(aggregate + ": no generated class " + BINDINGS + "." + aggregate);
            return null;
        } catch (NoSuchMethodException e) {
            problems.add(aggregate + ": " + BINDINGS + "." + aggregate + " has no layout()");
            return null;
        }
    }

    private static Object invokeStatic(Class<?> cls, String method) throws Exception {
        try {
            return cls.getMethod(method).invoke(null);
        } catch (InvocationTargetException e) {
            throw new AssertionError(cls.getSimpleName() + "." + method + "() threw", e.getCause());
        }
    }

    private static long toBits(Object value) {
        return switch (value) {
            case Long l -> l;
            case Integer i -> i;
            case Short s -> s;
            case Byte b -> b;
            case Character ch -> ch;
            case Boolean z -> z ? 1 : 0;
            default -> throw new AssertionError("not an integer: " + value);
        };
    }

    private static Set<String> javaSourceNames(Path dir) throws IOException {
        try (var files = Files.list(root.resolve(dir))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".java"))
                    .map(n -> n.substring(0, n.length() - ".java".length()))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static Map<String, Integer> errnoConstants() throws IllegalAccessException {
        Map<String, Integer> out = new TreeMap<>();
        for (Field f : Errno.class.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (Modifier.isPublic(mod) && Modifier.isStatic(mod) && Modifier.isFinal(mod) && f.getType() == int.class) {
                out.put(f.getName(), f.getInt(null));
            }
        }
        return out;
    }

    /** A bitfield of the header (name and width from C) with its Java accessors. */
    record Bitfield(String aggregate, String name, int width, GroupLayout layout, Method getter, Method setter) {
        long max() {
            return width == 64 ? -1L : (1L << width) - 1;
        }

        /** Values to write: all ones, the lowest and highest bit, alternating bits and an irregular pattern. */
        List<Long> patterns() {
            Set<Long> values = new LinkedHashSet<>(List.of(max(), 1L, 1L << (width - 1), 0x5555555555555555L & max(),
                    0xAAAAAAAAAAAAAAAAL & max(), 0x0123456789ABCDEFL & max(), 0xFEDCBA9876543210L & max()));
            values.remove(0L);
            return List.copyOf(values);
        }

        long get(MemorySegment s) {
            try {
                return (long) getter.invoke(null, s);
            } catch (ReflectiveOperationException e) {
                throw unwrap(e);
            }
        }

        void set(MemorySegment s, long value) {
            try {
                setter.invoke(null, s, value);
            } catch (ReflectiveOperationException e) {
                throw unwrap(e);
            }
        }

        private static RuntimeException unwrap(ReflectiveOperationException e) {
            if (e instanceof InvocationTargetException ite && ite.getCause() instanceof RuntimeException re) {
                return re;
            }
            throw new AssertionError("reflective call failed", e);
        }

        @Override
        public String toString() {
            return aggregate + "." + name;
        }
    }

    /** The header's bitfields, each with its Java accessors (the accessor set is checked by its own test). */
    private static List<Bitfield> bitfields() throws Exception {
        requireGcc();
        List<Bitfield> out = new ArrayList<>();
        for (var e : headerBitfields().entrySet()) {
            Class<?> cls = Class.forName(BITFIELDS + "." + e.getKey() + "_bits");
            GroupLayout layout = (GroupLayout) invokeStatic(bindingClass(e.getKey()), "layout");
            for (CHeaderModel.Member m : e.getValue()) {
                out.add(new Bitfield(e.getKey(), m.path(), m.width(), layout,
                        cls.getMethod(m.path(), MemorySegment.class),
                        cls.getMethod(m.path(), MemorySegment.class, long.class)));
            }
        }
        return out;
    }

    private static byte patternByte(long i) {
        return (byte) (i * 37 + 11);
    }

    // ============================================================================================================
    // The C side

    private static void requireGcc() {
        Assumptions.assumeTrue(gccMissing == null, () -> "skipped: " + gccMissing);
    }

    /**
     * Where the C oracles are compiled and run: this machine with {@code gcc}, or aarch64 with Debian's cross
     * compiler, run under qemu-user (which runs everything the oracles do; only {@code perf_event_open} itself
     * would be ENOSYS there, and no oracle calls it). {@code osArch} is what {@code os.arch} says on that
     * architecture, for the Java side's per-architecture answers; {@code triple} names the directory of its
     * {@code asm/} headers under {@code headers/include} (and gcc's {@code -dumpmachine}).
     */
    record Target(String name, String osArch, String compiler, String triple, List<String> runner) {

        /** This machine; its triple is gcc's, asked on first use. */
        static final Target HOST = new Target("host", System.getProperty("os.arch"), "gcc", null, List.of());
        static final Target AARCH64 = new Target("aarch64 under qemu-user", "aarch64", "aarch64-linux-gnu-gcc",
                "aarch64-linux-gnu", List.of("qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu"));

        @Override
        public String triple() {
            return triple != null ? triple : hostTriple();
        }

        /** Skips the test, with the reason, when this target's tools are missing. */
        void require() {
            requireGcc();
            if (this.equals(HOST)) {
                return;
            }
            Assumptions.assumeFalse(triple.equals(hostTriple()), () -> "skipped: this machine is " + triple
                    + " already, so the host run covers it");
            String missing = Stream.of(compiler, runner.getFirst())
                    .filter(tool -> !onPath(tool)).collect(Collectors.joining(", "));
            Assumptions.assumeTrue(missing.isEmpty(), () -> "skipped: the " + name + " check needs " + missing
                    + " on PATH; install them with: apt-get install gcc-aarch64-linux-gnu qemu-user-static"
                    + " (see headers/README.md)");
        }

        /** The command that runs a program this target's compiler built. */
        List<String> command(Path executable, List<String> arguments) {
            List<String> command = new ArrayList<>(runner);
            command.add(executable.toString());
            command.addAll(arguments);
            return command;
        }

        @Override
        public String toString() {
            return triple != null ? name + " (" + triple + ")" : name;
        }
    }

    static Stream<Target> targets() {
        return Stream.of(Target.HOST, Target.AARCH64);
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, tool)));
    }

    /** {@code gcc -dumpmachine}: the triple whose asm/ headers this machine's gcc needs. */
    private static synchronized String hostTriple() {
        if (hostTriple == null) {
            requireGcc();
            try {
                Gcc.Result r = Gcc.run(List.of("gcc", "-dumpmachine"), null, null);
                assertEquals(0, r.exitCode(), "gcc -dumpmachine failed: " + r.stderr());
                hostTriple = r.stdout().strip();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            Assumptions.assumeTrue(Files.isDirectory(headers.resolve("include").resolve(hostTriple).resolve("asm")),
                    () -> "skipped: no vendored asm/ headers for gcc's target " + hostTriple + " in headers/include");
        }
        return hostTriple;
    }

    /** headers/symbols.txt: aggregate name → "struct"/"union", and the constants. */
    record Symbols(Map<String, String> aggregates, Set<String> constants) {
    }

    private static synchronized Symbols symbols() throws IOException {
        if (symbols == null) {
            Map<String, String> aggregates = new TreeMap<>();
            Set<String> constants = new TreeSet<>();
            for (String line : Files.readAllLines(headers.resolve("symbols.txt"))) {
                String[] w = line.strip().split("\\s+");
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                switch (w[0]) {
                    case "--include-struct" -> aggregates.put(w[1], "struct");
                    case "--include-union" -> aggregates.put(w[1], "union");
                    case "--include-constant" -> constants.add(w[1]);
                    default -> fail("symbols.txt: the conformance test does not check '" + line
                            + "' yet; teach it to before adding such symbols");
                }
            }
            symbols = new Symbols(aggregates, constants);
        }
        return symbols;
    }

    private static List<String> vendoredIncludes(Target target) {
        return List.of("-I" + headers.resolve("include"), "-I" + headers.resolve("include").resolve(target.triple()));
    }

    /** The model of the preprocessed perf_event_bindings.h (gcc -E -nostdinc, with line markers). */
    private static synchronized CHeaderModel header() throws IOException {
        if (header == null) {
            requireGcc();
            List<String> command = new ArrayList<>(List.of("gcc", "-E", "-nostdinc"));
            command.addAll(vendoredIncludes(Target.HOST));
            command.add(headers.resolve("perf_event_bindings.h").toString());
            Gcc.Result r = Gcc.run(command, null, null);
            assertEquals(0, r.exitCode(), "gcc -E failed on perf_event_bindings.h:\n" + r.stderr());
            header = CHeaderModel.parse(r.stdout());
        }
        return header;
    }

    private static boolean isPerfHeader(String file) {
        String prefix = headers.resolve("include") + "/";
        return file.startsWith(prefix) && PERF_HEADERS.contains(file.substring(prefix.length()));
    }

    /** The structs and unions defined in linux/perf_event.h and linux/hw_breakpoint.h. */
    private static Map<String, CHeaderModel.Aggregate> perfAggregates() throws IOException {
        Map<String, CHeaderModel.Aggregate> out = new TreeMap<>();
        for (var a : header().aggregates.values()) {
            if (isPerfHeader(a.file())) {
                out.put(a.name(), a);
            }
        }
        assertTrue(out.containsKey("perf_event_attr"), "no struct perf_event_attr found in the preprocessed header");
        return out;
    }

    /** aggregate → its bitfields, for every perf struct/union that has any. */
    private static Map<String, List<CHeaderModel.Member>> headerBitfields() throws IOException {
        Map<String, List<CHeaderModel.Member>> out = new TreeMap<>();
        for (var a : perfAggregates().values()) {
            if (!a.bitfields().isEmpty()) {
                out.put(a.name(), a.bitfields());
            }
        }
        return out;
    }

    /** What the layout oracle printed. */
    record CConstant(String type, int size, boolean signed, BigInteger value) {
    }

    record LayoutOracle(Map<String, long[]> aggregates, Map<String, long[]> fields, Map<String, Long> values,
            Map<String, CConstant> constants, List<Integer> bitsPerLong) {
    }

    private static synchronized LayoutOracle layoutOracle(Target target) throws Exception {
        target.require();
        if (layoutOracles.containsKey(target)) {
            return layoutOracles.get(target);
        }
        StringBuilder table = new StringBuilder("/* Generated by ConformanceTest from the Java layouts and "
                + "headers/symbols.txt. */\n");
        Mismatches problems = new Mismatches();
        for (var e : symbols().aggregates().entrySet()) {
            String kind = e.getValue();
            String name = e.getKey();
            table.append("AGGREGATE(").append(kind).append(", ").append(name).append(")\n");
            GroupLayout layout = javaLayout(name, problems);
            if (layout == null) {
                continue;
            }
            for (JavaField f : javaFields(layout)) {
                String macro = switch (f.layout()) {
                    case SequenceLayout s -> s.elementCount() == 0 ? "FLEXIBLE" : "ARRAY";
                    case ValueLayout v -> "SCALAR";
                    default -> "MEMBER";
                };
                table.append(macro).append('(').append(kind).append(", ").append(name).append(", ")
                        .append(f.path()).append(")\n");
            }
        }
        for (String constant : symbols().constants()) {
            table.append("CONSTANT(").append(constant).append(")\n");
        }
        Path dir = Files.createTempDirectory(work, "layout-");
        Files.writeString(dir.resolve("layout_table.h"), table);
        Path source = cSources.resolve("layout_oracle.c");
        Path exe = dir.resolve("layout_oracle");
        List<String> flags = new ArrayList<>(List.of("-I" + dir, "-I" + headers));
        flags.addAll(vendoredIncludes(target));
        requireVendoredHeadersOnly(target, source, flags, "linux/perf_event.h");
        Gcc.compile(target.compiler(), source, exe, flags);
        Gcc.Result r = Gcc.run(target.command(exe, List.of()), null, null);
        assertEquals(0, r.exitCode(), "layout_oracle failed:\n" + r.stderr());
        Map<String, long[]> aggregates = new TreeMap<>();
        Map<String, long[]> fields = new TreeMap<>();
        Map<String, Long> values = new TreeMap<>();
        Map<String, CConstant> constants = new TreeMap<>();
        boolean charSigned = true;
        List<Integer> bitsPerLong = List.of();
        for (String line : r.stdout().split("\n")) {
            String[] w = line.split(" ");
            switch (w[0]) {
                case "CHAR_IS_SIGNED" -> charSigned = w[1].equals("1");
                case "BITS_PER_LONG" -> bitsPerLong = List.of(Integer.parseInt(w[1]), Integer.parseInt(w[2]));
                case "A" -> aggregates.put(w[1], new long[] {Long.parseLong(w[2]), Long.parseLong(w[3])});
                case "F" -> {
                    String key = w[1] + "." + w[2];
                    fields.put(key, new long[] {Long.parseLong(w[3]), Long.parseLong(w[4]), Long.parseLong(w[5]),
                            Long.parseLong(w[6])});
                    if (!w[7].equals("-")) {
                        values.put(key, Long.parseUnsignedLong(w[7]));
                    }
                }
                case "K" -> {
                    String type = w[2];
                    if (type.equals("other")) {
                        fail(w[1] + " has a C type that is not an integer type");
                    }
                    boolean signed = type.equals("char") ? charSigned : !type.startsWith("unsigned");
                    long bits = Long.parseUnsignedLong(w[4]);
                    BigInteger value = signed ? BigInteger.valueOf(bits) : new BigInteger(w[4]);
                    constants.put(w[1], new CConstant(type.replace('_', ' '), Integer.parseInt(w[3]), signed, value));
                }
                default -> fail("layout_oracle printed an unexpected line: " + line);
            }
        }
        problems.assertNone(null);
        LayoutOracle oracle = new LayoutOracle(aggregates, fields, values, constants, bitsPerLong);
        layoutOracles.put(target, oracle);
        return oracle;
    }

    /** The oracles must see the vendored linux/ and asm/ headers, never the host's older copies. */
    private static void requireVendoredHeadersOnly(Target target, Path source, List<String> flags, String header)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(target.compiler(), "-M"));
        command.addAll(flags);
        command.add(source.toString());
        Gcc.Result r = Gcc.run(command, null, null);
        assertEquals(0, r.exitCode(), "gcc -M failed:\n" + r.stderr());
        String vendored = headers.resolve("include") + "/";
        List<String> leaks = Arrays.stream(r.stdout().split("[\\s\\\\]+"))
                .filter(p -> p.matches(".*/(linux|asm|asm-generic)/[^/]*\\.h"))
                .filter(p -> !Path.of(p).toAbsolutePath().normalize().toString().startsWith(vendored)).toList();
        assertTrue(leaks.isEmpty(), source + " would read kernel headers from outside headers/include: " + leaks);
        assertTrue(r.stdout().contains(vendored + header),
                source + " does not include the vendored " + header + ":\n" + r.stdout());
    }

    private static synchronized Path bitfieldOracle(Target target) throws Exception {
        target.require();
        if (!bitfieldOracles.containsKey(target)) {
            StringBuilder table = new StringBuilder("/* Generated by ConformanceTest from the bitfields of the "
                    + "preprocessed headers/perf_event_bindings.h. */\n");
            for (var a : perfAggregates().values()) {
                for (CHeaderModel.Member m : a.bitfields()) {
                    table.append("BITFIELD(").append(a.kind()).append(", ").append(a.name()).append(", ")
                            .append(m.path()).append(")\n");
                }
            }
            Path dir = Files.createTempDirectory(work, "bitfield-");
            Files.writeString(dir.resolve("bitfield_table.h"), table);
            Path source = cSources.resolve("bitfield_oracle.c");
            Path exe = dir.resolve("bitfield_oracle");
            List<String> flags = new ArrayList<>(List.of("-I" + dir, "-I" + headers));
            flags.addAll(vendoredIncludes(target));
            requireVendoredHeadersOnly(target, source, flags, "linux/perf_event.h");
            Gcc.compile(target.compiler(), source, exe, flags);
            bitfieldOracles.put(target, exe);
        }
        return bitfieldOracles.get(target);
    }

    private static List<String> runBitfieldOracle(Target target, String stdin, int expectedLines) throws Exception {
        Gcc.Result r = Gcc.run(target.command(bitfieldOracle(target), List.of()), stdin, null);
        assertEquals(0, r.exitCode(), "bitfield_oracle failed:\n" + r.stderr());
        List<String> lines = r.stdout().lines().toList();
        List<String> errors = lines.stream().filter(l -> l.startsWith("ERROR")).toList();
        assertTrue(errors.isEmpty(), "bitfield_oracle: " + errors);
        assertEquals(expectedLines, lines.size(), "bitfield_oracle answered a different number of commands");
        return lines;
    }

    /** libc_oracle's output: NAME → value, plus pollfd.* and SYS_perf_event_open. */
    private static Map<String, String> libcOracle(Target target, Set<String> constants) throws Exception {
        StringBuilder table = new StringBuilder("/* Generated by ConformanceTest from Syscalls' constants. */\n");
        for (String name : constants) {
            table.append("#ifdef ").append(name).append("\nLIBC_CONSTANT(").append(name).append(")\n#else\n")
                    .append("printf(\"").append(name).append(" undefined\\n\");\n#endif\n");
        }
        Path dir = Files.createTempDirectory(work, "libc-");
        Files.writeString(dir.resolve("libc_table.h"), table);
        Path exe = dir.resolve("libc_oracle");
        Gcc.compile(target.compiler(), cSources.resolve("libc_oracle.c"), exe, List.of("-I" + dir));
        Gcc.Result r = Gcc.run(target.command(exe, List.of()), null, null);
        assertEquals(0, r.exitCode(), "libc_oracle failed:\n" + r.stderr());
        Map<String, String> out = new TreeMap<>();
        r.stdout().lines().forEach(l -> out.put(l.substring(0, l.indexOf(' ')), l.substring(l.indexOf(' ') + 1)));
        return out;
    }

    /** E* name → its definition (a number, or the name it aliases) in the vendored asm-generic errno headers. */
    private static Map<String, String> kernelErrnoNames() throws IOException {
        Map<String, String> out = new TreeMap<>();
        Pattern define = Pattern.compile("^#\\s*define\\s+(E[A-Z0-9]+)\\s+(\\w+)", Pattern.MULTILINE);
        for (String h : List.of("errno-base.h", "errno.h")) {
            Path p = headers.resolve("include/asm-generic").resolve(h);
            Matcher m = define.matcher(Files.readString(p));
            while (m.find()) {
                out.put(m.group(1), m.group(2));
            }
        }
        assertTrue(out.size() > 100, "found only " + out.size() + " errno names in headers/include/asm-generic");
        return out;
    }

    record ErrnoOracle(Map<String, String> values, Map<Integer, String> messages) {
        /** Numbers no Linux errno uses (41 and 58 are holes in the table), asked of strerror too. */
        static final int[] UNKNOWN = {41, 58, 135, 200, 1000, 4095, 65536};
        /** strerror is asked for 1 up to here: past the end of the 7.2 table (134), so a newer one shows. */
        static final int LAST_ASKED = 160;
    }

    /**
     * errno_oracle's answers for the names of the header, of Errno's constants and of Errno's table: with
     * {@code vendored}, the values of the vendored {@code asm-generic/errno.h} (what the library claims) and no
     * messages; otherwise the values of the target's glibc {@code <errno.h>} and its {@code strerror} texts.
     */
    private static ErrnoOracle errnoOracle(Target target, Set<String> headerNames, boolean vendored) throws Exception {
        target.require();
        Set<String> names = new TreeSet<>(headerNames);
        names.addAll(errnoConstants().keySet());
        for (int n = 1; n <= ErrnoOracle.LAST_ASKED; n++) {
            if (!Errno.name(n).startsWith("errno ")) {
                names.add(Errno.name(n));
            }
        }
        StringBuilder table = new StringBuilder("/* Generated by ConformanceTest from Errno and asm-generic. */\n");
        for (String name : names) {
            if (!name.matches("[A-Z][A-Z0-9_]*")) {
                fail("Errno reports a name that is not a C identifier: '" + name + "'");
            }
            table.append("#ifdef ").append(name).append("\nERRNO_NAME(").append(name).append(")\n#else\n")
                    .append("ERRNO_MISSING(").append(name).append(")\n#endif\n");
        }
        Path dir = Files.createTempDirectory(work, "errno-");
        Files.writeString(dir.resolve("errno_table.h"), table);
        Path exe = dir.resolve("errno_oracle");
        List<String> flags = new ArrayList<>(List.of("-I" + dir));
        if (vendored) {
            flags.addAll(List.of("-DVENDORED_ERRNO", "-I" + headers.resolve("include")));
            requireVendoredHeadersOnly(target, cSources.resolve("errno_oracle.c"), flags, "asm-generic/errno.h");
        }
        Gcc.compile(target.compiler(), cSources.resolve("errno_oracle.c"), exe, flags);
        List<String> arguments = new ArrayList<>();
        if (!vendored) {
            for (int n = 1; n <= ErrnoOracle.LAST_ASKED; n++) {
                arguments.add(Integer.toString(n));
            }
            for (int n : ErrnoOracle.UNKNOWN) {
                arguments.add(Integer.toString(n));
            }
        }
        // strerror's texts are those of the C locale.
        Gcc.Result r = Gcc.run(target.command(exe, arguments), null, Map.of("LC_ALL", "C"));
        assertEquals(0, r.exitCode(), "errno_oracle failed:\n" + r.stderr());
        Map<String, String> values = new TreeMap<>();
        Map<Integer, String> messages = new TreeMap<>();
        for (String line : r.stdout().split("\n")) {
            String[] w = line.split(" ", 3);
            if (w[0].equals("N")) {
                values.put(w[1], w[2]);
            } else {
                messages.put(Integer.parseInt(w[1]), w[2]);
            }
        }
        return new ErrnoOracle(values, messages);
    }

    // ============================================================================================================
    // Helpers

    /** All the differences a test found; it fails once, listing them. */
    static final class Mismatches {
        private final List<String> list = new ArrayList<>();

        void add(String problem) {
            list.add(problem);
        }

        void check(String what, Object expected, Object actual) {
            if (!java.util.Objects.equals(expected, actual)) {
                list.add(what + ": expected " + expected + ", Java has " + actual);
            }
        }

        void checkNumber(String what, long expected, long actual) {
            if (expected != actual) {
                list.add(what + ": gcc says " + expected + ", Java says " + actual);
            }
        }

        void assertNone(String checked) {
            if (!list.isEmpty()) {
                int shown = Math.min(list.size(), 60);
                fail(list.size() + " mismatch(es) checking " + checked + ":\n  "
                        + String.join("\n  ", list.subList(0, shown))
                        + (shown < list.size() ? "\n  ... and " + (list.size() - shown) + " more" : ""));
            }
            if (checked != null) {
                System.out.println("[conformance] checked " + checked);
            }
        }
    }

    private static String hex(byte b) {
        return HexFormat.of().toHexDigits(b);
    }

    /** The differing bytes of two arrays, as "offset: a vs b". */
    private static String diff(byte[] java, byte[] gcc) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.max(java.length, gcc.length); i++) {
            String j = i < java.length ? hex(java[i]) : "--";
            String g = i < gcc.length ? hex(gcc[i]) : "--";
            if (!j.equals(g)) {
                out.add("byte " + i + ": Java 0x" + j + " gcc 0x" + g);
            }
        }
        return String.join(", ", out);
    }

    /** A set of byte offsets as ranges, e.g. "[40..47, 136..139]". */
    private static String ranges(Set<Long> offsets) {
        List<String> out = new ArrayList<>();
        Long start = null;
        Long prev = null;
        for (Long o : new TreeSet<>(offsets)) {
            if (prev == null || o != prev + 1) {
                if (start != null) {
                    out.add(start + ".." + prev);
                }
                start = o;
            }
            prev = o;
        }
        if (start != null) {
            out.add(start + ".." + prev);
        }
        return out.toString();
    }

    /** SHA-256 over the files regenerate.sh writes: headers/ and the two generated packages. */
    private static String treeDigest() throws IOException, NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Path dir : List.of(headers, root.resolve(BINDINGS_DIR), root.resolve(BITFIELDS_DIR))) {
            try (var files = Files.walk(dir)) {
                for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                    sha.update(root.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
                    sha.update(Files.readAllBytes(p));
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
