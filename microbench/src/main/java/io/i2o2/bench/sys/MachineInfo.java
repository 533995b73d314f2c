package io.i2o2.bench.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The facts printed above every table, because absolute figures on these machines swing with the CPU, the
 * kernel and the Meltdown mitigation (page-table isolation makes every syscall dearer).
 *
 * @param cpuModel    "model name" from /proc/cpuinfo
 * @param cores       CPUs the JVM sees
 * @param kernel      the kernel release
 * @param pti         /sys/devices/system/cpu/vulnerabilities/meltdown
 * @param jdk         the running JDK
 * @param damon       the state of the DAMON reclaim daemon, if any (it pages out unlocked page cache)
 * @param loadAverage /proc/loadavg at the start (other work on a shared host)
 */
public record MachineInfo(String cpuModel, int cores, String kernel, String pti, String jdk, String damon,
                          String loadAverage) {

    /** Reads the facts of this machine. */
    public static MachineInfo read() {
        String model = "unknown";
        try {
            model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse("unknown");
        } catch (IOException ignored) {
            // not Linux: keep "unknown"
        }
        return new MachineInfo(model, Runtime.getRuntime().availableProcessors(),
                first("/proc/sys/kernel/osrelease"), first("/sys/devices/system/cpu/vulnerabilities/meltdown"),
                Runtime.version().toString() + " (" + System.getProperty("java.vm.name") + ")",
                first("/sys/kernel/mm/damon/admin/kdamonds/0/state"), first("/proc/loadavg"));
    }

    private static String first(String file) {
        try {
            return Files.readAllLines(Path.of(file)).stream().findFirst().orElse("").strip();
        } catch (IOException e) {
            return "n/a";
        }
    }

    /** The 1-minute load average now (runnable threads, all tenants), or NaN if unknown. */
    public static double loadNow() {
        return load1(first("/proc/loadavg"));
    }

    /** The 1-minute load average when the run started, or NaN if unknown. */
    public double loadAtStart() {
        return load1(loadAverage);
    }

    private static double load1(String loadavg) {
        try {
            return Double.parseDouble(loadavg.split("\\s+")[0]);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * A warning when other work competes for the CPUs, else null. On a busy host a backend with more
     * runnable threads gets a larger CPU share, so ops/s stop comparing; CPU s/Mop still does.
     *
     * @param load a 1-minute load average
     * @return the warning, or null
     */
    public String busyWarning(double load) {
        if (!(load > cores)) {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "load %.1f on %d CPUs: other work competes; ops/s and latency"
                + " are not comparable across backends in this run, CPU s/Mop still is", load, cores);
    }

    /** The facts as ordered label/value pairs. */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cpu", cpuModel + " (" + cores + " CPUs)");
        m.put("kernel", kernel);
        m.put("pti (meltdown)", pti);
        m.put("jdk", jdk);
        m.put("damon reclaim", damon);
        m.put("load average", loadAverage);
        return m;
    }
}
