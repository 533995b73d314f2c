package io.i2o2.bench.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.i2o2.bench.BackendRegistry;
import io.i2o2.bench.BenchEnv;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.ThreadKind;
import io.i2o2.bench.Trial;
import io.i2o2.bench.Workload;
import io.i2o2.bench.files.DataFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code portable} backend (the i2o2 backend's trials on a {@code PortableFileEventLoopGroup}) runs every
 * trial shape briefly, on any machine: the portable engine needs no io_uring.
 */
class PortableBackendTest {
    private static final long FILE_SIZE = 1 << 20;

    @TempDir
    static Path dir;
    private static BenchEnv env;
    private static final I2o2Backend BACKEND = (I2o2Backend) BackendRegistry.create("portable");

    @BeforeAll
    static void files() throws Exception {
        env = new BenchEnv(dir.resolve("data.dat"), FILE_SIZE, dir.resolve("write.dat"), Duration.ofMillis(100), 4,
                dir.resolve("work"));
        DataFile.ensure(env.dataFile(), FILE_SIZE);
        assertEquals("portable", BACKEND.name());
        assertNull(BACKEND.unavailable(env));
    }

    @AfterAll
    static void close() {
        BACKEND.close();
    }

    static Stream<Trial> trials() {
        return Stream.of(
                Trial.ring(Workload.NOP, 1, false),
                new Trial(Workload.NOP, 32, 2, ThreadKind.PLATFORM, false),
                Trial.ring(Workload.RANDREAD, 1, false),
                Trial.ring(Workload.RANDREAD, 2, false),
                Trial.ring(Workload.RANDREAD, 32, false),
                Trial.ring(Workload.RANDREAD, 32, true),
                Trial.ring(Workload.RANDREAD_DIRECT, 4, false),
                Trial.ring(Workload.RANDREAD, 8, false).withLoops(2),
                Trial.ring(Workload.RANDREAD_DIRECT, 4, false).withLoops(2),
                Trial.ring(Workload.SEQWRITE, 8, false),
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
    }

    @org.junit.jupiter.api.Test
    void workersMatchTheOpsInFlight() {
        assertEquals(32, I2o2Setup.portableConfig(Trial.ring(Workload.RANDREAD, 32, false)).portableWorkers());
        assertEquals(1, I2o2Setup.portableConfig(Trial.ring(Workload.RANDREAD, 1, false)).portableWorkers());
    }
}
