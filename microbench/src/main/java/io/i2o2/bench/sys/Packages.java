package io.i2o2.bench.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Installs a Debian package the benchmark needs (vmtouch, fio, liburing-dev), when it runs as root with
 * apt-get; otherwise says what to install. The result of each attempt is printed so the run log tells
 * why a peer is missing.
 */
public final class Packages {
    private static boolean updated;

    private Packages() {
    }

    /**
     * Makes sure a package is installed, installing it if possible.
     *
     * @param pkg     the Debian package name
     * @param present a test that says whether what we need from it is already there
     * @return null if present (now), else why not
     */
    public static synchronized String ensure(String pkg, java.util.function.BooleanSupplier present) {
        if (present.getAsBoolean()) {
            return null;
        }
        if (!isRoot() || !Command.onPath("apt-get")) {
            return pkg + " is not installed (apt-get install " + pkg + ")";
        }
        System.err.println("bench: installing " + pkg + " with apt-get ...");
        try {
            Command c = Command.run(300, "apt-get", "install", "-y", "-qq", pkg);
            if (!c.ok() && !updated) {
                updated = true;    // an old package list is the usual reason: refresh once, then retry
                Command.run(300, "apt-get", "update", "-qq");
                c = Command.run(300, "apt-get", "install", "-y", "-qq", pkg);
            }
            if (c.ok() && present.getAsBoolean()) {
                return null;
            }
            return "apt-get install " + pkg + " failed: " + c.errorTail();
        } catch (IOException e) {
            return "apt-get install " + pkg + " failed: " + e.getMessage();
        }
    }

    /** Whether this process runs as root (uid 0), read from /proc/self/status. */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
