package dev.firesafe.testing;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints every skipped test with its reason on the console: as it happens, and once more together when the run
 * ends. Surefire and failsafe count skips on the console but keep the reasons in target/*-reports/*.xml, so a
 * test that never ran (a server missing here, or present but not set up as it needs) went unnoticed. Registered
 * for every test run through META-INF/services (JUnit Platform's listener auto-detection).
 */
public final class SkipReasons implements TestExecutionListener {

    private final PrintStream out;
    private final List<String> skipped = new ArrayList<>();

    public SkipReasons() {
        this(System.out);
    }

    SkipReasons(PrintStream out) {
        this.out = out;
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        report(test, reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            report(test, result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        if (!skipped.isEmpty()) {
            out.println("SKIPPED: " + skipped.size() + " test(s) did not run:");
            skipped.forEach(s -> out.println("SKIPPED:   " + s));
            out.flush();
        }
        skipped.clear();
    }

    private void report(TestIdentifier test, String reason) {
        String line = name(test) + ": " + (reason == null || reason.isBlank() ? "no reason given" : reason);
        skipped.add(line);
        out.println("SKIPPED: " + line);
        out.flush();
    }

    /** Class#method for a test, the class for a skipped class, else the display name. */
    private static String name(TestIdentifier test) {
        return test.getSource().map(s -> {
            if (s instanceof MethodSource m) {
                return simple(m.getClassName()) + "." + m.getMethodName() + (test.getDisplayName().startsWith(
                        m.getMethodName() + "(") ? "" : " [" + test.getDisplayName() + "]");
            }
            if (s instanceof ClassSource c) {
                return simple(c.getClassName());
            }
            return null;
        }).orElse(test.getDisplayName());
    }

    private static String simple(String className) {
        return className.substring(className.lastIndexOf('.') + 1).replace('$', '.');
    }
}
