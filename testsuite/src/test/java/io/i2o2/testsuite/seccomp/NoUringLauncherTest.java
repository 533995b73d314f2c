package io.i2o2.testsuite.seccomp;

import io.i2o2.uring.WithoutIoUring;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness itself: the launcher refuses io_uring to what it runs, and only io_uring, and otherwise
 * behaves as the command would (its exit status). Needs no io_uring on the host, hence {@link WithoutIoUring}.
 */
@WithoutIoUring
class NoUringLauncherTest {
    @Test
    void underTheFilterTheThreeIoUringCallsFailWithEperm() throws Exception {
        try (ChildJvm child = ChildJvm.underFilter(IoUringCallsMain.class.getName())) {
            assertEquals(0, child.awaitExit(Duration.ofSeconds(60)), child::describe);
            assertTrue(NoUringLauncher.refusedAll(child.output()), child::describe);
        }
    }

    /**
     * The same calls without the filter: a ring, and EBADF for the bad descriptor given to enter and register.
     * It is the filter that refuses them, not the host.
     */
    @Test
    void withoutTheFilterTheCallsReachTheKernel() throws Exception {
        try (ChildJvm child = ChildJvm.withoutFilter(IoUringCallsMain.class.getName())) {
            assertEquals(0, child.awaitExit(Duration.ofSeconds(60)), child::describe);
            if (!child.output().contains("io_uring_setup: fd")) {
                Skips.loudly("this host refuses io_uring_setup even without the filter ("
                        + child.output().strip().replace('\n', ';') + "), so nothing shows the filter is what"
                        + " refuses it");
            }
            assertTrue(child.output().contains("io_uring_enter: errno 9 EBADF"), child::describe);
            assertTrue(child.output().contains("io_uring_register: errno 9 EBADF"), child::describe);
        }
    }

    @Test
    void theLauncherPassesTheCommandsExitStatusOn() throws Exception {
        assertEquals(7, run(NoUringLauncher.verified().toString(), "sh", "-c", "exit 7"));
    }

    @Test
    void withoutACommandTheLauncherSaysHowToUseItAndExits2() throws Exception {
        assertEquals(2, run(NoUringLauncher.verified().toString()));
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "still running: " + String.join(" ", command));
        System.out.println(String.join(" ", command) + " -> " + p.exitValue() + ": " + out);
        return p.exitValue();
    }
}
