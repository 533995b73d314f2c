package io.i2o2.bench.report;

import io.i2o2.bench.Measurement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one table the CLI prints: a row per backend and trial, columns aligned, then the legend.
 */
public final class ResultTable {
    private static final String[] HEADERS =
            {"backend", "workload", "QD/threads", "ops/s", "MiB/s", "p50 us", "p99 us", "CPU s/Mop", "vs ref",
                "note"};
    /** Columns holding numbers are right-aligned. */
    private static final boolean[] RIGHT = {false, false, false, true, true, true, true, true, true, false};

    private ResultTable() {
    }

    /**
     * Renders the rows.
     *
     * @param rows rows with ratios applied
     * @return the table and its legend, lines separated by newlines
     */
    public static String render(List<ResultRow> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(HEADERS);
        for (ResultRow r : rows) {
            cells.add(cells(r));
        }
        int[] width = new int[HEADERS.length];
        for (String[] c : cells) {
            for (int i = 0; i < c.length; i++) {
                width[i] = Math.max(width[i], c[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (int n = 0; n < cells.size(); n++) {
            String[] c = cells.get(n);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < c.length; i++) {
                String pad = " ".repeat(width[i] - c[i].length());
                line.append(RIGHT[i] ? pad + c[i] : c[i] + (i == c.length - 1 ? "" : pad)).append("  ");
            }
            b.append(line.toString().stripTrailing()).append('\n');
            if (n == 0) {
                b.append("-".repeat(line.toString().stripTrailing().length())).append('\n');
            }
        }
        b.append(legend(rows));
        return b.toString();
    }

    private static String[] cells(ResultRow r) {
        Measurement m = r.measurement();
        if (m == null) {
            return new String[] {r.backend(), r.workload().cliName(), r.point(), "-", "-", "-", "-", "-", "-",
                r.problem()};
        }
        String ratio = r.ratio() == null ? "-"
                : String.format(Locale.ROOT, "%.2fx%s", r.ratio().value(), r.ratio().vsBest() ? "*" : "");
        String mib = r.workload().blockSize() == 0 ? "-" : Format.fixed(r.bytesPerSecond() / (1 << 20), 0);
        return new String[] {r.backend(), r.workload().cliName(), r.point(), Format.rate(m.opsPerSecond()), mib,
            Format.micros(m.p50Nanos()), Format.micros(m.p99Nanos()), Format.fixed(m.cpuSecondsPerMillionOps(), 2),
            ratio, m.note()};
    }

    private static String legend(List<ResultRow> rows) {
        String ref = rows.stream().filter(r -> r.ratio() != null).map(r -> r.ratio().reference()).findFirst()
                .orElse("c-liburing");
        return """
                ops/s: completed ops per wall second (IOPS for reads and writes); MiB/s = ops/s x block size
                p50/p99 us: per-op latency, submission to completion seen by the submitter
                CPU s/Mop: CPU seconds (user+sys, whole process) per million ops; lower is cheaper
                vs ref: ops/s / %s's ops/s in this run at the same QD/threads (QD N = N threads);
                        * = no such point for the reference: / its best ops/s in that workload
                """.formatted(ref) + (rows.stream().anyMatch(r -> r.workload().query())
                ? "query rows (qN tT: T threads, queries of N reads): one op = one query, so ops/s = queries/s,\n"
                + "        p50/p99 = query latency, CPU s/Mop = CPU us per query, MiB/s = all its reads\n" : "");
    }
}
