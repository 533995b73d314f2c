package io.i2o2.bench.peer;

import io.i2o2.bench.sys.Command;
import io.i2o2.bench.sys.Packages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Compiles the C peer ({@code src/main/c/uring_peer.c}, shipped as a class-path resource) with
 * {@code gcc -O2 ... -luring -lpthread}, once per source change. Installs liburing-dev when it is missing
 * and we are root; reports why not otherwise, and the peer is skipped with that note.
 */
final class CPeerBuild {
    private static final String SOURCE = "/c/uring_peer.c";

    private CPeerBuild() {
    }

    /**
     * The compiled binary, building it if needed.
     *
     * @param workDir where the source and binary go
     * @return the binary
     * @throws IOException with the reason it cannot be had (no gcc, no liburing, compile error)
     */
    static Path ensure(Path workDir) throws IOException {
        byte[] source;
        try (InputStream in = CPeerBuild.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                throw new IOException("resource " + SOURCE + " missing from the class path");
            }
            source = in.readAllBytes();
        }
        if (!Command.onPath("gcc")) {
            throw new IOException("gcc not found: the C liburing peer needs gcc and liburing-dev");
        }
        String missing = Packages.ensure("liburing-dev", () -> Files.exists(Path.of("/usr/include/liburing.h")));
        if (missing != null) {
            throw new IOException(missing);
        }
        Path dir = Files.createDirectories(workDir.resolve("c"));
        Path src = dir.resolve("uring_peer.c");
        Path bin = dir.resolve("uring_peer");
        if (Files.isExecutable(bin) && Files.exists(src) && Arrays.equals(Files.readAllBytes(src), source)) {
            return bin;
        }
        Files.write(src, source);
        Command cc = Command.run(120, "gcc", "-O2", "-Wall", "-o", bin.toString(), src.toString(),
                "-luring", "-lpthread");
        if (!cc.ok()) {
            Files.deleteIfExists(bin);
            throw new IOException("gcc failed: " + cc.errorTail());
        }
        return bin;
    }
}
