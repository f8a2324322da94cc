/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile.output;

import java.util.Objects;

/**
 * One frame of a sampled call stack, as symbolization names it.
 *
 * @param name   the function's name: a Java method as the JVM's perf map names it ({@code Interpreter} for
 *               interpreted code, stub names for stubs), an ELF symbol, a kernel symbol, or {@code [unknown]} (an
 *               empty name counts as unknown); never {@code null}
 * @param module the file the code comes from ({@code /usr/lib/x86_64-linux-gnu/libc.so.6}, {@code [kernel.kallsyms]},
 *               {@code /tmp/perf-123.map}), or {@code ""} when not known; never {@code null}. The folded format does not
 *               carry it, except that it names a frame whose function is unknown (see {@link FoldedStacks#frameText})
 * @param kind   what kind of code the frame runs; decides the decoration in the folded format and the colour in the
 *               flame graph
 */
public record StackFrame(String name, String module, Kind kind) {

    /**
     * What kind of code a frame runs, in the flame graph conventions of FlameGraph's {@code flamegraph.pl
     * --color=java} and async-profiler's collapsed output: the kind is written as a suffix of the frame's name.
     */
    public enum Kind {
        /** Machine code from an ELF file (C, C++, the JVM itself): written undecorated. */
        NATIVE(""),
        /** Kernel code: written with the suffix {@code _[k]}. */
        KERNEL("_[k]"),
        /** Java code compiled by the JIT compiler: written with the suffix {@code _[j]}. */
        JIT("_[j]"),
        /**
         * Code run by the JVM's interpreter: written undecorated, as the JVM's perf map names it ({@code Interpreter};
         * the method being interpreted is not known without the JVM's own metadata). async-profiler's {@code _[0]},
         * which marks an interpreted method it could name, is read as this kind.
         */
        INTERPRETER(""),
        /** A Java method inlined into its caller's compiled code: written with the suffix {@code _[i]}. */
        INLINED("_[i]"),
        /** Code that could not be attributed: written undecorated, in brackets ({@code [unknown]}, {@code [libfoo.so]}). */
        UNKNOWN("");

        private final String suffix;

        Kind(String suffix) {
            this.suffix = suffix;
        }

        /**
         * The suffix this kind adds to a frame's name in the folded format.
         *
         * @return {@code _[k]}, {@code _[j]}, {@code _[i]}, or {@code ""} for the kinds written undecorated
         */
        public String suffix() {
            return suffix;
        }
    }

    /**
     * Checks the components.
     *
     * @throws NullPointerException naming the component that is {@code null}
     */
    public StackFrame {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(kind, "kind");
    }
}
