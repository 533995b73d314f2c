package io.i2o2.bench.peer;

import io.i2o2.bench.Backend;
import io.i2o2.bench.BenchEnv;
import io.i2o2.bench.BenchOptions;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.ThreadKind;
import io.i2o2.bench.Trial;
import io.i2o2.bench.TrialPlan;
import io.i2o2.bench.Workload;
import io.i2o2.bench.sys.Command;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference: the project's own C liburing loop (see {@code uring_peer.c}), run as a child process for
 * each trial. Ring flags {@code SINGLE_ISSUER | DEFER_TASKRUN}. Its CPU time is its own getrusage over the
 * timed loop; its latencies use the same histogram buckets as the Java side.
 */
public final class CLiburingBackend implements Backend {
    /** The most producer threads the C hand-over runs (its queues are sized for it). */
    private static final int MAX_PRODUCERS = 256;

    private Path binary;

    /** Creates the backend; the C program is compiled on first use. */
    public CLiburingBackend() {
    }

    @Override
    public String name() {
        return "c-liburing";
    }

    @Override
    public String unavailable(BenchEnv env) {
        try {
            binary = CPeerBuild.ensure(env.workDir());
            return null;
        } catch (IOException e) {
            return "C peer skipped: " + e.getMessage();
        }
    }

    @Override
    public List<Trial> trials(Workload workload, BenchOptions options) {
        return TrialPlan.ring(workload, options);
    }

    @Override
    public String unsupported(Trial trial) {
        if (trial.kind() == ThreadKind.VIRTUAL) {
            return "C has no virtual threads";
        }
        if (trial.threads() > MAX_PRODUCERS) {
            return "the C hand-over runs at most " + MAX_PRODUCERS + " producer threads";
        }
        if (trial.workload() == Workload.RANDREAD_XT) {
            return "the C hand-over carries NOPs only";
        }
        if (trial.registered() && trial.workload() == Workload.SEQWRITE) {
            return "registered writes are not implemented in the C peer";
        }
        return null;
    }

    @Override
    public boolean needsWarmup() {
        return false;   // compiled code: nothing to warm up
    }

    @Override
    public Measurement run(Trial trial, BenchEnv env) throws Exception {
        Workload w = trial.workload();
        List<String> argv = new ArrayList<>(List.of(binary.toString(),
                "--mode", w == Workload.NOP ? "nop" : w == Workload.SEQWRITE ? "seqwrite" : "randread",
                "--qd", Integer.toString(trial.qd()),
                "--threads", Integer.toString(trial.threads()),
                "--seconds", Double.toString(env.durationNanos() / 1e9)));
        if (w != Workload.NOP) {
            Path file = w == Workload.SEQWRITE ? env.writeFile() : env.dataFile();
            argv.addAll(List.of("--file", file.toString(), "--file-size", Long.toString(env.fileSize()),
                    "--bs", Integer.toString(w.blockSize()),
                    "--fixed", trial.registered() ? "1" : "0",
                    "--direct", w.direct() ? "1" : "0",
                    "--fsync-every", Integer.toString(env.fsyncEvery())));
        }
        Command c = Command.run(env.duration().toSeconds() + 60, argv);
        if (!c.ok()) {
            throw new IOException("uring_peer exited " + c.exitCode() + ": " + c.errorTail());
        }
        return parse(c.stdout());
    }

    /**
     * Reads the peer's {@code RESULT key=value ...} line.
     *
     * @param stdout the program's output
     * @return the measurement
     * @throws IOException if there is no result line
     */
    static Measurement parse(String stdout) throws IOException {
        String line = stdout.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new IOException("no RESULT line in: " + stdout.strip()));
        Map<String, String> kv = new HashMap<>();
        for (String part : line.substring("RESULT ".length()).trim().split("\\s+")) {
            int eq = part.indexOf('=');
            kv.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return new Measurement(Long.parseLong(kv.get("ops")),
                (long) (Double.parseDouble(kv.get("seconds")) * 1e9),
                (long) (Double.parseDouble(kv.get("cpu_s")) * 1e9),
                Long.parseLong(kv.get("p50_ns")), Long.parseLong(kv.get("p99_ns")),
                Long.parseLong(kv.get("p999_ns")), "");
    }
}
