package io.i2o2.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrialProcessTest {

    @Test
    void aResultLineBecomesTheMeasurementAndAFailureLineItsError() throws IOException {
        Measurement m = TrialProcess.parse(List.of(TrialProcess.RESULT + "10 2000 300 40 50 60 short read; retried"), 0);
        assertEquals(new Measurement(10, 2000, 300, 40, 50, 60, "short read; retried"), m);
        assertEquals("", TrialProcess.parse(List.of(TrialProcess.RESULT + "1 2 3 4 5 6"), 0).note());
        IOException failed = assertThrows(IOException.class,
                () -> TrialProcess.parse(List.of(TrialProcess.FAILURE + "no ring here"), 1));
        assertEquals("no ring here", failed.getMessage());
        assertTrue(assertThrows(IOException.class, () -> TrialProcess.parse(List.of(), 137)).getMessage()
                .contains("137"));
    }

    @Test
    void theChildIsToldTheLoopCount(@TempDir Path dir) {
        BenchEnv env = new BenchEnv(dir.resolve("data"), 1 << 20, dir.resolve("write"), Duration.ofMillis(100), 64,
                dir.resolve("work"));
        Trial spread = Trial.ring(Workload.RANDREAD, 32, false).withLoops(4);
        List<String> command = TrialProcess.command("i2o2", spread, env, Duration.ZERO);
        assertEquals("4", command.get(command.size() - 2), "the loop count, then the batch size");
    }

    @Test
    void aTrialRunsInAJvmOfItsOwnAndReportsWhatItMeasured(@TempDir Path dir) throws Exception {
        // The pure-Java hand-off needs no ring and no data file: the cheapest real trial there is.
        Trial trial = new Trial(Workload.NOP, 8, 8, ThreadKind.VIRTUAL, false);
        BenchEnv env = new BenchEnv(dir.resolve("data"), 1 << 20, dir.resolve("write"), Duration.ofMillis(200), 64,
                dir.resolve("work"));
        Measurement m = TrialProcess.run("java-handoff", trial, env, Duration.ofMillis(50));
        assertTrue(m.ops() > 0, "ops " + m.ops());
        assertTrue(m.wallNanos() >= Duration.ofMillis(200).toNanos() / 2, "wall " + m.wallNanos());
    }

    @Test
    void aBatchTrialReachesTheChildWithItsBatchSize(@TempDir Path dir) throws Exception {
        // The portable engine needs no ring; its producer hands reads over in batches of 16 and counts them.
        Trial trial = new Trial(Workload.RANDREAD_XT, 32, 1, ThreadKind.PLATFORM, false).withBatch(16);
        BenchEnv env = new BenchEnv(dir.resolve("data"), 1 << 20, dir.resolve("write"), Duration.ofMillis(200), 64,
                dir.resolve("work"));
        io.i2o2.bench.files.DataFile.ensure(env.dataFile(), env.fileSize());
        Measurement m = TrialProcess.run("portable-batch", trial, env, Duration.ZERO);
        assertTrue(m.ops() > 0 && m.ops() % 16 == 0, "ops " + m.ops());
    }

    @Test
    void aChildThatFailsSaysWhy(@TempDir Path dir) {
        Trial trial = new Trial(Workload.NOP, 8, 8, ThreadKind.VIRTUAL, false);
        BenchEnv env = new BenchEnv(dir.resolve("data"), 1 << 20, dir.resolve("write"), Duration.ofMillis(100), 64,
                dir.resolve("work"));
        Exception e = assertThrows(Exception.class, () -> TrialProcess.run("no-such-backend", trial, env, Duration.ZERO));
        assertTrue(e.getMessage().contains("no-such-backend"), e.getMessage());
    }
}
