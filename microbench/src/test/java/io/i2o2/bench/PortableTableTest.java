package io.i2o2.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.i2o2.bench.report.ResultRow;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortableTableTest {

    @Test
    void runsTheIssuesPointsAndTakesOverrides() {
        BenchOptions o = PortableTable.options();
        assertEquals(List.of(Workload.RANDREAD, Workload.RANDREAD_DIRECT), o.workloads());
        assertEquals(List.of(1, 2, 32), o.queueDepths());
        assertEquals(List.of("filechannel", "fc-per-thread", "i2o2", "portable"), o.backends());
        assertEquals("filechannel", o.peer());
        assertEquals(3, o.repeat());
        assertEquals(List.of(1, 2, 32), o.threads(Workload.RANDREAD_DIRECT).stream()
                .map(BenchOptions.Threads::count).toList());
        BenchOptions shorter = PortableTable.options("--seconds", "1", "--repeat", "1", "--workload", "randread");
        assertEquals(1, shorter.repeat());
        assertEquals(List.of(Workload.RANDREAD), shorter.workloads());
        assertEquals(1_000_000_000L, shorter.seconds().toNanos());
    }

    private static Measurement m(long ops, long cpuMillis, long p50Micros) {
        return new Measurement(ops, 1_000_000_000L, cpuMillis * 1_000_000L, p50Micros * 1000, p50Micros * 2000,
                p50Micros * 3000, "");
    }

    @Test
    void checksTheBarsAtThirtyTwoAndReportsTheHandOversBelow() {
        Trial t32 = new Trial(Workload.RANDREAD, 32, 32, ThreadKind.PLATFORM, false);
        Trial qd32 = Trial.ring(Workload.RANDREAD, 32, false);
        Trial t1 = new Trial(Workload.RANDREAD, 1, 1, ThreadKind.PLATFORM, false);
        Trial qd1 = Trial.ring(Workload.RANDREAD, 1, false);
        // One round: FileChannel 1000 ops on 1000 ms of CPU; one channel per thread 1250 on 1000 ms;
        // portable 950 on 1045 (1.1x CPU/op); io_uring 1900.
        List<List<ResultRow>> runs = List.of(
                List.of(ResultRow.measured("filechannel", t32, m(1000, 1000, 10))),
                List.of(ResultRow.measured("fc-per-thread", t32, m(1250, 1000, 8))),
                List.of(ResultRow.measured("portable", qd32, m(950, 1045, 13))),
                List.of(ResultRow.measured("i2o2", qd32, m(1900, 1045, 9))),
                List.of(ResultRow.measured("filechannel", t1, m(100, 100, 2))),
                List.of(ResultRow.measured("portable", qd1, m(50, 100, 14))));
        List<String> lines = PortableTable.summary(runs);
        String all = String.join("\n", lines);
        assertEquals(5, lines.size(), all);
        String portable32 = lines.stream().filter(l -> l.startsWith("portable") && l.contains(" 32 in flight"))
                .findFirst().orElseThrow();
        assertTrue(portable32.contains("vs filechannel ops/s 0.95x CPU/op 1.10x p50 +3.0 us"), portable32);
        assertTrue(portable32.contains("vs filechannel: ops/s >= 0.9x met, CPU/op <= 1.2x met"), portable32);
        assertTrue(portable32.contains("vs fc-per-thread: ops/s >= 0.9x MISSED"), portable32);   // 0.76x
        assertTrue(portable32.contains("vs io_uring ops/s 0.50x"), portable32);
        String portable1 = lines.stream().filter(l -> l.startsWith("portable") && l.contains("  1 in flight"))
                .findFirst().orElseThrow();
        assertTrue(portable1.contains("hand-overs") && portable1.contains("p50 +12.0 us"), portable1);
        assertTrue(portable1.contains("CPU +1000.0 us per op over filechannel"), portable1);   // 100 ms / 50 against / 100
        assertTrue(all.contains("fc-per-thread randread        32 threads: vs filechannel ops/s 1.25x"), all);
        assertTrue(PortableTable.summary(List.of()).isEmpty());
    }
}
