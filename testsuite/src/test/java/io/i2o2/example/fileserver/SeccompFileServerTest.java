package io.i2o2.example.fileserver;

import io.i2o2.testsuite.seccomp.ChildJvm;
import io.i2o2.uring.WithoutIoUring;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example file server in a container whose seccomp profile refuses io_uring (Docker 25.0+, containerd
 * 2.0): started as {@code ./i2o2 serve} starts it (its main class, no io_uring check before it), in a child
 * JVM under the real no-uring filter, once per wiring, and asked over loopback HTTP for whole files, a range,
 * a missing file and a path out of its root. It must serve them all through the portable engine, and say once
 * which engine serves. Needs no io_uring on the host (under the filter there is none anyway), hence
 * {@link WithoutIoUring}.
 */
@WithoutIoUring
class SeccompFileServerTest {
    /**
     * The line of the server's output that says which engine serves the file operations: its start-up line,
     * {@code serving DIR at URI (wiring W; sockets: S; file IO: ENGINE...)}. Not any line with the word
     * "engine": the library itself logs once, at INFO, that the portable engine runs and why
     * ({@code EngineSelection}), and that is the library's line, not the server's.
     */
    private static final Pattern ENGINE_LINE = Pattern.compile("(?m)^.*\\bfile IO: .*$");
    private static final Pattern URL = Pattern.compile("at http://127\\.0\\.0\\.1:(\\d+)/");

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Wiring.class)
    void servesFilesUnderTheFilter(Wiring wiring) throws Exception {
        Path site = Files.createDirectories(dir.resolve("site"));
        byte[] small = ServerFixture.write(site.resolve("small.bin"), 4096, 1);
        byte[] large = ServerFixture.write(site.resolve("large.bin"), 1 << 20, 2);
        Files.writeString(dir.resolve("secret.txt"), "TOP SECRET");   // beside the root, not in it

        try (ChildJvm server = ChildJvm.underFilter(FileServer.class.getName(), site.toString(), "--port", "0", "--wiring", wiring.cliName(), "--threads", "2")) {
            Matcher url = server.awaitOutput(URL, Duration.ofSeconds(60), "the " + wiring.cliName()
                    + " server under the no-uring seccomp filter did not start");
            InetSocketAddress address = new InetSocketAddress(FileServer.HOST, Integer.parseInt(url.group(1)));
            try (RawHttp http = new RawHttp(address)) {
                wholeFile(http, "/small.bin", small, server);
                wholeFile(http, "/large.bin", large, server);

                RawHttp.Response range = http.request("GET", "/large.bin", "Range: bytes=1000-1999");
                assertEquals(206, range.status(), server::describe);
                assertEquals("bytes 1000-1999/" + large.length, range.header("content-range"), server::describe);
                assertArrayEquals(Arrays.copyOfRange(large, 1000, 2000), range.body(), server::describe);

                assertEquals(404, http.request("GET", "/missing.bin").status(), server::describe);
            }
            for (String attack : List.of("/../secret.txt", "/%2e%2e/secret.txt")) {
                // A fresh connection each: the server may close one that asked for something out of its root.
                try (RawHttp http = new RawHttp(address)) {
                    RawHttp.Response r = http.request("GET", attack);
                    assertTrue(r.status() == 403 || r.status() == 404, attack + " -> " + r.status() + "; "
                            + server.describe());
                    assertFalse(r.text().contains("TOP SECRET"), attack + "; " + server.describe());
                }
            }
            saysOnceThatThePortableEngineServes(server, wiring);
        }
    }

    private static void wholeFile(RawHttp http, String path, byte[] expected, ChildJvm server) throws Exception {
        RawHttp.Response r = http.request("GET", path);
        assertEquals(200, r.status(), () -> path + "; " + server.describe());
        assertArrayEquals(expected, r.body(), () -> path + ": not the file's bytes; " + server.describe());
    }

    private static void saysOnceThatThePortableEngineServes(ChildJvm server, Wiring wiring) {
        String output = server.output();
        List<String> lines = ENGINE_LINE.matcher(output).results().map(m -> m.group().strip()).toList();
        assertEquals(1, lines.size(), () -> "the server must say once which engine serves its files, said it "
                + lines.size() + " times; " + server.describe());
        assertTrue(lines.getFirst().contains("file IO: portable engine, io_uring unavailable: "),
                () -> "under the filter the portable engine must serve: " + lines.getFirst() + "; " + server.describe());
        // Netty's io_uring transport is refused too: the default wiring's sockets fall back to epoll.
        String sockets = wiring == Wiring.NETTY_URING ? "sockets: epoll;" : "sockets: nio;";
        assertTrue(lines.getFirst().contains("wiring " + wiring.cliName() + "; " + sockets),
                () -> "expected " + sockets + " for " + wiring.cliName() + ": " + lines.getFirst());
    }
}
