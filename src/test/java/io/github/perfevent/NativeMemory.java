package io.github.perfevent;

import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;
import org.junit.jupiter.api.Assumptions;

/**
 * Test support: bytes and live allocations of native memory tracking's category Other, where the JDK files Arena
 * allocations, from {@code VM.native_memory summary} (the build runs the tests with
 * {@code -XX:NativeMemoryTracking=summary}).
 *
 * @param bytes the bytes allocated
 * @param allocations the live allocations
 */
public record NativeMemory(long bytes, long allocations) {

    private static final Pattern OTHER = Pattern.compile(
            "Other \\(reserved=\\d+, committed=\\d+\\)\\s+\\(malloc=(\\d+) tag=Other #(\\d+)\\)");

    /** {@return the reading now; skips the calling test, with the reason, when tracking is off} */
    public static NativeMemory now() {
        NativeMemory now = nowIfTracked();
        Assumptions.assumeTrue(now != null, "skipped: native memory tracking is off in this JVM (the build runs the "
                + "tests with -XX:NativeMemoryTracking=summary)");
        return now;
    }

    /** {@return the reading now, or null when native memory tracking is off} */
    public static NativeMemory nowIfTracked() {
        String summary;
        try {
            summary = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary", "scale=b"}}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new AssertionError(e);
        }
        Matcher m = OTHER.matcher(summary);
        return m.find() ? new NativeMemory(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))) : null;
    }

    /**
     * {@return the reading after a GC, once two readings 50 ms apart agree (memory of automatic arenas is freed
     * asynchronously), or null when tracking is off}
     */
    public static NativeMemory settled() throws InterruptedException {
        NativeMemory previous = null;
        NativeMemory current = nowIfTracked();
        for (int i = 0; i < 20 && current != null && !current.equals(previous); i++) {
            System.gc();
            Thread.sleep(50);
            previous = current;
            current = nowIfTracked();
        }
        return current;
    }
}
