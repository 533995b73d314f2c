package io.i2o2.testsuite.nvme;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The guest's namespaces by id. The kernel numbers {@code nvme0nY} in the order it finds the namespaces, and
 * 6.12 scans them concurrently, so namespace 1 (plain) and 2 (zoned) can come up as either {@code ng0n1} or
 * {@code ng0n2}: tests ask for the id and get the device whose {@code /sys/block/nvme0nY/nsid} says it.
 */
final class GuestNamespaces {
    private static final int MAX = 8;
    private static final long WAIT_NANOS = 10_000_000_000L;

    private GuestNamespaces() {
    }

    /** The generic character device of namespace {@code nsid} ({@code /dev/ng0nY}). */
    static Path generic(int nsid) {
        return Path.of("/dev/ng0n" + index(nsid));
    }

    /** The block device of namespace {@code nsid} ({@code /dev/nvme0nY}). */
    static Path block(int nsid) {
        return Path.of("/dev/nvme0n" + index(nsid));
    }

    private static int index(int nsid) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        do {
            for (int y = 1; y <= MAX; y++) {
                Path id = Path.of("/sys/block/nvme0n" + y + "/nsid");
                try {
                    if (Files.exists(id) && Integer.parseInt(Files.readString(id).trim()) == nsid
                            && Files.exists(Path.of("/dev/ng0n" + y))) {
                        return y;
                    }
                } catch (Exception notYet) {
                    // being created: look again
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no /dev/ng0nY has namespace id " + nsid);
    }
}
