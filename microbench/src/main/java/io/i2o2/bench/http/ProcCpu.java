package io.i2o2.bench.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Another process's CPU time (user + system, all its threads) from {@code /proc/PID/stat}. */
final class ProcCpu {
    /**
     * Clock ticks per second of {@code /proc/PID/stat}'s times: USER_HZ, 100 on every Linux ABI that has
     * {@code sysconf(_SC_CLK_TCK)} (the kernel reports these fields in USER_HZ whatever its own HZ is).
     */
    static final int TICKS_PER_SECOND = 100;

    private ProcCpu() {
    }

    /**
     * User + system time of the process so far.
     *
     * @param pid the process
     * @return clock ticks, or -1 if it cannot be read
     */
    static long ticks(long pid) {
        try {
            return parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * utime + stime from a {@code /proc/PID/stat} line (fields 14 and 15; the command name, field 2, is in
     * parentheses and may hold spaces, so fields are counted after its closing parenthesis).
     *
     * @param stat the line
     * @return clock ticks
     */
    static long parse(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // f[0] is field 3 (state): utime is field 14 = f[11], stime field 15 = f[12].
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
