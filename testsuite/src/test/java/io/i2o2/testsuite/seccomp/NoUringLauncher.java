package io.i2o2.testsuite.seccomp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The no-uring launcher ({@code src/test/c/no-uring.c}): compiled with {@code gcc} into
 * {@code target/seccomp/} once per JVM, then checked once: a child JVM started through it must see
 * io_uring_setup, io_uring_enter and io_uring_register fail with EPERM ({@link IoUringCallsMain}), or no test
 * that relies on it could mean anything.
 *
 * <p>Without {@code gcc} the tests that need it are skipped, loudly; in CI ({@code CI=true}) they fail
 * instead, since a CI machine that cannot build the launcher has lost the seccomp coverage.
 */
public final class NoUringLauncher {
    private static Path verified;

    private NoUringLauncher() {
    }

    /** The launcher's executable, built and proven to refuse the io_uring calls with EPERM. */
    public static synchronized Path verified() {
        if (verified == null) {
            Path launcher = build();
            checkFilter(launcher);
            verified = launcher;
        }
        return verified;
    }

    /** The testsuite module's directory: Surefire's {@code i2o2.testsuite.dir}, else the working directory. */
    static Path moduleDir() {
        String dir = System.getProperty("i2o2.testsuite.dir");
        return dir != null ? Path.of(dir) : Path.of("").toAbsolutePath();
    }

    private static Path build() {
        Path source = moduleDir().resolve("src/test/c/no-uring.c");
        Path out = moduleDir().resolve("target/seccomp/no-uring");
        String gcc = onPath("gcc");
        if (gcc == null) {
            String reason = "gcc is not installed, so the no-uring seccomp launcher (" + source + ") cannot be"
                    + " built and nothing runs under a real seccomp filter (apt-get install gcc)";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI=true: " + reason);
            }
            Skips.loudly(reason);
        }
        try {
            Files.createDirectories(out.getParent());
            // Built beside its final name and moved into place in one step: forked test JVMs may build at
            // once, and none may run a half-written executable.
            Path part = Files.createTempFile(out.getParent(), "no-uring", ".part");
            Process p = new ProcessBuilder(gcc, "-O2", "-Wall", "-Wextra", "-Werror", "-o", part.toString(),
                    source.toString()).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                Files.deleteIfExists(part);
                throw new AssertionError("gcc could not build " + source + ":\n" + said);
            }
            Files.move(part, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot build " + out + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while building " + out, e);
        }
    }

    /** A child JVM under the filter must see exactly what Docker's profile gives: EPERM, from all three. */
    private static void checkFilter(Path launcher) {
        try (ChildJvm child = ChildJvm.start(List.of(launcher.toString()), IoUringCallsMain.class.getName())) {
            int status = child.awaitExit(Duration.ofSeconds(60));
            if (status != 0 || !refusedAll(child.output())) {
                throw new AssertionError("the no-uring seccomp filter does not work here: a child JVM under it"
                        + " did not see the io_uring calls fail with EPERM; " + child.describe());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while checking the seccomp filter", e);
        }
    }

    /** Whether {@link IoUringCallsMain} saw EPERM from each of the three calls. */
    static boolean refusedAll(String output) {
        for (String call : new String[] {"io_uring_setup", "io_uring_enter", "io_uring_register"}) {
            if (!output.contains(call + ": errno 1 EPERM")) {
                return false;
            }
        }
        return true;
    }

    private static String onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
