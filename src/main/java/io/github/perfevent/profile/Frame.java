/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile;

import java.util.Objects;

/**
 * One frame of a stack, named by a {@link Symbolizer}: the function, the module (file) its code is in, and what kind
 * of code it is. A frame that could not be named says so: its name is {@value #UNKNOWN_NAME} (or
 * {@value #KERNEL_NAME} for kernel code without readable kernel symbols), never a guess.
 *
 * @param name the function, such as {@code main}, {@code __libc_start_call_main}, {@code schedule} or a Java method
 *     from a perf map; {@value #UNKNOWN_NAME} when nothing names it
 * @param module where the code is: the path of the mapped file as the process mapped it ({@code /usr/lib/...
 *     /libc.so.6}), {@code [kernel.kallsyms]} or a kernel module's {@code [name]}, the perf map file of JIT code,
 *     {@code //anon} or another pseudo path for memory without a file, {@value #UNKNOWN_NAME} when no mapping holds
 *     the address
 * @param kind the kind of code
 */
public record Frame(String name, String module, Kind kind) {

    /** The name of a frame that nothing names: {@code [unknown]}, as perf writes it. */
    public static final String UNKNOWN_NAME = "[unknown]";
    /** The name of a kernel frame when the kernel's symbols are not readable: {@code [kernel]}. */
    public static final String KERNEL_NAME = "[kernel]";

    /**
     * A frame as given.
     *
     * @throws NullPointerException when an argument is null
     */
    public Frame {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(kind, "kind");
    }

    /** {@return whether the frame is named: its name is neither {@value #UNKNOWN_NAME} nor {@value #KERNEL_NAME}} */
    public boolean named() {
        return !name.equals(UNKNOWN_NAME) && !name.equals(KERNEL_NAME);
    }

    /** What kind of code a frame is in, as flame graphs color it. */
    public enum Kind {
        /** Machine code of a mapped ELF file (an executable or a shared library), named by its symbol table. */
        NATIVE,
        /** Kernel code, named by {@code /proc/kallsyms}. */
        KERNEL,
        /** Code generated at run time (a JIT compiler's), named by a perf map ({@code /tmp/perf-<pid>.map}). */
        JIT,
        /** A perf map's interpreter entry: HotSpot writes its template interpreter's code as {@code Interpreter}. */
        INTERPRETER,
        /** Code in no known mapping: an unknown process, an address outside every mapping, anonymous code no perf
         * map names. */
        UNKNOWN
    }
}
