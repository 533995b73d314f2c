package io.i2o2.testsuite.seccomp;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child JVM running a main class from this test class path, with or without the no-uring seccomp filter,
 * its standard output and error captured together. Every wait has a timeout, and every failure message
 * carries what the child printed: a child that dies under the filter must say why in the test report.
 */
public final class ChildJvm implements AutoCloseable {
    private final List<String> command;
    private final Process process;
    private final StringBuilder output = new StringBuilder();
    /** Set, under the lock of {@link #output}, once the child's output ended (it exited or closed it). */
    private boolean outputEnded;
    private final Thread reader;

    private ChildJvm(List<String> command, Path workDir) {
        this.command = List.copyOf(command);
        try {
            this.process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        // Drained as it comes, so a chatty child never blocks on a full pipe, and a wait can look at it.
        this.reader = Thread.ofPlatform().daemon().name("child-jvm-output-" + process.pid()).start(this::collect);
    }

    /**
     * Starts {@code mainClass} under the seccomp filter that refuses io_uring (after checking, once per JVM,
     * that the filter does refuse it: {@link NoUringLauncher#verified()}).
     */
    public static ChildJvm underFilter(String mainClass, String... args) {
        return start(List.of(NoUringLauncher.verified().toString()), mainClass, args);
    }

    /** Starts {@code mainClass} as {@link #underFilter} does, but without the filter. */
    public static ChildJvm withoutFilter(String mainClass, String... args) {
        return start(List.of(), mainClass, args);
    }

    /**
     * {@code prefix} (the launcher, or nothing) then this JVM's {@code java} with the test class path. Runs
     * in this JVM's working directory (the testsuite module under Maven), so relative paths mean the same.
     */
    static ChildJvm start(List<String> prefix, String mainClass, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(javaExecutable());
        // What ./i2o2 gives its programs: FFM without a warning or a refusal.
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return new ChildJvm(command, Path.of("").toAbsolutePath());
    }

    /** The {@code java} running this JVM (Surefire's fork: the JDK the build chose), else java.home's. */
    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** What the child printed so far (standard output and error, interleaved as written). */
    public String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /**
     * Waits for the output to match {@code pattern} and returns the match; fails, with {@code what} and the
     * output, if the child exits first or {@code timeout} passes.
     */
    public Matcher awaitOutput(Pattern pattern, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (output) {
            while (true) {
                Matcher m = pattern.matcher(output);
                if (m.find()) {
                    return m;
                }
                long left = deadline - System.nanoTime();
                if (outputEnded) {
                    process.waitFor(5, TimeUnit.SECONDS);   // the output ended: the exit status is near
                    throw new AssertionError(what + ": the child ended its output"
                            + exitNote() + " without printing /" + pattern + "/; " + describe());
                }
                if (left <= 0) {
                    throw new AssertionError(what + ": not within " + timeout.toSeconds() + " s; " + describe());
                }
                output.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /**
     * Waits for the child to exit and returns its status, with all its output read; kills it and fails, with
     * the output, if it runs longer than {@code timeout}.
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            reader.join(5_000);
            throw new AssertionError("the child did not exit within " + timeout.toSeconds() + " s (killed); "
                    + describe());
        }
        reader.join(5_000);
        return process.exitValue();
    }

    /** The command and what it printed, for a failure message. */
    public String describe() {
        return "child JVM: " + String.join(" ", shortCommand()) + exitNote() + "\n----- its output -----\n"
                + output() + "\n----- end of its output -----";
    }

    /**
     * Stops the child (SIGTERM, then SIGKILL after 10 s) and waits for it. Interrupted, it kills the child at
     * once and keeps the interrupt: no child may outlive its test.
     */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
            reader.join(5_000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String exitNote() {
        return process.isAlive() ? " (still running)" : " (exit status " + process.exitValue() + ")";
    }

    /** The command with the class path, hundreds of jars long, left out. */
    private List<String> shortCommand() {
        List<String> c = new ArrayList<>(command);
        int cp = c.indexOf("-cp");
        if (cp >= 0 && cp + 1 < c.size()) {
            c.set(cp + 1, "<the test class path>");
        }
        return c;
    }

    private void collect() {
        char[] chunk = new char[8192];
        try (Reader in = new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)) {
            for (int n; (n = in.read(chunk)) != -1; ) {
                synchronized (output) {
                    output.append(chunk, 0, n);
                    output.notifyAll();
                }
            }
        } catch (IOException e) {
            synchronized (output) {
                output.append("\n[reading the child's output failed: ").append(e).append(']');
            }
        } finally {
            synchronized (output) {
                outputEnded = true;
                output.notifyAll();
            }
        }
    }
}
