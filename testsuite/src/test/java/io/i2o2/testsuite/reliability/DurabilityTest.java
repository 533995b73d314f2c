package io.i2o2.testsuite.reliability;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child JVM ({@link DurabilityChild}) appends checksummed records, acknowledging each on stdout only after
 * its {@code fdatasync} completed; the test kills it with SIGKILL mid-run, after {@link #ACKS} acks, and then
 * every acknowledged record must be on disk, intact.
 *
 * <p>What this proves and what it does not: the page cache survives the death of a process, so a record the
 * child wrote is readable afterwards whether or not it was synced. The test therefore proves the ordering
 * (no acknowledgement before the write and its sync completed; a record is never acknowledged for bytes that
 * are not the record) and that no acknowledged record is torn, through a kill that can land anywhere in the
 * loop, the ring or a listener. It does not prove power-loss durability: that would need a machine (or a
 * guest) whose disk loses what the page cache held.
 */
class DurabilityTest {
    static final int ACKS = 300;
    static final String STDOUT_CLOSED = "<eof>";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"linked", "sequential"})
    void everyAcknowledgedRecordSurvivesSigkillIntact(String mode) throws Exception {
        Path journal = dir.resolve("journal-" + mode);
        Path stderr = dir.resolve("child-" + mode + ".err");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), DurabilityChild.class.getName(),
                journal.toString(), mode, "8")
                .redirectError(stderr.toFile())
                .start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // the pipe broke with the child: what was read is what counts
            } finally {
                lines.add(STDOUT_CLOSED);
            }
        });
        TreeSet<Long> acked = new TreeSet<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Kit.HANG_SECONDS);
            while (acked.size() < ACKS) {
                String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertTrue(line != null && !line.equals(STDOUT_CLOSED), "the child stopped acknowledging after "
                        + acked.size() + " acks; stderr:\n" + Files.readString(stderr));
                if (line.startsWith("ack ")) {
                    acked.add(Long.parseLong(line.substring(4)));
                }
            }
            assertTrue(child.isAlive(), "killed mid-run, not after it gave up");
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no flush, no close
        }
        assertTrue(child.waitFor(Kit.HANG_SECONDS, TimeUnit.SECONDS), "the child is gone");
        assertEquals(128 + 9, child.exitValue(), "died of SIGKILL");
        reader.join(TimeUnit.SECONDS.toMillis(Kit.HANG_SECONDS));
        // Acks the child printed before it died but we had not read yet count too.
        for (String line; (line = lines.poll()) != null; ) {
            if (line.startsWith("ack ")) {
                acked.add(Long.parseLong(line.substring(4)));
            }
        }
        byte[] data = Files.readAllBytes(journal);
        List<String> bad = new ArrayList<>();
        for (long seq : acked) {
            String why = DurabilityChild.check(data, seq);
            if (why != null) {
                bad.add("record " + seq + ": " + why);
            }
        }
        assertNull(bad.isEmpty() ? null : bad.subList(0, Math.min(10, bad.size())),
                bad.size() + " acknowledged records are not on disk intact");
        long unacked = data.length / DurabilityChild.RECORD - acked.size();
        System.out.printf("durability (%s): %d records acknowledged and intact; %d more on disk unacknowledged "
                + "(written, sync pending at the kill); highest ack %d%n", mode, acked.size(), unacked,
                acked.last());
    }
}
