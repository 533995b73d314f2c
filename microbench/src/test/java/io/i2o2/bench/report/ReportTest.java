package io.i2o2.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.i2o2.bench.Measurement;
import io.i2o2.bench.ThreadKind;
import io.i2o2.bench.Trial;
import io.i2o2.bench.Workload;
import io.i2o2.bench.sys.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    private static Measurement perSecond(long ops) {
        return new Measurement(ops, 1_000_000_000L, 500_000_000L, 2_000, 9_000, 20_000, "");
    }

    private static List<ResultRow> rows() {
        return List.of(
                ResultRow.measured("c-liburing", Trial.ring(Workload.RANDREAD, 32, false), perSecond(800_000)),
                ResultRow.measured("netty-iouring", Trial.ring(Workload.RANDREAD, 32, false), perSecond(400_000)),
                ResultRow.measured("filechannel", new Trial(Workload.RANDREAD, 2, 2, ThreadKind.PLATFORM, false),
                        perSecond(200_000)),
                ResultRow.measured("fio", Trial.ring(Workload.RANDREAD, 32, true), perSecond(700_000)),
                ResultRow.measured("c-liburing", Trial.ring(Workload.LATENCY, 1, false), perSecond(300_000)),
                ResultRow.failed("i2o2", Workload.RANDREAD, null, "i2o2: not built yet"));
    }

    @Test
    void ratiosUseTheSamePointOrTheReferencesBest() {
        List<ResultRow> r = Ratios.apply(rows());
        assertEquals(1.0, r.get(0).ratio().value(), 1e-9);
        assertEquals(0.5, r.get(1).ratio().value(), 1e-9);
        assertFalse(r.get(1).ratio().vsBest());
        assertEquals(0.25, r.get(2).ratio().value(), 1e-9);     // no c-liburing t2/qd2: its best
        assertTrue(r.get(2).ratio().vsBest());
        assertEquals("fio", r.get(3).ratio().reference());      // registered family: C did not run it
        assertNull(r.get(5).ratio());
    }

    @Test
    void pairedRatiosDivideWithinEachRoundAndTakeTheMedian() {
        Trial qd32 = Trial.ring(Workload.RANDREAD, 32, false);
        Trial qd1 = Trial.ring(Workload.RANDREAD, 1, false);
        // Round 3 ran on a slow stretch of the host for both: its ratio still counts as 1.0.
        List<List<ResultRow>> runs = List.of(
                List.of(ResultRow.measured("netty-iouring", qd32, perSecond(1000)),
                        ResultRow.measured("netty-iouring", qd32, perSecond(1000)),
                        ResultRow.measured("netty-iouring", qd32, perSecond(500))),
                List.of(ResultRow.measured("i2o2", qd32, perSecond(900)),
                        ResultRow.measured("i2o2", qd32, perSecond(1100)),
                        ResultRow.measured("i2o2", qd32, perSecond(500))),
                List.of(ResultRow.measured("i2o2", qd1, perSecond(10)),      // no peer at QD 1: no line
                        ResultRow.measured("i2o2", qd1, perSecond(10)),
                        ResultRow.measured("i2o2", qd1, perSecond(10))),
                List.of(ResultRow.measured("c-liburing", qd32, perSecond(2000)),
                        ResultRow.failed("c-liburing", Workload.RANDREAD, qd32, "failed: boom"),
                        ResultRow.measured("c-liburing", qd32, perSecond(1000))));
        List<String> lines = PairedRatios.render(runs, "netty-iouring");
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("i2o2 ") && lines.get(0).contains("1.00x  (rounds 0.90-1.10x, 3 of 3)"),
                lines.get(0));
        // The same CPU seconds over fewer or more ops: CPU per op 1/0.9, 1/1.1 and 1, median 1; same p50.
        assertTrue(lines.get(0).contains("CPU/op 1.00x (0.91-1.11)") && lines.get(0).contains("p50 +0.0 us"),
                lines.get(0));
        PairedRatios.Pair pair = PairedRatios.pairs(runs, "netty-iouring").getFirst();
        assertEquals(1.0, pair.cpuRatio(), 1e-9);
        assertEquals(3, pair.cpu().size());
        assertEquals(0.0, pair.cpuDeltaMicros(), 1e-9);   // 500 ms over 900, 1100, 500 ops against 1000, 1000, 500: +55.6, -45.5, 0 us
        // A failed round is left out, and said: the median of 2.0 and 2.0.
        assertTrue(lines.get(1).contains("2.00x  (rounds 2.00-2.00x, 2 of 3)"), lines.get(1));
        assertEquals(2.5, PairedRatios.median(List.of(1.0, 2.0, 3.0, 4.0)), 1e-9);
    }

    @Test
    void tableAndFilesCarryEveryRow(@TempDir Path dir) throws Exception {
        List<ResultRow> r = Ratios.apply(rows());
        String table = ResultTable.render(r);
        assertTrue(table.contains("800.0k"), table);
        assertTrue(table.contains("0.25x*"), table);
        assertTrue(table.contains("i2o2: not built yet"), table);
        assertTrue(table.lines().allMatch(l -> l.length() <= 140), table);

        ResultFiles.writeCsv(dir.resolve("r.csv"), r);
        assertEquals(r.size() + 1, Files.readAllLines(dir.resolve("r.csv")).size());
        ResultFiles.writeJson(dir.resolve("r.json"), Map.of("cpu", "test \"cpu\""), r, List.of("a note"));
        Object json = Json.parse(Files.readString(dir.resolve("r.json")));
        assertEquals("test \"cpu\"", Json.at(json, "run", "cpu"));
        assertEquals(r.size(), ((List<?>) Json.at(json, "rows")).size());

        String svg = SvgChart.render("title <&>", r);
        assertTrue(svg.startsWith("<svg") && svg.endsWith("</svg>\n"));
        assertTrue(svg.contains("title &lt;&amp;&gt;"));
        assertTrue(svg.contains("randread/registered"));
        assertTrue(svg.contains("QD1 latency"));
    }
}
