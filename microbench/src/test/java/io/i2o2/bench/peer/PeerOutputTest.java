package io.i2o2.bench.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.i2o2.bench.Measurement;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The external peers' outputs are parsed as they really look (shapes copied from fio 3.33 and uring_peer). */
class PeerOutputTest {

    @Test
    void cResultLine() throws IOException {
        Measurement m = CLiburingBackend.parse("noise\nRESULT mode=randread ops=613504 seconds=1.000023 "
                + "cpu_s=0.999581 p50_ns=49664 p99_ns=123904 p999_ns=282624\n");
        assertEquals(613504, m.ops());
        assertEquals(1_000_023_000L, m.wallNanos());
        assertEquals(999_581_000L, m.cpuNanos());
        assertEquals(123904, m.p99Nanos());
        assertThrows(IOException.class, () -> CLiburingBackend.parse("uring_peer: open failed\n"));
    }

    @Test
    void fioJsonAndShellTimes() throws IOException {
        String json = """
                fio: some warning first
                {"fio version": "fio-3.33", "jobs": [{"jobname": "randread", "job_runtime": 1000,
                  "usr_cpu": 6.2, "sys_cpu": 64.1,
                  "read": {"total_ios": 87265, "runtime": 1001, "iops": 87177.8,
                    "lat_ns": {"min": 1, "percentile": {"50.000000": 228352, "99.000000": 1859584,
                      "99.900000": 4751360}}},
                  "write": {"total_ios": 0, "runtime": 0}}]}
                """;
        Measurement m = FioBackend.parse(json, "read");
        assertEquals(87265, m.ops());
        assertEquals(1_001_000_000L, m.wallNanos());
        assertEquals(228352, m.p50Nanos());
        assertEquals(4751360, m.p999Nanos());
        assertEquals(-1, m.cpuNanos());
        assertEquals(862_000_000L, FioBackend.childrenCpuNanos("0m0.000000s 0m0.003000s\n0m0.168s 0m0.694s\n"));
        assertEquals(61_500_000_000L, FioBackend.childrenCpuNanos("0m0.0s 0m0.0s\n1m0.5s 0m1.0s"));
        assertEquals(-1, FioBackend.childrenCpuNanos(""));
        assertThrows(IOException.class, () -> FioBackend.parse("fio: engine io_uring not loadable", "read"));
    }
}
