package io.i2o2.bench;

import io.i2o2.bench.sys.Command;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One trial of an in-JVM backend in a JVM of its own, as JMH forks: the warm-up and the measured run share
 * that JVM, and nothing else ran in it. In one shared JVM a backend ran on the JIT's profile of the ones
 * before it (Netty's loop, our core and the drivers are shared code, and a call site that saw two
 * receivers compiles slower for both): measured 2026-12-02, our reads on Netty's loop were 0.77-0.86x Netty's
 * raw reads run after them in one JVM and 0.94-0.97x each in its own.
 *
 * <p>The parent passes the trial and the run's environment as arguments ({@link #command}); the child
 * prints one line starting with {@link #RESULT} (or {@link #FAILURE}) on its standard output, which the
 * parent parses ({@link #parse}); everything else the child writes goes to the parent's standard error
 * once it is done ({@link Command} runs it).
 */
public final class TrialProcess {
    /** The prefix of the child's result line. */
    static final String RESULT = "i2o2-bench-result ";
    /** The prefix of the child's failure line. */
    static final String FAILURE = "i2o2-bench-failure ";
    /** How long a child may run beyond its warm-up and trial before it counts as hung. */
    private static final Duration GRACE = Duration.ofSeconds(90);

    private TrialProcess() {
    }

    /**
     * Runs {@code trial} of {@code backend} in a new JVM: a warm-up of {@code warmup} (none if zero), then
     * the measured run.
     *
     * @param backend the backend's canonical name
     * @param trial   the trial
     * @param env     the run's files and trial length
     * @param warmup  the warm-up length
     * @return what the trial measured
     * @throws Exception if the child failed (its message), hung or printed no result
     */
    public static Measurement run(String backend, Trial trial, BenchEnv env, Duration warmup) throws Exception {
        long limit = env.duration().plus(warmup).plus(GRACE).toSeconds();
        Command child = Command.run(limit, command(backend, trial, env, warmup));
        if (!child.stderr().isEmpty()) {
            System.err.print(child.stderr());
        }
        if (child.exitCode() == -1) {
            throw new IOException("trial JVM still running after " + limit + " s: killed");
        }
        List<String> lines = new ArrayList<>();
        for (String line : child.stdout().lines().toList()) {
            if (line.startsWith(RESULT) || line.startsWith(FAILURE)) {
                lines.add(line);
            } else {
                System.err.println(line);
            }
        }
        return parse(lines, child.exitCode());
    }

    /**
     * The child's command line: this JVM's own launcher, JVM options and class path, then the trial.
     *
     * @param backend the backend's canonical name
     * @param trial   the trial
     * @param env     the run's environment
     * @param warmup  the warm-up length
     * @return the command
     */
    static List<String> command(String backend, Trial trial, BenchEnv env, Duration warmup) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // -D settings (io.i2o2.*, io.netty.*), --enable-native-access, a profiler agent: the child gets them all.
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TrialProcess.class.getName());
        cmd.addAll(List.of(backend, trial.workload().cliName(), Integer.toString(trial.qd()),
                Integer.toString(trial.threads()), trial.kind().name(), Boolean.toString(trial.registered()),
                env.dataFile().toString(), Long.toString(env.fileSize()), env.writeFile().toString(),
                Long.toString(env.durationNanos()), Integer.toString(env.fsyncEvery()), env.workDir().toString(),
                Long.toString(warmup.toNanos()), Integer.toString(trial.loops()), Integer.toString(trial.batch())));
        return cmd;
    }

    /**
     * What a child's output lines and exit status say.
     *
     * @param lines    its result or failure lines
     * @param exitCode its exit status
     * @return the measurement
     * @throws IOException if it failed or printed no result
     */
    static Measurement parse(List<String> lines, int exitCode) throws IOException {
        for (String line : lines) {
            if (line.startsWith(FAILURE)) {
                throw new IOException(line.substring(FAILURE.length()));
            }
        }
        for (String line : lines) {
            if (line.startsWith(RESULT)) {
                String[] f = line.substring(RESULT.length()).split(" ", 7);
                if (f.length < 6) {
                    throw new IOException("malformed trial result: " + line);
                }
                return new Measurement(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                        Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]), f.length > 6 ? f[6] : "");
            }
        }
        throw new IOException("trial JVM exited with status " + exitCode + " and no result");
    }

    /**
     * The child: runs one trial and prints its result line.
     *
     * @param args what {@link #command} passes
     */
    public static void main(String[] args) {
        int status = 0;
        try (Backend b = BackendRegistry.create(args[0])) {
            Trial trial = new Trial(Workload.parse(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    ThreadKind.valueOf(args[4]), Boolean.parseBoolean(args[5]), Integer.parseInt(args[13]),
                    Integer.parseInt(args[14]));
            BenchEnv env = new BenchEnv(Path.of(args[6]), Long.parseLong(args[7]), Path.of(args[8]),
                    Duration.ofNanos(Long.parseLong(args[9])), Integer.parseInt(args[10]), Path.of(args[11]));
            BenchRunner.warmUp(b, trial, env, Duration.ofNanos(Long.parseLong(args[12])));
            BenchRunner.prepare(trial, env);
            Measurement m = b.run(trial, env);
            System.out.println(RESULT + m.ops() + " " + m.wallNanos() + " " + m.cpuNanos() + " " + m.p50Nanos()
                    + " " + m.p99Nanos() + " " + m.p999Nanos() + " " + m.note().replace('\n', ' '));
        } catch (Throwable t) {
            String msg = t.getMessage() == null ? t.toString() : t.getMessage();
            System.out.println(FAILURE + msg.lines().findFirst().orElse(""));
            t.printStackTrace();
            status = 1;
        }
        System.out.flush();
        // Netty's and the JDK's pools may keep non-daemon threads around for a while: the trial is over.
        System.exit(status);
    }
}
