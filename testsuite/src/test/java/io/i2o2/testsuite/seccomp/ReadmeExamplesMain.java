package io.i2o2.testsuite.seccomp;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;

/**
 * Runs the README's examples ({@code io.i2o2.file.ReadmeExamplesTest}, from transport-iouring-file's test
 * jar) in this JVM through the JUnit Platform launcher API (junit-platform-launcher is on the testsuite's
 * test class path, through junit-platform-console), prints one line per test and then the failures, and
 * exits 0 only if tests ran and none failed or was skipped.
 *
 * <p>The io_uring availability condition (auto-detected from transport-iouring-native's test jar) is
 * switched off: under the seccomp filter it would skip every example, and an example that did not run proves
 * nothing. The other auto-detected extensions (leak detection) stay on.
 */
public final class ReadmeExamplesMain {
    /** The examples: kept in step with README.md by that class's own check. */
    static final String EXAMPLES = "io.i2o2.file.ReadmeExamplesTest";

    private ReadmeExamplesMain() {
    }

    public static void main(String[] args) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(EXAMPLES))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .configurationParameter("junit.jupiter.conditions.deactivate", "io.i2o2.uring.IoUringAvailableCondition")
                .build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, summary, new OneLineEach());
        TestExecutionSummary s = summary.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        s.printFailuresTo(out, 25);
        s.printTo(out);
        out.flush();
        boolean ok = s.getTestsFoundCount() > 0 && s.getTotalFailureCount() == 0 && s.getTestsSkippedCount() == 0;
        System.out.println(ok ? "README examples: all passed" : "README examples: NOT all passed");
        System.exit(ok ? 0 : 1);
    }

    /** {@code PASSED name}, {@code FAILED name: why}, {@code SKIPPED name: why}: what the parent shows. */
    private static final class OneLineEach implements TestExecutionListener {
        @Override
        public void executionSkipped(TestIdentifier test, String reason) {
            System.out.println("SKIPPED " + test.getDisplayName() + ": " + reason);
        }

        @Override
        public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            if (!test.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                return;   // a container that went well: its tests said so
            }
            String why = result.getThrowable().map(t -> ": " + t).orElse("");
            System.out.println(result.getStatus() + " " + test.getDisplayName() + why);
        }
    }
}
