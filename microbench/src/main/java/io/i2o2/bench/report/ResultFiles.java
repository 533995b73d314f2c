package io.i2o2.bench.report;

import io.i2o2.bench.Measurement;
import io.i2o2.bench.Trial;
import io.i2o2.bench.sys.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a run's results as CSV (one line per row) and JSON (the machine facts, the run settings, the
 * residency proof, the rows and the notes), for later runs to be compared by script. {@code cpu_util} is CPU
 * seconds per wall second: how many CPUs the backend kept busy (or got, on a shared host).
 */
public final class ResultFiles {
    private static final String CSV_HEADER = "backend,workload,point,qd,threads,thread_kind,registered,ops,"
            + "seconds,ops_per_s,mib_per_s,p50_us,p99_us,p999_us,cpu_s,cpu_s_per_mop,cpu_util,ratio,reference,"
            + "ratio_vs_best,note";

    private ResultFiles() {
    }

    /**
     * Writes {@code results.csv}.
     *
     * @param file the file
     * @param rows the rows
     * @throws IOException if it cannot be written
     */
    public static void writeCsv(Path file, List<ResultRow> rows) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(CSV_HEADER);
        for (ResultRow r : rows) {
            List<String> f = fields(r);
            lines.add(String.join(",", f.stream().map(ResultFiles::csv).toList()));
        }
        Files.write(file, lines);
    }

    /**
     * Writes {@code results.json}.
     *
     * @param file     the file
     * @param header   ordered facts about the run (machine, settings, residency)
     * @param rows     the rows
     * @param notes    the notes printed under the table
     * @throws IOException if it cannot be written
     */
    public static void writeJson(Path file, Map<String, String> header, List<ResultRow> rows, List<String> notes)
            throws IOException {
        StringBuilder b = new StringBuilder("{\n  \"run\": {");
        String sep = "\n";
        for (var e : header.entrySet()) {
            b.append(sep).append("    ").append(Json.quote(e.getKey())).append(": ").append(Json.quote(e.getValue()));
            sep = ",\n";
        }
        b.append("\n  },\n  \"rows\": [");
        String[] keys = CSV_HEADER.split(",");
        sep = "\n";
        for (ResultRow r : rows) {
            List<String> f = fields(r);
            b.append(sep).append("    {");
            for (int i = 0; i < keys.length; i++) {
                b.append(i == 0 ? "" : ", ").append(Json.quote(keys[i])).append(": ").append(jsonValue(f.get(i)));
            }
            b.append('}');
            sep = ",\n";
        }
        b.append("\n  ],\n  \"notes\": [");
        sep = "\n";
        for (String n : notes) {
            b.append(sep).append("    ").append(Json.quote(n));
            sep = ",\n";
        }
        b.append("\n  ]\n}\n");
        Files.writeString(file, b);
    }

    private static List<String> fields(ResultRow r) {
        Trial t = r.trial();
        Measurement m = r.measurement();
        List<String> f = new ArrayList<>(List.of(r.backend(), r.workload().cliName(), r.point(),
                t == null ? "" : Integer.toString(t.qd()), t == null ? "" : Integer.toString(t.threads()),
                t == null ? "" : t.kind().name().toLowerCase(Locale.ROOT),
                t == null ? "" : Boolean.toString(t.registered())));
        if (m == null) {
            f.addAll(List.of("", "", "", "", "", "", "", "", "", "", "", "", ""));
        } else {
            f.addAll(List.of(Long.toString(m.ops()), num(m.wallNanos() / 1e9, 6), num(m.opsPerSecond(), 1),
                    num(r.bytesPerSecond() / (1 << 20), 1), micros(m.p50Nanos()), micros(m.p99Nanos()),
                    micros(m.p999Nanos()), m.cpuNanos() < 0 ? "" : num(m.cpuNanos() / 1e9, 6),
                    num(m.cpuSecondsPerMillionOps(), 4),
                    m.cpuNanos() < 0 ? "" : num((double) m.cpuNanos() / m.wallNanos(), 3),
                    r.ratio() == null ? "" : num(r.ratio().value(), 4),
                    r.ratio() == null ? "" : r.ratio().reference(),
                    r.ratio() == null ? "" : Boolean.toString(r.ratio().vsBest())));
        }
        f.add(m == null ? r.problem() : m.note());
        return f;
    }

    private static String micros(long nanos) {
        return nanos < 0 ? "" : num(nanos / 1e3, 2);
    }

    private static String num(double v, int digits) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    private static String csv(String v) {
        return v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }

    /** Numbers and booleans stay bare in JSON; everything else, and empty fields, as strings / null. */
    private static String jsonValue(String v) {
        if (v.isEmpty()) {
            return "null";
        }
        if (v.equals("true") || v.equals("false") || v.matches("-?\\d+(\\.\\d+)?")) {
            return v;
        }
        return Json.quote(v);
    }
}
