package io.i2o2.bench.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external program to completion and keeps what it printed.
 *
 * @param exitCode the exit status (-1 if it was killed for running too long)
 * @param stdout   what it printed on standard output
 * @param stderr   what it printed on standard error
 */
public record Command(int exitCode, String stdout, String stderr) {

    /**
     * Runs a program and waits for it.
     *
     * @param timeoutSeconds after this long the program is killed
     * @param argv           the program and its arguments
     * @return what happened
     * @throws IOException if it could not be started
     */
    public static Command run(long timeoutSeconds, List<String> argv) throws IOException {
        // Output goes to files, not pipes: a chatty program can never block on a full pipe buffer.
        Path out = Files.createTempFile("i2o2-bench-", ".out");
        Path err = Files.createTempFile("i2o2-bench-", ".err");
        try {
            Process p = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            int code;
            try {
                if (p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    code = p.exitValue();
                } else {
                    p.destroyForcibly();
                    p.waitFor();
                    code = -1;
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + argv.getFirst(), e);
            }
            return new Command(code, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * Runs a program and waits for it.
     *
     * @param timeoutSeconds after this long the program is killed
     * @param argv           the program and its arguments
     * @return what happened
     * @throws IOException if it could not be started
     */
    public static Command run(long timeoutSeconds, String... argv) throws IOException {
        return run(timeoutSeconds, List.of(argv));
    }

    /** Whether it exited with status 0. */
    public boolean ok() {
        return exitCode == 0;
    }

    /**
     * Whether a program of that name is on the PATH.
     *
     * @param name e.g. {@code fio}
     * @return true if found
     */
    public static boolean onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
                return true;
            }
        }
        return false;
    }

    /** The last few lines of standard error, for a one-line failure message. */
    public String errorTail() {
        String s = (stderr.isBlank() ? stdout : stderr).strip();
        String[] lines = s.split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }
}
