package io.i2o2.bench.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.i2o2.bench.Backend;
import io.i2o2.bench.BackendRegistry;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The batch rows of issue 24: randread-xt handed over as {@code BatchedOps} batches ({@code i2o2-batch},
 * {@code portable-batch}) and the query workloads (a query's reads as one batch) run briefly on both engines and
 * count reads or queries. The io_uring rows skip themselves where io_uring is unavailable; the portable ones run
 * anywhere.
 */
class BatchBackendsTest {
    private static final long FILE_SIZE = 1 << 20;

    @TempDir
    static Path dir;
    private static BenchEnv env;

    @BeforeAll
    static void files() throws Exception {
        env = new BenchEnv(dir.resolve("data.dat"), FILE_SIZE, dir.resolve("write.dat"), Duration.ofMillis(100), 4,
                dir.resolve("work"));
        DataFile.ensure(env.dataFile(), FILE_SIZE);
    }

    static Stream<Arguments> batchTrials() {
        Trial one = new Trial(Workload.RANDREAD_XT, 32, 1, ThreadKind.PLATFORM, false).withBatch(32);
        Trial twoEach = new Trial(Workload.RANDREAD_XT, 64, 2, ThreadKind.PLATFORM, false).withBatch(16);
        Trial virtual = new Trial(Workload.RANDREAD_XT, 8, 2, ThreadKind.VIRTUAL, false).withBatch(3);
        return Stream.of("i2o2-batch", "portable-batch")
                .flatMap(b -> Stream.of(one, twoEach, virtual).map(t -> Arguments.of(b, t)));
    }

    @ParameterizedTest
    @MethodSource("batchTrials")
    void readsHandedOverInBatchesAreCountedOneByOne(String name, Trial trial) throws Exception {
        try (Backend b = BackendRegistry.create(name)) {
            assumeTrue(b.unavailable(env) == null, () -> b.unavailable(env));
            Measurement m = b.run(trial, env);
            assertTrue(m.ops() > 0, trial + ": " + m);
            BatchProducers.Shape shape = BatchProducers.Shape.of(trial);
            // Every producer counts whole batches.
            assertEquals(0, m.ops() % shape.size(), trial + ": " + m);
            assertTrue(m.p50Nanos() > 0 && m.p50Nanos() <= m.p99Nanos(), trial + ": " + m);
        }
    }

    static Stream<Arguments> queryTrials() {
        // One loop, and each query split over two (one batch per loop).
        return Stream.of("i2o2", "portable").flatMap(b -> Stream.of(Workload.QUERY, Workload.QUERY_DIRECT)
                .flatMap(w -> Stream.of(1, 3).flatMap(t -> Stream.of(1, 2).map(loops ->
                        Arguments.of(b, new Trial(w, 16, t, ThreadKind.PLATFORM, false).withLoops(loops))))));
    }

    @ParameterizedTest
    @MethodSource("queryTrials")
    void aQueryIsOneBatchPerLoopAndCountsAsOneOp(String name, Trial trial) throws Exception {
        try (Backend b = BackendRegistry.create(name)) {
            assumeTrue(b.unavailable(env) == null, () -> b.unavailable(env));
            Measurement m = b.run(trial, env);
            assertTrue(m.ops() > 0, trial + ": " + m);
            assertTrue(m.p50Nanos() > 0 && m.p50Nanos() <= m.p99Nanos(), trial + ": " + m);
            assertTrue(m.note().startsWith("16 reads/query, "), m.note());
        }
    }

    @Test
    void queryTrialsRunOnTheBackendsThatHaveThem() {
        BenchOptions o = BenchOptions.parse("--workload", "query", "--query-reads", "100");
        List<Trial> plan = List.of(new Trial(Workload.QUERY, 100, 1, ThreadKind.PLATFORM, false),
                new Trial(Workload.QUERY, 100, 8, ThreadKind.PLATFORM, false));
        for (String name : List.of("filechannel", "fc-per-thread", "fio", "i2o2", "portable")) {
            try (Backend b = BackendRegistry.create(name)) {
                assertEquals(plan, b.trials(Workload.QUERY, o), name);
            }
        }
        for (String name : List.of("c-liburing", "netty-iouring", "i2o2-netty", "i2o2-callback", "i2o2-batch",
                "async-fc")) {
            try (Backend b = BackendRegistry.create(name)) {
                assertEquals(List.of(), b.trials(Workload.QUERY, o), name);
            }
        }
        assertEquals(List.of("q100 t1", "q100 t8"), plan.stream().map(Trial::label).toList());
        BenchOptions split = BenchOptions.parse("--workload", "query", "--query-reads", "100", "--loops", "1,2");
        try (Backend b = BackendRegistry.create("i2o2")) {
            assertEquals(List.of("q100 t1", "q100 t1 x2 loops", "q100 t8", "q100 t8 x2 loops"),
                    b.trials(Workload.QUERY, split).stream().map(Trial::label).toList());
        }
        assertEquals(100 * 4096L, plan.getFirst().bytesPerOp());
        assertEquals(800, I2o2Setup.inFlight(plan.getLast()));
        assertEquals(500, BenchOptions.parse().queryReads());
    }

    @Test
    void fioReadsAreCountedInQueriesWorth() {
        Measurement fio = new Measurement(5_000, 1_000_000_000L, 2_000_000_000L, 6_000, 9_000, 12_000, "");
        Measurement q = Queries.fromReads(fio, 500);
        assertEquals(10, q.ops());
        assertEquals(-1, q.p50Nanos());
        assertTrue(q.note().contains("500 reads/query, 5.0k reads/s"), q.note());
        assertTrue(q.note().contains("per-read p50 6 us"), q.note());
    }

    @Test
    void batchesFillTheProducersShareOfTheQd() {
        assertEquals(new BatchProducers.Shape(1, 32),
                BatchProducers.Shape.of(new Trial(Workload.RANDREAD_XT, 32, 1, ThreadKind.PLATFORM, false).withBatch(32)));
        assertEquals(new BatchProducers.Shape(2, 16),
                BatchProducers.Shape.of(new Trial(Workload.RANDREAD_XT, 64, 2, ThreadKind.PLATFORM, false).withBatch(16)));
        // A batch larger than the share is cut to it; a share that is no multiple keeps whole batches only.
        assertEquals(new BatchProducers.Shape(1, 4),
                BatchProducers.Shape.of(new Trial(Workload.RANDREAD_XT, 4, 1, ThreadKind.PLATFORM, false).withBatch(32)));
        assertEquals(new BatchProducers.Shape(3, 10),
                BatchProducers.Shape.of(new Trial(Workload.RANDREAD_XT, 32, 1, ThreadKind.PLATFORM, false).withBatch(10)));
        assertEquals(new BatchProducers.Shape(1, 500),
                BatchProducers.Shape.of(new Trial(Workload.QUERY, 500, 8, ThreadKind.PLATFORM, false)));
    }

    @Test
    void batchBackendsRunTheHandOverOnlyAtTheBatchSizeAsked() {
        BenchOptions o = BenchOptions.parse("--workload", "randread,randread-xt", "--qd", "32", "--threads", "1",
                "--batch", "16");
        try (Backend b = BackendRegistry.create("i2o2-batch")) {
            assertEquals(List.of(), b.trials(Workload.RANDREAD, o));
            List<Trial> xt = b.trials(Workload.RANDREAD_XT, o);
            assertEquals(List.of(new Trial(Workload.RANDREAD_XT, 32, 1, ThreadKind.PLATFORM, false).withBatch(16)), xt);
            assertEquals("qd32 t1 b16", xt.getFirst().label());
        }
        assertEquals("portable-batch", BackendRegistry.canonical("portable-batches"));
        assertEquals(32, BenchOptions.parse().batch());
    }
}
