package io.i2o2.testsuite.nvme;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Boots the NVMe guest ({@code testsuite/guest/run-in-guest.sh}: Debian kernel under QEMU/TCG with an emulated
 * NVMe controller, one polled queue, a zoned namespace 2, a namespace 3 formatted with metadata) and runs
 * {@link NvmeRingGuestTest}, {@link NvmeNamespaceGuestTest}, {@link NvmeZonedGuestTest},
 * {@link NvmeIopollGuestTest}, {@link NvmeIopollLoopGuestTest}, {@link NvmeVectoredGuestTest} and
 * {@link NvmeMetadataGuestTest} inside it with this JVM's JDK and this module's test classpath, through the
 * JUnit Platform Console Launcher, once per kernel series: 6.12 and 6.1 (the oldest Debian serves), each in its
 * own guest. The guest writes its JUnit XML report to {@code target/nvme-guest-SERIES/junit}; this test reads it
 * back. The API-level classes (namespace, zoned, vectored, metadata) run once per {@link GuestEngine}: on the
 * passthrough ring and on the portable engine (the NVMe driver's ioctls from worker threads); the ring-level and
 * IOPOLL classes test the ring itself and run once. The output counts the guest's tests per engine, and a failure
 * names its engine.
 *
 * <p>Fails when a guest test failed, and also when the guest tests did not report: the message then starts with
 * "guest infrastructure failure" (kernel panic, boot or mount failure, time limit, host setup) or "guest JVM
 * crashed" (its {@code hs_err_pid*.log} is kept in {@code target/nvme-guest-SERIES}), so a broken harness is never
 * mistaken for a passing or a failing test. Prints the guest kernel, the timings and the guest's test counts.
 *
 * <p>System properties (from {@code -D} on the Maven command line): {@code i2o2.guest.kernel} (the series, comma
 * separated: default {@code 6.12,6.1}; {@code 6.1} runs that one only), {@code i2o2.guest.fio=true} (also compare
 * 4 KiB random reads through {@code NvmeNamespace} with fio's {@code io_uring_cmd} engine: {@link NvmeFioGuestBench}),
 * {@code i2o2.guest.cache} (kernel cache folder), {@code i2o2.guest.out} (results folder prefix: the series is
 * appended).
 */
class NvmeGuestIT {
    /** The guest's own limit, boot included; well inside this test's timeout, so the guest's verdict wins. */
    private static final int GUEST_LIMIT_SECONDS = 420;
    /** The same with the opt-in fio comparison, which adds ~6-8 minutes under TCG. */
    private static final int BENCH_GUEST_LIMIT_SECONDS = 1500;
    /** Seconds per measured point of the comparison (-Di2o2.guest.fio.seconds), and of warm-up per point. */
    private static final int FIO_SECONDS = Integer.getInteger("i2o2.guest.fio.seconds", 5);
    private static final int WARMUP_SECONDS = Integer.getInteger("i2o2.guest.fio.warmup", 8);
    private static final Pattern RING_IOPS = Pattern.compile("^ring qd=(\\d+) iops=(\\d+)");
    private static final Pattern BENCH = Pattern.compile(
            "^(i2o2|fio) mode=(\\S+)(?: opts=(\\S+))? qd=(\\d+) iops=(\\d+|-).* round=(\\d+)");

    /** The kernel series to boot, in order: {@code i2o2.guest.kernel}, comma separated (default 6.12 then 6.1). */
    static List<String> kernels() {
        String list = System.getProperty("i2o2.guest.kernel", "");
        List<String> series = Stream.of(list.split(",")).map(String::strip).filter(k -> !k.isEmpty()).distinct()
                .toList();
        return series.isEmpty() ? List.of("6.12", "6.1") : series;
    }

    @ParameterizedTest(name = "kernel {0}")
    @MethodSource("kernels")
    @Timeout(value = 30, unit = TimeUnit.MINUTES)   // runHarness ends a guest run 40 s past its own limit
    void nvmeGuestTestsPassInsideTheGuest(String kernel) throws Exception {
        Path suiteDir = Path.of(System.getProperty("i2o2.testsuite.dir", System.getProperty("user.dir")));
        Path out = Path.of(System.getProperty("i2o2.guest.out", suiteDir.resolve("target/nvme-guest").toString())
                + "-" + kernel).toAbsolutePath();
        boolean bench = Boolean.parseBoolean(System.getProperty("i2o2.guest.fio", "false"));
        Path script = suiteDir.resolve("guest/run-in-guest.sh");

        String classpath = guestClasspath(suiteDir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        checkVisibleInGuest(classpath + ":" + java + ":" + script);
        deleteRecursively(out);
        Files.createDirectories(out);
        Files.writeString(out.resolve("guest-java.args"), "-cp " + quote(classpath) + "\n");
        Path suite = out.resolve("guest-suite.sh");
        Files.writeString(suite, guestSuite(java, suiteDir, out, bench));

        // Through bash: a checkout that lost the executable bit still runs.
        // One polled NVMe queue (nvme poll_queues=1), for NvmeIopollGuestTest; the other tests use the normal ones.
        int limit = bench ? BENCH_GUEST_LIMIT_SECONDS : GUEST_LIMIT_SECONDS;
        List<String> command = new ArrayList<>(List.of("bash", script.toString(), "-k", kernel, "-o",
                out.toString(), "-t", Integer.toString(limit), "-q", "1"));
        String cache = System.getProperty("i2o2.guest.cache");
        if (cache != null && !cache.isBlank()) {
            command.addAll(List.of("-c", cache));
        }
        if (bench) {
            command.addAll(List.of("-p", "fio"));
        }
        command.addAll(List.of("--", "bash", suite.toString()));
        Path log = out.resolveSibling(out.getFileName() + ".log");
        System.out.println("NVMe guest: " + String.join(" ", command));

        long t0 = System.nanoTime();
        int rc = runHarness(command, log, limit);
        double wall = (System.nanoTime() - t0) / 1e9;
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        judge(rc, out, output, kernel, wall, bench, limit);
    }

    /** Runs run-in-guest.sh, limited to {@code limitSeconds}, to its end, or kills it (and QEMU under it) past that. */
    static int runHarness(List<String> command, Path log, int limitSeconds) throws IOException, InterruptedException {
        Process harness = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            if (!harness.waitFor(limitSeconds + 40, TimeUnit.SECONDS)) {
                fail("guest infrastructure failure: run-in-guest.sh did not end within " + (limitSeconds + 40)
                        + " s (its own limit is " + limitSeconds + " s); output in " + log);
            }
            return harness.exitValue();
        } finally {
            // On a timeout or an interrupt, take QEMU down with the script (it runs under timeout(1)).
            harness.descendants().forEach(ProcessHandle::destroy);
            harness.destroy();
            if (!harness.waitFor(15, TimeUnit.SECONDS)) {
                harness.descendants().forEach(ProcessHandle::destroyForcibly);
                harness.destroyForcibly();
            }
        }
    }

    /**
     * Pass or fail from the harness's exit status (see run-in-guest.sh), its summary and the JUnit XML: an
     * infrastructure failure, a JVM crash, failed tests, no tests run, or a failed fio run each fail differently.
     */
    private static void judge(int rc, Path out, String output, String kernel, double wall, boolean bench,
                              int limit) throws Exception {
        Map<String, String> summary = readSummary(out.resolve("guest-summary"));
        String where = "kernel " + summary.getOrDefault("kernel", kernel) + " (" + summary.getOrDefault("package", "?")
                + ")";
        String timing = String.format(Locale.ROOT, "guest up after %s s, guest run %s s, whole run %.0f s",
                summary.getOrDefault("boot_s", "?"), summary.getOrDefault("run_s", "?"), wall);
        System.out.println("NVMe guest on " + where + ": " + summary.getOrDefault("verdict", "no verdict") + "; "
                + timing);
        List<String> crashes = hsErrFiles(out);

        if (rc == 2 || rc == 3) {
            fail("guest infrastructure failure: host setup (run-in-guest.sh exit " + rc + "): " + tail(output, 8));
        }
        if (rc == 4 || rc == 5) {
            String verdict = summary.getOrDefault("verdict", "exit " + rc);
            String detail = verdict.contains("in-command")
                    ? ": the guest booted, and the command was still running at " + limit + " s" : "";
            fail("guest infrastructure failure (" + verdict + detail + ") on " + where + ", " + timing
                    + (crashes.isEmpty() ? "" : "; JVM crash logs: " + crashes) + "; last console lines:\n"
                    + tail(readOrEmpty(out.resolve("console.log")), 15));
        }
        if (rc != 0 && rc != 1) {
            fail("guest infrastructure failure: run-in-guest.sh exit " + rc + ": " + tail(output, 8));
        }

        Report report = readReports(out.resolve("junit"));
        if (report == null) {
            if (!crashes.isEmpty()) {
                fail("guest JVM crashed on " + where + " (no JUnit report); crash logs kept: " + crashes
                        + "\n" + tail(output, 15));
            }
            fail("guest infrastructure failure: the guest command ended (status "
                    + summary.getOrDefault("exit_status", "?") + ") without a JUnit report, on " + where + "\n"
                    + tail(output, 15));
        }
        System.out.printf("NVMe guest tests on %s: %d tests, %d passed, %d failed, %d errors, %d skipped%n", where,
                report.tests, report.tests - report.failures - report.errors - report.skipped, report.failures,
                report.errors, report.skipped);
        report.perEngine.forEach((engine, counts) -> System.out.printf(
                "NVMe guest tests on %s, engine %s: %d tests, %d passed (%.1f s)%n", where, engine, counts[0],
                counts[1], counts[2] / 1000.0));
        if (bench) {
            printIops(out, summary.getOrDefault("kernel", kernel));
        }
        if (report.failures + report.errors > 0) {
            fail("NVMe guest tests failed on " + where + ": " + (report.failures + report.errors) + " of "
                    + report.tests + (crashes.isEmpty() ? "" : " (JVM crash logs: " + crashes + ")") + "\n  "
                    + String.join("\n  ", report.problems));
        }
        if (report.tests - report.skipped == 0) {
            fail("the guest tests did not run on " + where + ": " + report.tests + " found, all skipped"
                    + " (did the guest set I2O2_GUEST=1?)");
        }
        if (rc != 0) {
            fail("the guest command failed (status " + summary.getOrDefault("exit_status", "?") + ") on " + where
                    + " although its tests passed" + (bench ? ": see the fio output above" : "") + "\n"
                    + tail(output, 10));
        }
    }

    /** This module's test classpath: its own classes first, then what Maven resolved (guest-classpath.txt). */
    static String guestClasspath(Path suiteDir) throws IOException {
        Path file = Path.of(System.getProperty("i2o2.guest.classpath",
                suiteDir.resolve("target/guest-classpath.txt").toString()));
        if (!Files.isRegularFile(file)) {
            fail("guest infrastructure failure: " + file + " is missing (maven-dependency-plugin writes it in"
                    + " generate-test-resources: run through Maven)");
        }
        return suiteDir.resolve("target/test-classes") + ":" + suiteDir.resolve("target/classes") + ":"
                + Files.readString(file).trim();
    }

    /**
     * The guest sees the host's root read-only, except that it mounts its own /proc, /sys and /dev: a JDK, jar
     * or class folder in one of those is not there. Fail early with the reason.
     */
    static void checkVisibleInGuest(String paths) {
        for (String p : paths.split(":")) {
            for (String hidden : List.of("/proc/", "/sys/", "/dev/")) {
                if (p.startsWith(hidden)) {
                    fail("guest infrastructure failure: " + p + " lies under " + hidden + ", which the guest replaces"
                            + " with its own mount: build outside " + hidden + " (or move -Dmaven.repo.local)");
                }
            }
        }
    }

    /** The script the guest runs: the Console Launcher on the guest test class, then fio when asked. */
    private static String guestSuite(String java, Path suiteDir, Path out, boolean bench) {
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n# Written by NvmeGuestIT; runs inside the guest, in ").append(out).append(".\n");
        s.append("set -u\n");
        if (bench) {
            s.append("export I2O2_GUEST_BENCH=1 I2O2_GUEST_BENCH_SECONDS=").append(FIO_SECONDS).append('\n');
        }
        // The guest is ~10x slower than the host: C1 only (C2 compiles cost more than they win in a short run:
        // the class took 95 s with C2 against 30-55 s without), a serial collector, no perf-data file, and hs_err
        // files where the host keeps them.
        s.append(quote(java)).append(" --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1")
                .append(" -XX:+UseSerialGC -XX:-UsePerfData -Xmx512m")
                .append(" -Djava.io.tmpdir=/dev/shm")
                .append(" -XX:ErrorFile=").append(quote(out + "/hs_err_pid%p.log"))
                .append(" @").append(quote(out + "/guest-java.args"))
                .append(" org.junit.platform.console.ConsoleLauncher execute")
                .append(" --select-class ").append(NvmeRingGuestTest.class.getName())
                .append(" --select-class ").append(NvmeNamespaceGuestTest.class.getName())
                .append(" --select-class ").append(NvmeIopollGuestTest.class.getName())
                .append(" --select-class ").append(NvmeIopollLoopGuestTest.class.getName())
                .append(" --select-class ").append(NvmeZonedGuestTest.class.getName())
                .append(" --select-class ").append(NvmeVectoredGuestTest.class.getName())
                .append(" --select-class ").append(NvmeMetadataGuestTest.class.getName())
                .append(" --reports-dir ").append(quote(out + "/junit"))
                .append(" --disable-banner --disable-ansi-colors --details=tree --fail-if-no-tests\n");
        s.append("rc=$?\n");
        if (bench) {
            // The comparison runs in a JVM of its own with the full JIT (C2 too): its rounds start after a warm-up.
            s.append(quote(java)).append(" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:-UsePerfData")
                    .append(" -Xmx512m -Djava.io.tmpdir=/dev/shm -Dio.netty.leakDetection.level=disabled")
                    .append(" -XX:ErrorFile=").append(quote(out + "/hs_err_pid%p.log"))
                    .append(" @").append(quote(out + "/guest-java.args"))
                    .append(' ').append(NvmeFioGuestBench.class.getName()).append(' ')
                    .append(quote(suiteDir.resolve("guest/fio-randread.sh").toString()))
                    .append(' ').append(FIO_SECONDS).append(' ').append(WARMUP_SECONDS)
                    .append(" || { [ $rc != 0 ] || rc=3; }\n");
        }
        s.append("exit $rc\n");
        return s.toString();
    }

    /**
     * The comparison's table: per depth and mode, each round's IOPS of ours and of fio (defaults, tuned), their
     * medians, and ours as a ratio of fio's better median.
     */
    private static void printIops(Path out, String kernel) throws IOException {
        // key "qd mode" -> who ("i2o2", "fio default", "fio tuned") -> IOPS per round
        Map<String, Map<String, List<String>>> points = new LinkedHashMap<>();
        for (String line : readOrEmpty(out.resolve("bench.txt")).split("\n")) {
            Matcher m = BENCH.matcher(line);
            if (m.find()) {
                String who = m.group(1).equals("fio") ? "fio " + m.group(3) : "i2o2";
                points.computeIfAbsent(String.format(Locale.ROOT, "%2s %-10s", m.group(4), m.group(2)),
                        k -> new LinkedHashMap<>()).computeIfAbsent(who, k -> new ArrayList<>()).add(m.group(5));
            }
        }
        Map<Integer, String> ring = new TreeMap<>();
        for (String line : readOrEmpty(out.resolve("ring-bench.txt")).split("\n")) {
            Matcher m = RING_IOPS.matcher(line);
            if (m.find()) {
                ring.put(Integer.parseInt(m.group(1)), m.group(2));
            }
        }
        System.out.println("4 KiB random read, namespace 1, QEMU NVMe under TCG (emulated: not a device figure),"
                + " kernel " + kernel + ", " + FIO_SECONDS + " s per point, rounds alternating, IOPS per round"
                + " (median):");
        System.out.println("  QD mode        i2o2 NvmeNamespace           fio defaults                 fio tuned   "
                + "                 i2o2 / best fio");
        points.forEach((key, who) -> {
            List<String> ours = who.getOrDefault("i2o2", List.of());
            double mine = median(ours);
            double fio = Math.max(median(who.getOrDefault("fio default", List.of())),
                    median(who.getOrDefault("fio tuned", List.of())));
            System.out.printf(Locale.ROOT, "  %s %-28s %-28s %-28s %s%n", key, cell(ours),
                    cell(who.getOrDefault("fio default", List.of())), cell(who.getOrDefault("fio tuned", List.of())),
                    mine > 0 && fio > 0 ? String.format(Locale.ROOT, "%.2fx", mine / fio) : "-");
        });
        if (!ring.isEmpty()) {
            System.out.println("  bare ring (NvmeRingGuestTest, test JVM, C1 only): " + ring);
        }
    }

    private static String cell(List<String> rounds) {
        double m = median(rounds);
        return rounds.isEmpty() ? "-" : String.join(", ", rounds) + (m > 0 ? String.format(Locale.ROOT, " (%.0f)", m)
                : "");
    }

    private static double median(List<String> values) {
        double[] v = values.stream().filter(x -> !x.equals("-")).mapToDouble(Double::parseDouble).sorted().toArray();
        if (v.length == 0) {
            return 0;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /**
     * The guest's test counts; {@code perEngine}: for the {@link GuestEngine}-parameterized classes, per engine,
     * {tests, passed, milliseconds}.
     */
    record Report(int tests, int failures, int errors, int skipped, List<String> problems, List<String> skips,
                  Map<String, long[]> perEngine) {
    }

    private static final Pattern INVOCATION = Pattern.compile("\\[class-template-invocation:#(\\d+)]");

    /**
     * The {@link GuestEngine} a test case ran on, from the invocation number in its unique id (the Console
     * Launcher's XML names the invocation only by number, in the order of {@link GuestEngine#values()}); null for
     * a class that is not parameterized by engine.
     */
    static String engineOf(Element testcase) {
        NodeList out = testcase.getElementsByTagName("system-out");
        for (int i = 0; i < out.getLength(); i++) {
            Matcher m = INVOCATION.matcher(out.item(i).getTextContent());
            if (m.find()) {
                int n = Integer.parseInt(m.group(1));
                return n >= 1 && n <= GuestEngine.values().length ? GuestEngine.values()[n - 1].name() : "#" + n;
            }
        }
        return null;
    }

    /** Sums every {@code TEST-*.xml} the Console Launcher wrote; {@code null} when there is none. */
    static Report readReports(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml")).sorted().toList();
        }
        if (files.isEmpty()) {
            return null;
        }
        int tests = 0;
        int failures = 0;
        int errors = 0;
        int skipped = 0;
        List<String> problems = new ArrayList<>();
        List<String> skips = new ArrayList<>();
        Map<String, long[]> perEngine = new TreeMap<>();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        for (Path file : files) {
            Element suite = factory.newDocumentBuilder().parse(file.toFile()).getDocumentElement();
            tests += intAttr(suite, "tests");
            failures += intAttr(suite, "failures");
            errors += intAttr(suite, "errors");
            skipped += intAttr(suite, "skipped");
            NodeList cases = suite.getElementsByTagName("testcase");
            for (int i = 0; i < cases.getLength(); i++) {
                Element c = (Element) cases.item(i);
                String engine = engineOf(c);
                String cls = c.getAttribute("classname");
                String name = cls.substring(cls.lastIndexOf('.') + 1) + "." + c.getAttribute("name")
                        + (engine == null ? "" : " [" + engine + "]");
                boolean passed = true;
                for (String kind : List.of("failure", "error")) {
                    NodeList bad = c.getElementsByTagName(kind);
                    if (bad.getLength() > 0) {
                        Element b = (Element) bad.item(0);
                        problems.add(name + ": " + kind + ": " + b.getAttribute("message"));
                        passed = false;
                    }
                }
                NodeList skip = c.getElementsByTagName("skipped");
                if (skip.getLength() > 0) {
                    Element sk = (Element) skip.item(0);
                    String why = sk.getAttribute("message").isEmpty() ? sk.getTextContent().strip().split("\n")[0]
                            : sk.getAttribute("message");
                    skips.add(name + ": " + why.replace("org.opentest4j.TestAbortedException: ", ""));
                    passed = false;
                }
                if (engine != null) {
                    long[] counts = perEngine.computeIfAbsent(engine, k -> new long[3]);
                    counts[0]++;
                    counts[1] += passed ? 1 : 0;
                    String time = c.getAttribute("time");
                    counts[2] += time.isEmpty() ? 0 : Math.round(Double.parseDouble(time) * 1000);
                }
            }
        }
        return new Report(tests, failures, errors, skipped, problems, skips, perEngine);
    }

    private static int intAttr(Element e, String name) {
        String v = e.getAttribute(name);
        return v.isEmpty() ? 0 : Integer.parseInt(v);
    }

    static Map<String, String> readSummary(Path file) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : readOrEmpty(file).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                map.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return map;
    }

    static List<String> hsErrFiles(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            return s.filter(p -> p.getFileName().toString().startsWith("hs_err_pid")).map(Path::toString).toList();
        }
    }

    static String readOrEmpty(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    static String tail(String text, int lines) {
        String[] all = text.strip().split("\n");
        return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
    }

    /** Quotes for bash and for a java @argfile alike (neither sees a double quote or a backslash in our paths). */
    static String quote(String s) {
        if (s.contains("\"") || s.contains("\\") || s.contains("$") || s.contains("`")) {
            throw new IllegalArgumentException("path with a quote, backslash, $ or backquote: " + s);
        }
        return "\"" + s + "\"";
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
