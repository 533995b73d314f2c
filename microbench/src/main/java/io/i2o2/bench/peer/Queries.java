package io.i2o2.bench.peer;

import io.i2o2.bench.Measurement;
import io.i2o2.bench.report.Format;
import java.util.Locale;

/**
 * What a row of the query workloads reports, whoever ran it: one op is one query, so ops/s is queries/s,
 * p50/p99 the query's latency (from just before its first read was issued to when its thread had them all)
 * and CPU s/Mop the CPU microseconds per query; the note adds the reads per query and the reads per second.
 */
final class Queries {
    private Queries() {
    }

    /**
     * A query row from what the querying threads measured.
     *
     * @param queries the threads' measurement, one op per query
     * @param reads   reads per query
     * @return the row's measurement
     */
    static Measurement measured(Measurement queries, int reads) {
        return queries.withNote(readsNote(queries.opsPerSecond(), reads));
    }

    /**
     * A query row from fio's reads: fio runs no queries (it keeps {@code reads} reads in flight per job without
     * a pause between "queries"), so its reads are counted in queries' worth ({@code reads} reads each) for the
     * ops/s and CPU columns to compare, and its per-read latency, which is not a query's, goes to the note.
     *
     * @param fio   fio's measurement, one op per read
     * @param reads reads per query
     * @return the row's measurement
     */
    static Measurement fromReads(Measurement fio, int reads) {
        Measurement m = new Measurement(fio.ops() / reads, fio.wallNanos(), fio.cpuNanos(), -1, -1, -1, fio.note());
        return m.withNote(readsNote(fio.opsPerSecond() / reads, reads) + String.format(Locale.ROOT,
                "; fio: iodepth %d a job, no queries: ops = reads / %d, per-read p50 %s us p99 %s us", reads, reads,
                micros(fio.p50Nanos()), micros(fio.p99Nanos())));
    }

    private static String readsNote(double queriesPerSecond, int reads) {
        return reads + " reads/query, " + Format.rate(queriesPerSecond * reads) + " reads/s";
    }

    private static String micros(long nanos) {
        return nanos < 0 ? "?" : String.format(Locale.ROOT, "%.0f", nanos / 1e3);
    }
}
