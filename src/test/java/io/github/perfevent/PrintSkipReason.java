package io.github.perfevent;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Test support: prints why a test was skipped (the message of its failed {@code Assumptions}) on the test's standard
 * output, which Maven shows, so that a skip in the build log says what this machine lacks. Surefire itself reports
 * only the number of skipped tests. Use with {@code @ExtendWith(PrintSkipReason.class)}.
 */
public final class PrintSkipReason implements TestWatcher {

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        System.out.println("SKIPPED " + context.getRequiredTestClass().getSimpleName() + "."
                + context.getRequiredTestMethod().getName() + ": " + cause.getMessage());
    }
}
