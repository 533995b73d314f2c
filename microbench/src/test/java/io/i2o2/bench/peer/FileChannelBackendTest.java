package io.i2o2.bench.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.i2o2.bench.BenchEnv;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.ThreadKind;
import io.i2o2.bench.Trial;
import io.i2o2.bench.Workload;
import io.i2o2.bench.files.DataFile;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** FileChannel's readers, on one shared channel and with a channel per thread, run and measure. */
class FileChannelBackendTest {
    @TempDir
    static Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void readsFromEveryThread(boolean perThread) throws Exception {
        BenchEnv env = new BenchEnv(dir.resolve("data.dat"), 1 << 20, dir.resolve("write.dat"), Duration.ofMillis(100),
                4, dir.resolve("work"));
        DataFile.ensure(env.dataFile(), 1 << 20);
        FileChannelBackend b = new FileChannelBackend(perThread);
        assertEquals(perThread ? "fc-per-thread" : "filechannel", b.name());
        Measurement m = b.run(new Trial(Workload.RANDREAD, 4, 4, ThreadKind.PLATFORM, false), env);
        assertTrue(m.ops() > 0 && m.cpuNanos() > 0 && m.p50Nanos() > 0, m.toString());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void queriesAreCountedWholeWithTheirReadsInTheNote(boolean perThread) throws Exception {
        BenchEnv env = new BenchEnv(dir.resolve("data.dat"), 1 << 20, dir.resolve("write.dat"), Duration.ofMillis(100),
                4, dir.resolve("work"));
        DataFile.ensure(env.dataFile(), 1 << 20);
        for (Workload w : new Workload[] {Workload.QUERY, Workload.QUERY_DIRECT}) {
            Measurement m = new FileChannelBackend(perThread).run(new Trial(w, 16, 2, ThreadKind.PLATFORM, false), env);
            assertTrue(m.ops() > 0 && m.cpuNanos() > 0 && m.p50Nanos() > 0, m.toString());
            assertTrue(m.note().startsWith("16 reads/query, "), m.note());
        }
    }

    @Test
    void perThreadLeavesTheOneWriterToFilechannel() {
        Trial write = new Trial(Workload.SEQWRITE, 1, 1, ThreadKind.PLATFORM, false);
        assertNotNull(new FileChannelBackend(true).unsupported(write));
        assertNull(new FileChannelBackend(false).unsupported(write));
    }
}
