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
