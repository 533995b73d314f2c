package io.i2o2.testsuite.nvme;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The two library modules' own unit suites ({@code transport-iouring-native}, {@code transport-iouring-file}),
 * run again inside a guest of an older kernel (default 6.1, the oldest Debian serves): the host only proves them
 * on its own kernel, and a test that assumes the host's features fails here. Uses the classes the reactor build
 * already compiled ({@code ../MODULE/target/test-classes}, read through the guest's read-only view of the host's
 * root) and this module's test classpath, which holds both modules' dependencies and the JUnit Console Launcher.
 * Each module runs in its own guest JVM with its module folder as the working directory, as Surefire runs it.
 *
 * <p>Left out in the guest: {@code AllocationTest} (bytes allocated per operation), a property of C2's escape
 * analysis and not of the kernel; the guest JVM runs C1 only (TCG makes C2 cost more than it wins) where the
 * test fails by design, and it took 330 of the suites' 470 guest seconds. It runs on the host. And
 * {@code KillSwitchTest}, which starts two child JVMs to test a system property: a JVM start is seconds under
 * TCG, and the switch is the library's, not the kernel's. The races of {@code ReleasedBufferRaceTest} and
 * {@code LoopEndTest} run at a tenth and a quarter of their host size: their point is the interleavings, which
 * the host runs in full.
 *
 * <p>Fails as {@link NvmeGuestIT} does: a test failure names the tests; a guest that did not report is an
 * "infrastructure failure"; a run where nothing ran fails. Prints each skipped test with its reason (what the
 * kernel lacks). System properties: {@code i2o2.guest.libraryKernel} (6.1 or 6.12, default 6.1),
 * {@code i2o2.guest.cache}, {@code i2o2.guest.libraryOut}.
 */
class LibraryGuestIT {
    private static final int GUEST_LIMIT_SECONDS = 600;
    /** Surefire's argLine for these modules (parent pom's i2o2.jvm.args, the file module's i2o2.test.args). */
    private static final String SUREFIRE_ARGS = "--enable-native-access=ALL-UNNAMED"
            + " -Dio.netty.leakDetection.level=paranoid -XX:+EnableDynamicAgentLoading"
            + " --add-opens java.base/sun.nio.ch=ALL-UNNAMED"
            // Races whose point is the interleavings, not the kernel: the host runs them in full.
            + " -Di2o2.test.raceTries=1000 -Di2o2.test.shutdownRounds=2"
            // The portable engine as its own group only: attached to a NIO loop it runs the same system calls
            // (the host runs both).
            + " -Di2o2.test.portableGroups=PORTABLE";
    private static final List<String> MODULES = List.of("transport-iouring-native", "transport-iouring-file");
    /** Class-name patterns the guest run leaves out, and why (see the class comment). */
    private static final String EXCLUDED = ".*\\.(AllocationTest|KillSwitchTest)";

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void libraryUnitSuitesPassInsideTheOldKernelGuest() throws Exception {
        Path suiteDir = Path.of(System.getProperty("i2o2.testsuite.dir", System.getProperty("user.dir")))
                .toAbsolutePath();
        Path root = suiteDir.getParent();
        Path out = Path.of(System.getProperty("i2o2.guest.libraryOut",
                suiteDir.resolve("target/library-guest").toString())).toAbsolutePath();
        String kernel = System.getProperty("i2o2.guest.libraryKernel", "6.1");
        Path script = suiteDir.resolve("guest/run-in-guest.sh");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        Map<String, Path> testClasses = new LinkedHashMap<>();
        for (String module : MODULES) {
            Path dir = root.resolve(module).resolve("target/test-classes");
            if (!Files.isDirectory(dir.resolve("io/i2o2"))) {
                fail("guest infrastructure failure: " + dir + " holds no compiled tests: build the reactor"
                        + " (./i2o2 test, or mvn verify from the root), which compiles them before this module");
            }
            testClasses.put(module, dir);
        }
        String classpath = NvmeGuestIT.guestClasspath(suiteDir);
        NvmeGuestIT.checkVisibleInGuest(classpath + ":" + java + ":" + script + ":" + root);
        NvmeGuestIT.deleteRecursively(out);
        Files.createDirectories(out);
        Path suite = out.resolve("guest-suite.sh");
        Files.writeString(suite, guestSuite(java, root, out, testClasses, classpath));

        List<String> command = new ArrayList<>(List.of("bash", script.toString(), "-k", kernel, "-o",
                out.toString(), "-t", Integer.toString(GUEST_LIMIT_SECONDS)));
        String cache = System.getProperty("i2o2.guest.cache");
        if (cache != null && !cache.isBlank()) {
            command.addAll(List.of("-c", cache));
        }
        command.addAll(List.of("--", "bash", suite.toString()));
        Path log = out.resolveSibling(out.getFileName() + ".log");
        System.out.println("library suites in the guest: " + String.join(" ", command));
        long t0 = System.nanoTime();
        int rc = NvmeGuestIT.runHarness(command, log, GUEST_LIMIT_SECONDS);
        double wall = (System.nanoTime() - t0) / 1e9;
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        judge(rc, out, output, kernel, wall);
    }

    /** One Console Launcher run per module, in the module's folder, each with its own report folder. */
    private static String guestSuite(String java, Path root, Path out, Map<String, Path> testClasses,
                                     String classpath) throws Exception {
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n# Written by LibraryGuestIT; runs inside the guest, in ").append(out).append(".\n");
        s.append("set -u\nrc=0\n");
        for (Map.Entry<String, Path> m : testClasses.entrySet()) {
            String module = m.getKey();
            Path args = out.resolve(module + ".args");
            // This module's tests first, then the rest of the classpath (dependencies, the launcher).
            Files.writeString(args, "-cp " + NvmeGuestIT.quote(m.getValue() + ":" + classpath) + "\n");
            s.append("cd ").append(NvmeGuestIT.quote(root.resolve(module).toString())).append(" || exit 3\n");
            s.append("t0=$(date +%s)\n");
            // C1 only, serial GC, no perf data: as NvmeGuestIT (the guest is ~10x slower than the host).
            s.append(NvmeGuestIT.quote(java)).append(' ').append(SUREFIRE_ARGS)
                    .append(" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xmx512m")
                    .append(" -Djava.io.tmpdir=/dev/shm")
                    .append(" -XX:ErrorFile=").append(NvmeGuestIT.quote(out + "/hs_err_pid%p.log"))
                    .append(" @").append(NvmeGuestIT.quote(args.toString()))
                    .append(" org.junit.platform.console.ConsoleLauncher execute")
                    .append(" --scan-classpath ").append(NvmeGuestIT.quote(m.getValue().toString()))
                    .append(" --exclude-classname '").append(EXCLUDED).append('\'')
                    .append(" --reports-dir ").append(NvmeGuestIT.quote(out + "/junit-" + module))
                    .append(" --disable-banner --disable-ansi-colors --details=summary --fail-if-no-tests")
                    .append(" > ").append(NvmeGuestIT.quote(out + "/" + module + ".txt")).append(" 2>&1\n");
            s.append("r=$?\necho \"").append(module).append(": exit $r after $(( $(date +%s) - t0 )) s\"\n");
            s.append("tail -n 12 ").append(NvmeGuestIT.quote(out + "/" + module + ".txt")).append('\n');
            s.append("[ $r = 0 ] || rc=$r\n");
        }
        s.append("exit $rc\n");
        return s.toString();
    }

    private static void judge(int rc, Path out, String output, String kernel, double wall) throws Exception {
        Map<String, String> summary = NvmeGuestIT.readSummary(out.resolve("guest-summary"));
        String where = "kernel " + summary.getOrDefault("kernel", kernel) + " (" + summary.getOrDefault("package", "?")
                + ")";
        String timing = String.format(Locale.ROOT, "guest up after %s s, guest run %s s, whole run %.0f s",
                summary.getOrDefault("boot_s", "?"), summary.getOrDefault("run_s", "?"), wall);
        System.out.println("library suites in the guest on " + where + ": " + summary.getOrDefault("verdict", "?")
                + "; " + timing);
        List<String> crashes = NvmeGuestIT.hsErrFiles(out);
        if (rc == 2 || rc == 3) {
            fail("guest infrastructure failure: host setup (run-in-guest.sh exit " + rc + "): "
                    + NvmeGuestIT.tail(output, 8));
        }
        if (rc != 0 && rc != 1) {
            fail("guest infrastructure failure (" + summary.getOrDefault("verdict", "exit " + rc) + ") on " + where
                    + ", " + timing + (crashes.isEmpty() ? "" : "; JVM crash logs: " + crashes)
                    + "; last console lines:\n" + NvmeGuestIT.tail(NvmeGuestIT.readOrEmpty(out.resolve("console.log")), 15));
        }
        List<String> problems = new ArrayList<>();
        int ran = 0;
        for (String module : MODULES) {
            NvmeGuestIT.Report r = NvmeGuestIT.readReports(out.resolve("junit-" + module));
            if (r == null) {
                fail((crashes.isEmpty() ? "guest infrastructure failure: " : "guest JVM crashed: ") + module
                        + " wrote no JUnit report on " + where + (crashes.isEmpty() ? "" : "; crash logs: " + crashes)
                        + "\n" + NvmeGuestIT.tail(output, 15));
            }
            System.out.printf("%s on %s: %d tests, %d passed, %d failed, %d errors, %d skipped%n", module, where,
                    r.tests(), r.tests() - r.failures() - r.errors() - r.skipped(), r.failures(), r.errors(),
                    r.skipped());
            r.skips().forEach(skip -> System.out.println("  skipped " + skip));
            r.problems().forEach(p -> problems.add(module + ": " + p));
            ran += r.tests() - r.skipped();
        }
        if (!problems.isEmpty()) {
            fail("library tests failed inside the guest on " + where + ": " + problems.size()
                    + (crashes.isEmpty() ? "" : " (JVM crash logs: " + crashes + ")") + "\n  "
                    + String.join("\n  ", problems));
        }
        if (ran == 0) {
            fail("no library test ran inside the guest on " + where);
        }
        if (rc != 0) {
            fail("the guest command failed (status " + summary.getOrDefault("exit_status", "?") + ") on " + where
                    + " although its tests passed\n" + NvmeGuestIT.tail(output, 10));
        }
    }
}
