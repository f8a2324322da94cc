/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

/**
 * The names of a HotSpot JVM's JIT-compiled code, without an agent: the JVM writes its code cache as a perf map
 * ({@code START SIZE name} per line, hexadecimal, the format of perf's {@code jit-interface.txt}) on request, and
 * whether a JVM keeps frame pointers in compiled code ({@code -XX:+PreserveFramePointer}), without which a
 * frame-pointer stack walk stops at the first JIT frame.
 *
 * <p><b>How the map is asked for.</b> In this JVM through the {@code DiagnosticCommand} MBean's
 * {@code compilerPerfmap} operation (the {@code Compiler.perfmap} diagnostic command), with a file name (JDK 22 and
 * later take one; this library needs 22). In another JVM through {@code jcmd <pid> Compiler.perfmap <file>} (the
 * command exists from JDK 16, the file argument from JDK 22; an older JVM writes {@code /tmp/perf-<pid>.map}, which
 * is then read, and deleted when it was not there before). A JVM that is about to end can write it itself:
 * {@link #DUMP_AT_EXIT_OPTIONS} (for a child JVM, through {@code JAVA_TOOL_OPTIONS}).
 *
 * <p><b>What it costs.</b> The map is a snapshot of the code cache when it is written: code compiled, moved
 * (recompiled at another tier) or unloaded before that is named by what sits at its address at the end, or not at
 * all; so the map is taken at the end of a recording, which names the code that ran longest (the steady state)
 * right and may leave the code of the first seconds, since replaced, {@code [unknown]} or misnamed. Writing it
 * stops the JVM at a safepoint and formats every code blob: measured on this project's 2-vCPU VM, busy, 4 to 40 ms
 * for about 2,900 blobs (a file of about 110 bytes per blob), plus about a second the first time a JVM uses its
 * platform MBean server; {@code jcmd} adds a JVM start of its own (about half a second) for another JVM.
 */
public final class JvmPerfMap {

    /**
     * The options that make a HotSpot JVM write {@code /tmp/perf-<pid>.map} when it exits and keep frame pointers:
     * {@code -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer}.
     */
    public static final String DUMP_AT_EXIT_OPTIONS =
            "-XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer";

    private static final String PRESERVE_FRAME_POINTER = "PreserveFramePointer";
    private static final long JCMD_TIMEOUT_SECONDS = 30;
    private static final int MAX_COMMAND_LINE = 1 << 20;

    private JvmPerfMap() {
    }

    /**
     * {@return the path where perf looks for the perf map of process {@code pid}: {@code /tmp/perf-<pid>.map}}
     *
     * @param pid a process
     */
    public static Path defaultPath(long pid) {
        return Path.of("/tmp/perf-" + pid + ".map");
    }

    /**
     * Writes the perf map of this JVM's JIT code to {@code file}, through the {@code DiagnosticCommand} MBean
     * ({@code compilerPerfmap}).
     *
     * @param file where to write it; replaced if it exists
     * @throws IllegalStateException if the JVM has no such command (not HotSpot) or it fails, with the reason
     * @throws NullPointerException if {@code file} is null
     */
    public static void writeThisJvm(Path file) {
        Objects.requireNonNull(file, "file");
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerPerfmap",
                    new Object[] {new String[] {file.toAbsolutePath().toString()}},
                    new String[] {String[].class.getName()});
        } catch (JMException | RuntimeException e) {
            throw new IllegalStateException("this JVM did not write its perf map (Compiler.perfmap through the "
                    + "DiagnosticCommand MBean): " + e, e);
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("this JVM's Compiler.perfmap wrote no file " + file);
        }
    }

    /**
     * Writes the perf map of JVM {@code pid} to {@code file} with {@code jcmd <pid> Compiler.perfmap <file>} (the
     * {@code jcmd} of this JDK). A JVM older than 22 ignores nothing but refuses the argument; it is then asked
     * without one, and its {@code /tmp/perf-<pid>.map} is moved to {@code file}.
     *
     * @param pid a HotSpot JVM of this user (JDK 16 or later)
     * @param file where the map ends up
     * @throws IllegalStateException if {@code jcmd} fails (no such JVM, another user's, too old), with its output
     * @throws NullPointerException if {@code file} is null
     */
    public static void writeOtherJvm(long pid, Path file) {
        Objects.requireNonNull(file, "file");
        String withFile = jcmd(pid, "Compiler.perfmap", file.toAbsolutePath().toString());
        if (Files.isRegularFile(file)) {
            return;
        }
        Path standard = defaultPath(pid);
        boolean existed = Files.exists(standard);
        String withoutFile = jcmd(pid, "Compiler.perfmap");
        try {
            if (existed) {
                Files.copy(standard, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(standard, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new IllegalStateException("jcmd " + pid + " Compiler.perfmap wrote no map (" + withFile.strip()
                    + " / " + withoutFile.strip() + "): " + e, e);
        }
    }

    /**
     * {@return whether this JVM keeps frame pointers in compiled code ({@code -XX:+PreserveFramePointer}), read
     * through the HotSpot diagnostic MBean; empty when the JVM has no such MBean or flag}
     */
    public static Optional<Boolean> preservesFramePointerThisJvm() {
        try {
            Object option = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=HotSpotDiagnostic"), "getVMOption",
                    new Object[] {PRESERVE_FRAME_POINTER}, new String[] {String.class.getName()});
            return Optional.of(Boolean.parseBoolean(String.valueOf(((CompositeData) option).get("value"))));
        } catch (JMException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * {@return whether JVM {@code pid} keeps frame pointers in compiled code: the last {@code
     * -XX:[+-]PreserveFramePointer} of its command line ({@code /proc/<pid>/cmdline}) or of its {@code
     * JAVA_TOOL_OPTIONS} ({@code /proc/<pid>/environ}, readable by its user and root), the command line winning as
     * in HotSpot; false when neither names the flag (off by default); empty when neither file can be read}
     *
     * @param pid a process
     */
    public static Optional<Boolean> preservesFramePointer(long pid) {
        Optional<String> cmdline = read(Path.of("/proc/" + pid + "/cmdline"));
        Optional<String> environ = read(Path.of("/proc/" + pid + "/environ"));
        if (cmdline.isEmpty() && environ.isEmpty()) {
            return Optional.empty();
        }
        Boolean fromCommand = cmdline.map(JvmPerfMap::lastFrameFlag).orElse(null);
        if (fromCommand != null) {
            return Optional.of(fromCommand);
        }
        for (String variable : environ.orElse("").split("\0")) {
            if (variable.startsWith("JAVA_TOOL_OPTIONS=") || variable.startsWith("JDK_JAVA_OPTIONS=")) {
                Boolean fromEnvironment = lastFrameFlag(variable.substring(variable.indexOf('=') + 1));
                if (fromEnvironment != null) {
                    return Optional.of(fromEnvironment);
                }
            }
        }
        return Optional.of(false);
    }

    /**
     * {@return whether the command line {@code arguments} of a JVM turns {@code PreserveFramePointer} on: the last
     * {@code -XX:+PreserveFramePointer} or {@code -XX:-PreserveFramePointer} decides; null when none is there}
     *
     * @param arguments arguments separated by NULs or white space
     */
    static Boolean lastFrameFlag(String arguments) {
        Boolean last = null;
        for (String argument : arguments.split("[\\s\\x00]+")) {
            if (argument.equals("-XX:+" + PRESERVE_FRAME_POINTER)) {
                last = true;
            } else if (argument.equals("-XX:-" + PRESERVE_FRAME_POINTER)) {
                last = false;
            }
        }
        return last;
    }

    /**
     * {@return whether process {@code pid} is a HotSpot JVM: it maps {@code libjvm.so}; false when its maps cannot
     * be read (it ended)}
     *
     * @param pid a process
     */
    public static boolean isJvm(long pid) {
        return read(Path.of("/proc/" + pid + "/maps")).map(maps -> maps.contains("/libjvm.so")).orElse(false);
    }

    private static Optional<String> read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Optional.of(new String(in.readNBytes(MAX_COMMAND_LINE), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String jcmd(long pid, String... command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<String> argv = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        argv.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readNBytes(1 << 16), StandardCharsets.UTF_8);
            if (!p.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IllegalStateException(String.join(" ", argv) + " did not end within "
                        + JCMD_TIMEOUT_SECONDS + " s");
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", argv) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", argv), e);
        }
    }
}
