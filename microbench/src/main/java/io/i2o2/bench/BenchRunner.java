package io.i2o2.bench;

import io.i2o2.bench.files.DataFile;
import io.i2o2.bench.files.MemoryLock;
import io.i2o2.bench.files.MlockLock;
import io.i2o2.bench.files.Residency;
import io.i2o2.bench.files.VmtouchLock;
import io.i2o2.bench.report.Format;
import io.i2o2.bench.report.PairedRatios;
import io.i2o2.bench.report.Ratios;
import io.i2o2.bench.report.ResultFiles;
import io.i2o2.bench.report.ResultRow;
import io.i2o2.bench.report.ResultTable;
import io.i2o2.bench.report.SvgChart;
import io.i2o2.bench.sys.Command;
import io.i2o2.bench.sys.MachineInfo;
import io.i2o2.bench.sys.Packages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs a benchmark: prepares and locks the data file, runs every backend's trials (interleaved by point,
 * so that drift on a shared host hits all backends alike), then prints the one table and writes the
 * result files.
 */
public final class BenchRunner {
    /** The warm-up's second run, at most ({@link #warmUp}). */
    private static final Duration SECOND_WARMUP = Duration.ofSeconds(1);
    private final BenchOptions options;
    private final Map<String, List<String>> notes = new LinkedHashMap<>();
    /** {@code --peer}'s lines, once the trials ran. */
    private List<String> paired = List.of();
    /** Every trial's rows round by round, once the trials ran. */
    private List<List<ResultRow>> runs = List.of();
    /** Lines printed after the paired ratios, made from the rounds: a preset's checks, else issue 24's. */
    private Function<List<List<ResultRow>>, List<String>> summary = BatchChecks::summary;

    /**
     * @param options the parsed command line
     */
    public BenchRunner(BenchOptions options) {
        this.options = options;
    }

    /**
     * Adds lines after the paired ratios, made from every trial's rows round by round (e.g. an issue's checks,
     * with {@link PairedRatios#pairs}).
     *
     * @param summary makes the lines
     */
    public void summary(Function<List<List<ResultRow>>, List<String>> summary) {
        this.summary = summary;
    }

    /** A backend with one of its trials, in run order. */
    private record Planned(Backend backend, int backendIndex, Trial trial) {
    }

    /**
     * Runs everything and prints the result.
     *
     * @throws Exception if the data file or the output cannot be prepared
     */
    public void run() throws Exception {
        MachineInfo machine = MachineInfo.read();
        String started = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
        Files.createDirectories(options.dir());
        Files.createDirectories(options.out());
        Path data = options.dir().resolve("i2o2-bench-" + (options.fileSize() >> 20) + "m.dat");
        BenchEnv env = new BenchEnv(data, options.fileSize(), options.dir().resolve("i2o2-bench-write.dat"),
                options.seconds(), options.fsyncEvery(), options.dir().resolve("work"));
        boolean needData = options.workloads().stream().anyMatch(Workload::readsDataFile);
        boolean needLock = options.workloads().stream().anyMatch(Workload::readsPageCache);

        Map<String, String> header = new LinkedHashMap<>();
        header.put("started", started);
        header.putAll(machine.asMap());
        header.put("trial", String.format(Locale.ROOT, "%.1f s, warm-up %.1f s (in-JVM backends, %s)%s",
                options.seconds().toNanos() / 1e9, options.warmup().toNanos() / 1e9,
                options.fork() ? "each trial in a JVM of its own" : "all in this one JVM: --fork no",
                options.repeat() > 1 ? "; each row the median of " + options.repeat() + " rounds" : ""));
        if (needData) {
            if (DataFile.ensure(data, options.fileSize())) {
                System.err.println("bench: wrote data file " + data + " (" + (options.fileSize() >> 20) + " MiB)");
            }
            header.put("data file", data + " (" + (options.fileSize() >> 20) + " MiB)");
            header.put("residency before", oneLine(Residency.report(data)));
        }
        List<ResultRow> rows;
        MemoryLock lock = needLock ? lock(data) : null;
        try {
            if (needLock) {
                header.put("locked by", lock == null ? "NOTHING: page-cache figures may include disk reads"
                        : lock.describe());
                header.put("residency locked", oneLine(Residency.report(data)));
            }
            rows = runAll(env);
            if (needData) {
                header.put("residency after", oneLine(Residency.report(data)));
            }
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
        double loadEnd = MachineInfo.loadNow();
        header.put("load average end", Double.toString(loadEnd));
        String busy = machine.busyWarning(Double.isNaN(loadEnd) ? machine.loadAtStart()
                : Math.max(loadEnd, machine.loadAtStart()));
        if (busy != null) {
            header.put("WARNING", busy);
        }
        rows = Ratios.apply(rows);
        List<String> noteLines = new ArrayList<>();
        notes.forEach((k, v) -> noteLines.add(k + " [" + String.join(", ", v) + "]"));

        StringBuilder out = new StringBuilder();
        header.forEach((k, v) -> out.append(String.format(Locale.ROOT, "%-17s %s%n", k + ":", v)));
        out.append('\n').append(ResultTable.render(rows));
        if (!paired.isEmpty()) {
            out.append(String.format(Locale.ROOT, "paired with %s (each round's ops/s over %s's in that round;"
                    + " median of the rounds):%n", options.peer(), options.peer()));
            paired.forEach(l -> out.append("  ").append(l).append('\n'));
        }
        List<String> extra = summary.apply(runs);
        if (!extra.isEmpty()) {
            out.append(extra.getFirst()).append('\n');
            extra.subList(1, extra.size()).forEach(l -> out.append("  ").append(l).append('\n'));
        }
        if (!noteLines.isEmpty()) {
            out.append("not run:\n");
            noteLines.forEach(n -> out.append("  ").append(n).append('\n'));
        }
        System.out.print(out);
        Files.writeString(options.out().resolve("table.txt"), out);
        ResultFiles.writeCsv(options.out().resolve("results.csv"), rows);
        ResultFiles.writeJson(options.out().resolve("results.json"), header, rows, noteLines);
        Files.writeString(options.out().resolve("chart.svg"),
                SvgChart.render("i2o2 bench " + started + " - " + machine.cpuModel() + ", " + machine.cores()
                        + " CPUs, kernel " + machine.kernel() + ", PTI: " + machine.pti(), rows));
        System.out.println("results: " + options.out().toAbsolutePath() + " (table.txt, results.csv, results.json,"
                + " chart.svg)");
    }

    private List<ResultRow> runAll(BenchEnv env) throws Exception {
        List<ResultRow> rows = new ArrayList<>();
        List<Backend> backends = new ArrayList<>();
        List<Planned> plan = new ArrayList<>();
        try {
            for (String name : options.backends()) {
                Backend b = BackendRegistry.create(name);
                backends.add(b);
                String why = b.unavailable(env);
                if (why != null) {
                    options.workloads().forEach(w -> rows.add(ResultRow.failed(name, w, null, why)));
                    continue;
                }
                for (Workload w : options.workloads()) {
                    for (Trial t : b.trials(w, options)) {
                        String no = b.unsupported(t);
                        if (no == null) {
                            plan.add(new Planned(b, backends.size() - 1, t));
                        } else {
                            notes.computeIfAbsent(name + ": " + no, k -> new ArrayList<>())
                                    .add(w.cliName() + " " + t.label());
                        }
                    }
                }
            }
            plan.sort(order(plan));
            // Repeats run round after round (the whole plan each time, every other round in reverse order: two
            // neighbours run A B, then B A), so that drift on a shared host spreads over every backend alike;
            // each row is then the run with the median ops/s.
            List<List<ResultRow>> runs = new ArrayList<>();
            plan.forEach(p -> runs.add(new ArrayList<>()));
            int total = plan.size() * options.repeat();
            try (ProgressLine progress = new ProgressLine()) {
                for (int round = 0, n = 0; round < options.repeat(); round++) {
                    for (int k = 0; k < plan.size(); k++) {
                        int i = runOrder(round, k, plan.size());
                        Planned p = plan.get(i);
                        String label = String.format(Locale.ROOT, "[%d/%d] %s %s %s", ++n, total,
                                p.backend().name(), p.trial().workload().cliName(), p.trial().label());
                        ResultRow row = runOne(p, env, label, progress);
                        runs.get(i).add(row);
                        progress.lastResult(row.measurement() == null ? p.backend().name() + " failed"
                                : p.backend().name() + " " + p.trial().label() + " "
                                + String.format(Locale.ROOT, "%.0f/s", row.measurement().opsPerSecond()));
                    }
                }
            }
            runs.forEach(r -> rows.add(median(r)));
            if (options.peer() != null) {
                paired = PairedRatios.render(runs, options.peer());
            }
            this.runs = runs;
        } finally {
            for (Backend b : backends) {
                b.close();
            }
        }
        // Table order: workload as asked, then family, point, backend (the run order), unavailable rows last.
        List<ResultRow> ordered = new ArrayList<>();
        for (Workload w : options.workloads()) {
            rows.stream().filter(r -> r.workload() == w && r.trial() != null).forEach(ordered::add);
            rows.stream().filter(r -> r.workload() == w && r.trial() == null).forEach(ordered::add);
        }
        return ordered;
    }

    private ResultRow runOne(Planned p, BenchEnv env, String label, ProgressLine progress) {
        Backend b = p.backend();
        Trial t = p.trial();
        try {
            if (b.needsWarmup() && options.fork()) {
                progress.trial(label + " (own JVM, warm-up first)", options.warmup().toNanos() + env.durationNanos());
                prepare(t, env);
                return ResultRow.measured(b.name(), t, TrialProcess.run(b.name(), t, env, options.warmup()));
            }
            if (b.needsWarmup() && !options.warmup().isZero()) {
                progress.trial(label + " (warm-up)", options.warmup().toNanos());
                warmUp(b, t, env, options.warmup());
            }
            progress.trial(label, env.durationNanos());
            prepare(t, env);
            return ResultRow.measured(b.name(), t, b.run(t, env));
        } catch (Exception e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            return ResultRow.failed(b.name(), t.workload(), t, "failed: " + msg.lines().findFirst().orElse(""));
        }
    }

    /** The plan entry run {@code k}-th in {@code round}: the plan's order, reversed in every odd round. */
    static int runOrder(int round, int k, int planSize) {
        return round % 2 == 0 ? k : planSize - 1 - k;
    }

    /**
     * The run with the median ops/s among a trial's repeats, noting the spread; a failed repeat is the row
     * if any failed (a trial that fails sometimes must not look fine).
     */
    static ResultRow median(List<ResultRow> repeats) {
        if (repeats.size() == 1) {
            return repeats.getFirst();
        }
        for (ResultRow r : repeats) {
            if (r.measurement() == null) {
                return r;
            }
        }
        List<ResultRow> sorted = new ArrayList<>(repeats);
        sorted.sort(Comparator.comparingDouble(r -> r.measurement().opsPerSecond()));
        ResultRow mid = sorted.get((sorted.size() - 1) / 2);
        String spread = String.format(Locale.ROOT, "median of %d, %s-%s ops/s", sorted.size(),
                Format.rate(sorted.getFirst().measurement().opsPerSecond()),
                Format.rate(sorted.getLast().measurement().opsPerSecond()));
        return ResultRow.measured(mid.backend(), mid.trial(), mid.measurement().withNote(spread));
    }

    /**
     * Warms a backend up for a trial in two runs, each set up and torn down as the measured one will be:
     * the first for all but the last second (or the last half, if shorter), then the rest. Why two: the
     * first teardown (a loop shutting down, a file closing) takes branches the hot code never took, and C2
     * throws away whatever it compiled on the assumption they were never taken (LogCompilation, 2026-12-02:
     * a dozen {@code unstable_if} traps in the completion and submission paths as the warm-up's loop shut
     * down). With one warm-up run that happened as the measured run started, which then spent 0.3-1.3 s in
     * the interpreter and C1 until C2 had compiled it again: 0.6 M and 0.8 M ops/s from one build. The
     * second run is recompiled with those branches in its profile, and its teardown leaves the code alone.
     *
     * @param b      the backend
     * @param t      the trial
     * @param env    the run's files
     * @param warmup the whole warm-up; zero for none
     * @throws Exception if a warm-up run failed
     */
    static void warmUp(Backend b, Trial t, BenchEnv env, Duration warmup) throws Exception {
        if (warmup.isZero()) {
            return;
        }
        Duration half = warmup.dividedBy(2);
        Duration second = half.compareTo(SECOND_WARMUP) < 0 ? half : SECOND_WARMUP;
        for (Duration part : List.of(warmup.minus(second), second)) {
            prepare(t, env);
            b.run(t, env.withDuration(part));
        }
    }

    /** Every seqwrite trial starts from the same empty, sparse scratch file. */
    static void prepare(Trial t, BenchEnv env) throws IOException {
        if (t.workload() == Workload.SEQWRITE) {
            DataFile.resetScratch(env.writeFile(), env.fileSize());
        }
    }

    /** Run order: workload, family (first seen first), concurrency, then backend. */
    private Comparator<Planned> order(List<Planned> plan) {
        List<String> families = new ArrayList<>();
        plan.forEach(p -> {
            if (!families.contains(p.trial().familyKey())) {
                families.add(p.trial().familyKey());
            }
        });
        return Comparator.<Planned>comparingInt(p -> options.workloads().indexOf(p.trial().workload()))
                .thenComparingInt(p -> families.indexOf(p.trial().familyKey()))
                .thenComparingInt(p -> p.trial().crossThread() ? p.trial().threads() : p.trial().qd())
                .thenComparingInt(p -> p.trial().qd())
                .thenComparingInt(p -> p.trial().kind().ordinal())
                .thenComparingInt(Planned::backendIndex);
    }

    /** Locks the data file as asked, falling back from vmtouch to mlock; null (and a warning) if neither. */
    private MemoryLock lock(Path data) {
        String how = options.lock();
        if (how.equals("none")) {
            System.err.println("bench: WARNING: --lock none: page-cache reads may quietly become disk reads");
            return null;
        }
        if (how.equals("vmtouch")) {
            String missing = Packages.ensure("vmtouch", () -> Command.onPath("vmtouch"));
            if (missing == null) {
                try {
                    return VmtouchLock.start(data, options.fileSize());
                } catch (IOException e) {
                    System.err.println("bench: vmtouch lock failed (" + e.getMessage() + "), trying mlock");
                }
            } else {
                System.err.println("bench: " + missing + "; locking with mmap + mlock instead");
            }
        }
        try {
            return MlockLock.start(data);
        } catch (IOException | RuntimeException e) {
            System.err.println("bench: WARNING: could not lock " + data + " in memory: " + e.getMessage());
            return null;
        }
    }

    private static String oneLine(String fincore) {
        List<String> lines = fincore.lines().toList();
        return lines.isEmpty() ? "" : lines.getLast().strip().replaceAll("\\s+", " ") + "  (RES PAGES SIZE FILE)";
    }
}
