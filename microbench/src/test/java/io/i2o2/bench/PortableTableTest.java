package io.i2o2.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.i2o2.bench.report.PairedRatios;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortableTableTest {

    @Test
    void runsTheIssuesPointsAndTakesOverrides() {
        BenchOptions o = PortableTable.options();
        assertEquals(List.of(Workload.RANDREAD, Workload.RANDREAD_DIRECT), o.workloads());
        assertEquals(List.of(1, 2, 32), o.queueDepths());
        assertEquals(List.of("filechannel", "i2o2", "portable"), o.backends());
        assertEquals("filechannel", o.peer());
        assertEquals(3, o.repeat());
        assertEquals(List.of(1, 2, 32), o.threads(Workload.RANDREAD_DIRECT).stream()
                .map(BenchOptions.Threads::count).toList());
        BenchOptions shorter = PortableTable.options("--seconds", "1", "--repeat", "1", "--workload", "randread");
        assertEquals(1, shorter.repeat());
        assertEquals(List.of(Workload.RANDREAD), shorter.workloads());
        assertEquals(1_000_000_000L, shorter.seconds().toNanos());
    }

    @Test
    void checksTheBarsAtThirtyTwoAndReportsTheHandOversBelow() {
        Trial qd32 = Trial.ring(Workload.RANDREAD, 32, false);
        Trial qd1 = Trial.ring(Workload.RANDREAD_DIRECT, 1, false);
        List<String> lines = PortableTable.summary(List.of(
                new PairedRatios.Pair("portable", qd32, List.of(0.95), List.of(1.1), List.of(3.0), 1),
                new PairedRatios.Pair("i2o2", qd32, List.of(1.9), List.of(0.55), List.of(-1.0), 1),
                new PairedRatios.Pair("portable", qd1, List.of(0.8), List.of(1.5), List.of(12.5), 1)));
        assertEquals(4, lines.size(), lines.toString());
        assertTrue(lines.get(1).contains("ops >= 0.9x: met, CPU/op <= 1.2x: met"), lines.get(1));
        assertTrue(lines.get(1).contains("over io_uring's: ops/s 0.50x, CPU/op 2.00x"), lines.get(1));
        assertTrue(lines.get(3).contains("p50 +12.5 us") && lines.get(3).contains("hand-overs"), lines.get(3));
        List<String> missed = PortableTable.summary(List.of(
                new PairedRatios.Pair("portable", qd32, List.of(0.85), List.of(1.3), List.of(3.0), 1)));
        assertTrue(missed.get(1).contains("ops >= 0.9x: MISSED, CPU/op <= 1.2x: MISSED"), missed.get(1));
    }
}
