package io.i2o2.testsuite.seccomp;

import io.i2o2.file.IoUring;
import io.i2o2.uring.WithoutIoUring;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a program learns about io_uring in a container whose seccomp profile refuses it: under the real
 * filter both i2o2's and Netty's probes say unavailable, and i2o2's reason names the cause (EPERM, a
 * seccomp or container policy) so that an operator can act on it. The same child without the filter sees
 * io_uring where the host has it, so the filter, not the host, is what the first half shows.
 * Needs no io_uring on the host for the first half, hence {@link WithoutIoUring}.
 */
@WithoutIoUring
class SeccompAvailabilityTest {
    @Test
    void underTheFilterNeitherI2o2NorNettyFindIoUringAndI2o2SaysWhy() throws Exception {
        Map<String, String> seen = probe(ChildJvm.underFilter(AvailabilityMain.class.getName()));
        String cause = seen.get("i2o2.cause");
        assertEquals("false", seen.get("i2o2.available"), "i2o2 under the filter: " + seen);
        // IoUringProbe's words for EPERM with io_uring enabled: "io_uring is forbidden for this process:
        // io_uring_setup fails with EPERM (a seccomp, LSM or container policy denies it)".
        for (String word : new String[] {"forbidden for this process", "io_uring_setup", "EPERM", "seccomp"}) {
            assertTrue(cause.contains(word), "i2o2's reason lacks '" + word + "': " + cause);
        }
        assertEquals("false", seen.get("netty.available"), "Netty under the filter: " + seen);
        assertTrue(!seen.get("netty.cause").isEmpty(), "Netty gives no reason: " + seen);
    }

    @Test
    void withoutTheFilterBothFindIoUringWhereTheHostHasIt() throws Exception {
        if (!IoUring.isAvailable()) {
            Skips.loudly("this host has no usable io_uring (" + IoUring.unavailabilityCause().getMessage()
                    + "), so the same child without the filter cannot show that the filter is what refuses it");
        }
        Map<String, String> seen = probe(ChildJvm.withoutFilter(AvailabilityMain.class.getName()));
        assertEquals("true", seen.get("i2o2.available"), "i2o2 without the filter: " + seen);
        if (!io.netty.channel.uring.IoUring.isAvailable()) {
            Skips.loudly("i2o2 sees io_uring without the filter, but Netty's io_uring transport does not work in"
                    + " this JVM either (" + io.netty.channel.uring.IoUring.unavailabilityCause() + ")");
        }
        assertEquals("true", seen.get("netty.available"), "Netty without the filter: " + seen);
    }

    /** Runs the child to its end and reads its {@code key=value} lines. */
    private static Map<String, String> probe(ChildJvm child) throws Exception {
        try (child) {
            assertEquals(0, child.awaitExit(Duration.ofSeconds(60)), child::describe);
            Map<String, String> seen = new HashMap<>();
            for (String line : child.output().split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    seen.put(line.substring(0, eq), line.substring(eq + 1).strip());
                }
            }
            for (String key : new String[] {"i2o2.available", "i2o2.cause", "netty.available", "netty.cause"}) {
                assertTrue(seen.containsKey(key), "no " + key + " line; " + child.describe());
            }
            return seen;
        }
    }
}
