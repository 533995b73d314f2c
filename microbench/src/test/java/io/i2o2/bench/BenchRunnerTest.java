package io.i2o2.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.i2o2.bench.report.ResultRow;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchRunnerTest {
    private static final Trial TRIAL = Trial.ring(Workload.RANDREAD, 32, false);

    private static ResultRow row(long ops) {
        return ResultRow.measured("i2o2", TRIAL, new Measurement(ops, 1_000_000_000L, 1, 1, 1, 1, ""));
    }

    @Test
    void repeatsBecomeTheirMedianRunWithTheSpreadNoted() {
        ResultRow m = BenchRunner.median(List.of(row(900_000), row(700_000), row(1_000_000)));
        assertEquals(900_000, m.measurement().ops());
        assertTrue(m.measurement().note().contains("median of 3, 700.0k-1.00M"), m.measurement().note());
        assertEquals(700_000, BenchRunner.median(List.of(row(900_000), row(700_000))).measurement().ops(),
                "of an even count, the lower middle");
        assertEquals("", BenchRunner.median(List.of(row(5))).measurement().note(), "one run is shown as it is");
    }

    @Test
    void everyOtherRoundRunsThePlanBackwards() {
        assertEquals(List.of(0, 1, 2), List.of(BenchRunner.runOrder(0, 0, 3), BenchRunner.runOrder(0, 1, 3),
                BenchRunner.runOrder(0, 2, 3)));
        assertEquals(List.of(2, 1, 0), List.of(BenchRunner.runOrder(1, 0, 3), BenchRunner.runOrder(1, 1, 3),
                BenchRunner.runOrder(1, 2, 3)));
        assertEquals(0, BenchRunner.runOrder(2, 0, 3));
    }

    @Test
    void theWarmUpIsTwoRunsTheSecondAtMostOneSecond(@TempDir Path dir) throws Exception {
        List<Duration> runs = new ArrayList<>();
        Backend counting = new Backend() {
            @Override
            public String name() {
                return "counting";
            }

            @Override
            public List<Trial> trials(Workload workload, BenchOptions options) {
                return List.of(TRIAL);
            }

            @Override
            public Measurement run(Trial trial, BenchEnv env) {
                runs.add(env.duration());
                return new Measurement(1, 1, 1, 1, 1, 1, "");
            }
        };
        BenchEnv env = new BenchEnv(dir.resolve("data"), 1 << 20, dir.resolve("write"), Duration.ofSeconds(3), 64,
                dir.resolve("work"));
        BenchRunner.warmUp(counting, TRIAL, env, Duration.ofSeconds(4));
        assertEquals(List.of(Duration.ofSeconds(3), Duration.ofSeconds(1)), runs);
        runs.clear();
        BenchRunner.warmUp(counting, TRIAL, env, Duration.ofMillis(600));
        assertEquals(List.of(Duration.ofMillis(300), Duration.ofMillis(300)), runs, "a short warm-up halves");
        runs.clear();
        BenchRunner.warmUp(counting, TRIAL, env, Duration.ZERO);
        assertEquals(List.of(), runs, "no warm-up, no run");
    }

    @Test
    void aRepeatThatFailedIsTheRow() {
        ResultRow failed = ResultRow.failed("i2o2", Workload.RANDREAD, TRIAL, "failed: short read");
        assertNull(BenchRunner.median(List.of(row(900_000), failed, row(800_000))).measurement());
    }
}
