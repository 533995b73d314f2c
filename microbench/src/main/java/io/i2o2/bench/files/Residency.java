package io.i2o2.bench.files;

import io.i2o2.bench.sys.Command;
import java.io.IOException;
import java.nio.file.Path;

/**
 * How much of a file is in the page cache, asked of {@code fincore} (util-linux).
 */
public final class Residency {
    private Residency() {
    }

    /**
     * The bytes of the file that are resident.
     *
     * @param file the file
     * @return resident bytes, or -1 if fincore is missing or fails
     */
    public static long residentBytes(Path file) {
        try {
            Command c = Command.run(30, "fincore", "--bytes", "--noheadings", "--output", "RES", file.toString());
            return c.ok() ? Long.parseLong(c.stdout().strip()) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * fincore's own report for the file (header and one line), or why there is none.
     *
     * @param file the file
     * @return the report
     */
    public static String report(Path file) {
        try {
            Command c = Command.run(30, "fincore", file.toString());
            return c.ok() ? c.stdout().stripTrailing() : "fincore failed: " + c.errorTail();
        } catch (IOException e) {
            return "fincore not available: " + e.getMessage();
        }
    }
}
