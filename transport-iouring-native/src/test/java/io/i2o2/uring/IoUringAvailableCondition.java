package io.i2o2.uring;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Skips every test that needs io_uring when this machine cannot give it ({@link IoUringProbe#availability()}),
 * with the probe's reason, and says so once, loudly, on the console: a run without io_uring must not look
 * like a green run with io_uring. Tests marked {@link WithoutIoUring} still run, but for their methods marked
 * {@link NeedsIoUring}.
 *
 * <p>Registered for every module's tests by JUnit's extension auto-detection: this module's test jar
 * carries {@code META-INF/services/org.junit.jupiter.api.extension.Extension}, and the parent pom turns
 * auto-detection on. Simulate a machine without io_uring with
 * {@code -Dio.i2o2.uring.simulateUnavailable=enosys} (see {@link IoUringProbe#SIMULATE_PROPERTY}).
 */
public final class IoUringAvailableCondition implements ExecutionCondition {
    private static final AtomicBoolean ANNOUNCED = new AtomicBoolean();
    private static final AtomicInteger SKIPPED = new AtomicInteger();

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        boolean needs = context.getTestMethod().map(m -> m.isAnnotationPresent(NeedsIoUring.class)).orElse(false);
        if (!needs && marked(context)) {
            return ConditionEvaluationResult.enabled("@WithoutIoUring");
        }
        if (context.getTestMethod().isEmpty() && context.getTestClass().isPresent()
                && hasMarkedMethod(context.getTestClass().get())) {
            return ConditionEvaluationResult.enabled("some methods are @WithoutIoUring; the others are decided one by one");
        }
        IoUringProbe.Availability a = IoUringProbe.availability();
        if (a.available()) {
            return ConditionEvaluationResult.enabled(a.message());
        }
        // A disabled class never has its methods evaluated, so this counts classes (and lone methods).
        SKIPPED.incrementAndGet();
        if (ANNOUNCED.compareAndSet(false, true)) {
            announce(a);
        }
        return ConditionEvaluationResult.disabled("io_uring unavailable: " + a.message());
    }

    private static boolean hasMarkedMethod(Class<?> c) {
        for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
            if (m.isAnnotationPresent(WithoutIoUring.class)) {
                return true;
            }
        }
        return false;
    }

    private static boolean marked(ExtensionContext context) {
        if (context.getTestMethod().map(m -> m.isAnnotationPresent(WithoutIoUring.class)).orElse(false)) {
            return true;
        }
        for (Class<?> k = context.getTestClass().orElse(null); k != null; k = k.getEnclosingClass()) {
            if (k.isAnnotationPresent(WithoutIoUring.class)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Writes the banner to the JVM's own standard error, past Surefire's capture of {@code System.err}
     * (which goes to a file with {@code redirectTestOutputToFile}), so it reaches the build's console;
     * and to {@code System.err} too, so the test's report has it.
     */
    private static void announce(IoUringProbe.Availability a) {
        String banner = """

                ************************************************************************************
                * i2o2: io_uring is NOT AVAILABLE here: every test that needs it is SKIPPED.
                * Reason: %s
                * Surefire's "Skipped:" counts say how many; tests marked @WithoutIoUring still run.
                ************************************************************************************
                """.formatted(a.message());
        PrintStream console = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        console.print(banner);
        console.flush();
        System.err.print(banner);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> console.println(
                "i2o2: " + SKIPPED.get() + " test classes or methods skipped in this JVM: io_uring unavailable ("
                        + a.cause() + ")")));
    }
}
