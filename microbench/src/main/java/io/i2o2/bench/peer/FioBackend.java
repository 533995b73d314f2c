package io.i2o2.bench.peer;

import io.i2o2.bench.Backend;
import io.i2o2.bench.BenchEnv;
import io.i2o2.bench.BenchOptions;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.Trial;
import io.i2o2.bench.TrialPlan;
import io.i2o2.bench.Workload;
import io.i2o2.bench.sys.Command;
import io.i2o2.bench.sys.Json;
import io.i2o2.bench.sys.Packages;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * fio with its io_uring engine, the familiar second reference. Page-cache reads keep the cache
 * ({@code --invalidate=0}); registered = {@code --fixedbufs --registerfiles}; O_DIRECT = {@code --direct=1};
 * seqwrite = {@code --rw=write --bs=128k --fdatasync=N}. Figures come from its JSON output: IOPS from
 * {@code total_ios / runtime}, latency from {@code lat_ns} percentiles (submission to completion).
 *
 * <p>For the query workloads fio is the device's ceiling at the same total depth: {@code --numjobs} = the
 * querying threads, {@code --iodepth} = the reads of a query (fio takes 500 as it is), {@code --group_reporting};
 * it runs no queries, so its reads are reported in queries' worth ({@link Queries#fromReads}).
 *
 * <p>CPU is not fio's own {@code usr_cpu + sys_cpu}: that is the job thread's rusage and leaves out the
 * io_uring io-wq workers that do buffered writes (0.03 s against 0.86 s in one seqwrite run). fio runs under
 * {@code sh -c '...; times'} instead, and the children's user + system time is taken: all of fio's
 * threads, io-wq included, plus its start-up (tens of milliseconds, small against a trial of seconds).
 */
public final class FioBackend implements Backend {

    /** Creates the backend. */
    public FioBackend() {
    }

    @Override
    public String name() {
        return "fio";
    }

    @Override
    public String unavailable(BenchEnv env) {
        String missing = Packages.ensure("fio", () -> Command.onPath("fio"));
        return missing == null ? null : "fio skipped: " + missing;
    }

    @Override
    public List<Trial> trials(Workload workload, BenchOptions options) {
        return workload.query() ? TrialPlan.query(workload, options) : TrialPlan.ring(workload, options);
    }

    @Override
    public String unsupported(Trial trial) {
        if (trial.workload() == Workload.NOP) {
            return "fio's io_uring engine has no NOP";
        }
        if (trial.workload() == Workload.RANDREAD_XT) {
            return "fio submits from the thread that reaps";
        }
        return null;
    }

    @Override
    public boolean needsWarmup() {
        return false;
    }

    @Override
    public Measurement run(Trial trial, BenchEnv env) throws Exception {
        List<String> argv = new ArrayList<>(List.of("sh", "-c", "\"$@\"; s=$?; times >&2; exit $s", "sh"));
        argv.addAll(argv(trial, env));
        Command c = Command.run(env.duration().toSeconds() + 60, argv);
        if (!c.ok()) {
            throw new IOException("fio exited " + c.exitCode() + ": " + c.errorTail());
        }
        Measurement m = parse(c.stdout(), trial.workload() == Workload.SEQWRITE ? "write" : "read");
        long cpu = childrenCpuNanos(c.stderr());
        m = new Measurement(m.ops(), m.wallNanos(), cpu, m.p50Nanos(), m.p99Nanos(), m.p999Nanos(), m.note());
        return trial.workload().query() ? Queries.fromReads(m, trial.qd()) : m;
    }

    /**
     * The children's CPU time from the last line of the shell's {@code times}: {@code 0m1.234s 0m0.567s}.
     *
     * @param stderr the shell's standard error
     * @return user + system nanoseconds, or -1 if the line is not there
     */
    static long childrenCpuNanos(String stderr) {
        List<String> lines = stderr.strip().lines().toList();
        if (lines.isEmpty()) {
            return -1;
        }
        String[] parts = lines.getLast().trim().split("\\s+");
        if (parts.length != 2) {
            return -1;
        }
        try {
            return minutesSeconds(parts[0]) + minutesSeconds(parts[1]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long minutesSeconds(String t) {
        int m = t.indexOf('m');
        if (m < 0 || !t.endsWith("s")) {
            throw new NumberFormatException(t);
        }
        double seconds = Long.parseLong(t.substring(0, m)) * 60
                + Double.parseDouble(t.substring(m + 1, t.length() - 1));
        return (long) (seconds * 1e9);
    }

    private static List<String> argv(Trial trial, BenchEnv env) {
        Workload w = trial.workload();
        boolean write = w == Workload.SEQWRITE;
        long seconds = Math.max(1, Math.round(env.durationNanos() / 1e9));
        List<String> a = new ArrayList<>(List.of("fio", "--name=" + w.cliName(),
                "--filename=" + (write ? env.writeFile() : env.dataFile()),
                "--size=" + env.fileSize(),
                "--ioengine=io_uring", "--iodepth=" + trial.qd(), "--numjobs=" + (w.query() ? trial.threads() : 1),
                "--bs=" + w.blockSize(), "--rw=" + (write ? "write" : "randread"),
                "--time_based", "--runtime=" + seconds,
                "--invalidate=0", "--norandommap", "--randrepeat=0",
                "--lat_percentiles=1", "--percentile_list=50:99:99.9",
                "--output-format=json"));
        if (write) {
            a.add("--fdatasync=" + env.fsyncEvery());
        } else {
            a.add("--readonly");
        }
        if (w.direct()) {
            a.add("--direct=1");
        }
        if (w.query()) {
            a.add("--group_reporting");     // the jobs' reads in one report (parse reads the first job)
        }
        if (trial.registered()) {
            a.addAll(List.of("--fixedbufs", "--registerfiles"));
        }
        return a;
    }

    /**
     * Reads fio's JSON report (everything but the CPU time, which fio under-reports).
     *
     * @param stdout    fio's output (JSON, possibly after warning lines)
     * @param direction {@code read} or {@code write}
     * @return the measurement
     * @throws IOException if the report is not there
     */
    static Measurement parse(String stdout, String direction) throws IOException {
        int start = stdout.indexOf('{');
        if (start < 0) {
            throw new IOException("no JSON in fio's output: " + stdout.strip());
        }
        Object root = Json.parse(stdout.substring(start));
        if (!(Json.at(root, "jobs") instanceof List<?> jobs) || jobs.isEmpty()) {
            throw new IOException("fio's JSON has no jobs");
        }
        Object job = jobs.getFirst();
        double ios = Json.number(job, direction, "total_ios");
        double runtimeMs = Json.number(job, direction, "runtime");
        return new Measurement((long) ios, (long) (runtimeMs * 1e6), -1,
                percentile(job, direction, "50.000000"), percentile(job, direction, "99.000000"),
                percentile(job, direction, "99.900000"), "");
    }

    private static long percentile(Object job, String direction, String key) {
        double v = Json.number(job, direction, "lat_ns", "percentile", key);
        return Double.isNaN(v) ? -1 : (long) v;
    }
}
