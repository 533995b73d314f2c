package io.i2o2.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.i2o2.bench.report.ResultRow;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchChecksTest {

    private static Measurement m(long ops) {
        return new Measurement(ops, 1_000_000_000L, 1_000_000_000L, 1000, 2000, 3000, "");
    }

    private static List<ResultRow> rounds(String backend, Trial t, long... ops) {
        return java.util.Arrays.stream(ops).mapToObj(o -> ResultRow.measured(backend, t, m(o))).toList();
    }

    @Test
    void handOverRowsAreHeldAgainstTheirEnginesLoopThreadRow() {
        Trial loop = Trial.ring(Workload.RANDREAD, 32, false);
        Trial xt = new Trial(Workload.RANDREAD_XT, 32, 1, ThreadKind.PLATFORM, false);
        List<List<ResultRow>> runs = List.of(
                rounds("i2o2", loop, 1000, 800),
                rounds("i2o2-callback", xt, 850, 760),        // 0.85x, 0.95x: median 0.90x
                rounds("i2o2-batch", xt.withBatch(32), 930, 760),   // 0.93x, 0.95x: median 0.94x
                rounds("portable-batch", xt.withBatch(32), 500, 500));   // no portable loop-thread row
        List<String> lines = BatchChecks.summary(runs);
        String all = String.join("\n", lines);
        assertEquals(3, lines.size(), all);
        assertTrue(lines.get(1).startsWith("i2o2-callback") && lines.get(1).contains("0.90x over i2o2's loop-thread"
                + " randread qd32 (rounds 0.85-0.95x), CPU/op") && lines.get(1).endsWith("bar 0.90x met"), all);
        assertTrue(lines.get(2).contains("qd32 t1 b32") && lines.get(2).endsWith("bar 0.95x MISSED"), all);
        assertEquals("i2o2", BatchChecks.loopBackend("i2o2-batch"));
        assertEquals("portable", BatchChecks.loopBackend("portable-callback"));
    }

    @Test
    void queryRowsAreHeldAgainstFileChannelAndFio() {
        Trial one = new Trial(Workload.QUERY_DIRECT, 500, 1, ThreadKind.PLATFORM, false);
        Trial eight = new Trial(Workload.QUERY_DIRECT, 500, 8, ThreadKind.PLATFORM, false);
        List<List<ResultRow>> runs = List.of(
                rounds("fio", eight, 100),
                rounds("filechannel", one, 10),
                rounds("i2o2", one, 35),
                rounds("i2o2", eight, 85),
                rounds("portable", one, 20));
        List<String> lines = BatchChecks.summary(runs);
        String all = String.join("\n", lines);
        assertEquals(4, lines.size(), all);
        assertTrue(all.contains("q500 t1      3.50x over filechannel's queries/s, CPU/op 0.29x: bar 3.00x met"), all);
        assertTrue(all.contains("q500 t8      0.85x over fio's reads/s, same depth, CPU/op 1.18x: bar 0.90x MISSED"), all);
        assertTrue(all.contains("portable          query-direct q500 t1      2.00x over filechannel's queries/s"), all);
        assertTrue(BatchChecks.summary(List.of(rounds("filechannel", one, 10))).isEmpty());
    }
}
