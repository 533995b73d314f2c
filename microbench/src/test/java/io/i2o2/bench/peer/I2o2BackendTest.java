package io.i2o2.bench.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.i2o2.bench.BenchEnv;
import io.i2o2.bench.BenchOptions;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.ThreadKind;
import io.i2o2.bench.Trial;
import io.i2o2.bench.Workload;
import io.i2o2.bench.files.DataFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every trial shape of the i2o2 backend runs briefly on a real ring and reports sane figures. Skipped
 * where io_uring is unavailable (the rest of the module's tests need no ring).
 */
class I2o2BackendTest {
    private static final long FILE_SIZE = 1 << 20;

    @TempDir
    static Path dir;
    private static BenchEnv env;
    private static final I2o2Backend BACKEND = new I2o2Backend(false, false);
    private static final I2o2Backend ON_NETTY = new I2o2Backend(true, false);

    @BeforeAll
    static void files() throws Exception {
        env = new BenchEnv(dir.resolve("data.dat"), FILE_SIZE, dir.resolve("write.dat"), Duration.ofMillis(100), 4,
                dir.resolve("work"));
        DataFile.ensure(env.dataFile(), FILE_SIZE);
        assumeTrue(BACKEND.unavailable(env) == null, "io_uring unavailable here");
    }

    @AfterAll
    static void close() {
        BACKEND.close();
        ON_NETTY.close();
    }

    static Stream<Trial> trials() {
        return Stream.of(
                Trial.ring(Workload.NOP, 1, false),
                Trial.ring(Workload.NOP, 32, false),
                new Trial(Workload.NOP, 1, 1, ThreadKind.PLATFORM, false),
                new Trial(Workload.NOP, 32, 2, ThreadKind.PLATFORM, false),
                new Trial(Workload.NOP, 1, 64, ThreadKind.VIRTUAL, false),
                Trial.ring(Workload.RANDREAD, 1, false),
                Trial.ring(Workload.RANDREAD, 32, false),
                Trial.ring(Workload.RANDREAD, 32, true),
                Trial.ring(Workload.RANDREAD_DIRECT, 4, false),
                Trial.ring(Workload.RANDREAD_DIRECT, 4, true),
                Trial.ring(Workload.RANDREAD, 8, false).withLoops(2),
                Trial.ring(Workload.RANDREAD, 8, true).withLoops(2),
                Trial.ring(Workload.RANDREAD_DIRECT, 4, false).withLoops(2),
                Trial.ring(Workload.SEQWRITE, 1, false),
                Trial.ring(Workload.SEQWRITE, 8, false),
                Trial.ring(Workload.LATENCY, 1, false),
                new Trial(Workload.LATENCY, 1, 1, ThreadKind.PLATFORM, false));
    }

    @ParameterizedTest
    @MethodSource("trials")
    void runsAndMeasures(Trial trial) throws Exception {
        if (trial.workload() == Workload.SEQWRITE) {
            DataFile.resetScratch(env.writeFile(), env.fileSize());
        }
        Measurement m = BACKEND.run(trial, env);
        assertTrue(m.ops() > 0, trial + ": " + m);
        assertTrue(m.wallNanos() >= env.durationNanos(), trial + ": " + m);
        assertTrue(m.cpuNanos() > 0, trial + ": " + m);
        assertTrue(m.p50Nanos() > 0 && m.p50Nanos() <= m.p99Nanos(), trial + ": " + m);
        assertEquals("", m.note());
    }

    /** The same file API on Netty's own io_uring loop: every trial but the registered ones. */
    @ParameterizedTest
    @MethodSource("trials")
    void runsAndMeasuresOnNettysRing(Trial trial) throws Exception {
        assumeTrue(ON_NETTY.unavailable(env) == null, () -> "Netty io_uring unavailable: " + ON_NETTY.unavailable(env));
        if (trial.registered()) {
            assertTrue(ON_NETTY.unsupported(trial).contains("register"), ON_NETTY.unsupported(trial));
            return;
        }
        if (trial.workload() == Workload.SEQWRITE) {
            DataFile.resetScratch(env.writeFile(), env.fileSize());
        }
        Measurement m = ON_NETTY.run(trial, env);
        assertTrue(m.ops() > 0, trial + ": " + m);
        assertTrue(m.p50Nanos() > 0 && m.p50Nanos() <= m.p99Nanos(), trial + ": " + m);
        assertEquals("", m.note());
    }

    /** {@code --loops}: the loop-thread reads once per loop count; the other trials (cross-thread, writes) once. */
    @Test
    void loopsSpreadTheLoopThreadReads() {
        BenchOptions o = BenchOptions.parse("--workload", "randread,randread-direct", "--qd", "32", "--loops", "1,2");
        assertEquals(List.of("qd32", "qd32 x2 loops"),
                BACKEND.trials(Workload.RANDREAD, o).stream().map(Trial::label).toList());
        assertEquals(List.of(1, 2), BACKEND.trials(Workload.RANDREAD_DIRECT, o).stream().map(Trial::loops).toList());
        assertEquals(List.of(1), BACKEND.trials(Workload.SEQWRITE, o).stream().map(Trial::loops).distinct().toList());
        BenchOptions xt = BenchOptions.parse("--workload", "randread-xt", "--qd", "32", "--threads", "2", "--loops", "2");
        assertEquals(List.of("qd32 t2"), BACKEND.trials(Workload.RANDREAD_XT, xt).stream().map(Trial::label).toList());
    }

    /** Two loops each keep their QD in flight: the group does the work of both, every read counted once. */
    @Test
    void twoLoopsRunTheirReadsTogether() throws Exception {
        Measurement m = BACKEND.run(Trial.ring(Workload.RANDREAD, 4, false).withLoops(2), env);
        assertTrue(m.ops() > 0, m.toString());
        assertTrue(m.wallNanos() >= env.durationNanos() && m.wallNanos() < env.durationNanos() + 5_000_000_000L,
                "one span for the group, not the sum of the loops' spans: " + m);
    }

    @Test
    void latencyAddsThePlainThreadRow() {
        BenchOptions o = BenchOptions.parse(new String[] {"--workload", "latency"});
        List<Trial> trials = BACKEND.trials(Workload.LATENCY, o);
        assertEquals(List.of(Trial.ring(Workload.LATENCY, 1, false),
                new Trial(Workload.LATENCY, 1, 1, ThreadKind.PLATFORM, false)), trials);
        assertEquals(List.of("qd1", "t1"), trials.stream().map(Trial::label).toList());
    }
}
