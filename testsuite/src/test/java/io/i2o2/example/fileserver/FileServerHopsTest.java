package io.i2o2.example.fileserver;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How often a request's file work crosses between the handler's loop and a file loop, per wiring, on a real
 * loopback socket ({@link FileServerStats#fileHandOvers()}): none where the handler's loop owns the ring
 * (uring, netty-uring), at most one there and one back per request with NIO channels (channel), and none
 * there either when the answer needs no file operation (a cached 304, an in-memory body).
 */
class FileServerHopsTest {
    @TempDir
    Path tmp;
    FileServer server;
    final List<RawHttp> clients = new ArrayList<>();
    byte[] small;

    void start(Wiring wiring, ServerConfig config) throws Exception {
        Path www = Files.createDirectories(tmp.resolve("www"));
        small = ServerFixture.write(www.resolve("small.bin"), 4096, 3);
        ServerFixture.write(www.resolve("big.bin"), 3 << 20, 4);
        Files.createDirectories(www.resolve("site"));
        Files.writeString(www.resolve("site/index.html"), "<p>index</p>");
        // Two of each loop, so the second connection is served by another loop than the first.
        server = FileServer.start(FileServer.Options.of(www).withPort(0).withWiring(wiring).withThreads(2, 2)
                .withConfig(config));
    }

    @AfterEach
    void stop() throws Exception {
        for (RawHttp c : clients) {
            c.close();
        }
        if (server != null) {
            try {
                server.dropCachedFiles();
                ServerFixture.assertQuiet(server);
            } finally {
                server.close();
            }
        }
    }

    RawHttp connect() throws IOException {
        RawHttp c = new RawHttp(server.address());
        clients.add(c);
        return c;
    }

    /** One crossing each way on the channel wiring, none on the others. */
    static long oneOnChannel(Wiring wiring) {
        return wiring == Wiring.CHANNEL ? 1 : 0;
    }

    /** The hand-overs and hand-backs {@code request} cost, asserted equal to {@code expected} each. */
    void assertHops(long expected, String what, IoRequest request) throws Exception {
        FileServerStats stats = server.stats();
        long over = stats.fileHandOvers();
        long back = stats.fileHandBacks();
        request.run();
        assertEquals(expected, stats.fileHandOvers() - over, what + ": hand-overs to a file loop");
        assertEquals(expected, stats.fileHandBacks() - back, what + ": completions back");
    }

    interface IoRequest {
        void run() throws Exception;
    }

    @ParameterizedTest
    @EnumSource(Wiring.class)
    void withoutTheCacheEachRequestCrossesAtMostOnceEachWay(Wiring wiring) throws Exception {
        start(wiring, ServerConfig.defaults());
        RawHttp c = connect();
        long hops = oneOnChannel(wiring);
        String[] etag = new String[1];
        // openat2 + statx + read: one trip for the three.
        assertHops(hops, "uncached small file", () -> {
            RawHttp.Response res = c.request("GET", "/small.bin");
            assertArrayEquals(small, res.body());
            etag[0] = res.header("etag");
        });
        assertHops(hops, "304 (open and stat)", () -> assertEquals(304,
                c.request("GET", "/small.bin", "If-None-Match: " + etag[0]).status()));
        assertHops(hops, "range", () -> assertEquals(206,
                c.request("GET", "/small.bin", "Range: bytes=0-9").status()));
        assertHops(hops, "416", () -> assertEquals(416,
                c.request("GET", "/small.bin", "Range: bytes=9999-").status()));
        assertHops(hops, "HEAD", () -> assertEquals(200, c.request("HEAD", "/small.bin").status()));
        assertHops(hops, "404", () -> assertEquals(404, c.request("GET", "/absent.bin").status()));
        // The directory, then its index file: four operations and a read, still one trip.
        assertHops(hops, "index file", () -> assertEquals("<p>index</p>", c.request("GET", "/site/").text()));
        // Open and stat cross once; the chunk reads of the stream are IoUringChunkedFile's and not counted.
        assertHops(hops, "streamed body", () -> assertEquals(3 << 20, c.request("GET", "/big.bin").body().length));
    }

    @ParameterizedTest
    @EnumSource(Wiring.class)
    void cacheHitsWithContentInMemoryCrossNothing(Wiring wiring) throws Exception {
        start(wiring, ServerConfig.defaults().toBuilder().openFileCache(true).build());
        RawHttp c = connect();
        String etag = c.request("GET", "/small.bin").header("etag");
        assertHops(0, "cached small file, in memory", () -> assertArrayEquals(small,
                c.request("GET", "/small.bin").body()));
        assertHops(0, "cached 304", () -> assertEquals(304,
                c.request("GET", "/small.bin", "If-None-Match: " + etag).status()));
    }

    @ParameterizedTest
    @EnumSource(Wiring.class)
    void cacheHitsThatReadCrossOnceOnChannelAndNeverOnTheirOwnRing(Wiring wiring) throws Exception {
        start(wiring, ServerConfig.defaults().toBuilder().openFileCache(true).memoryCacheMaxFileSize(0).build());
        RawHttp c = connect();
        long hops = oneOnChannel(wiring);
        assertHops(hops, "miss", () -> assertArrayEquals(small, c.request("GET", "/small.bin").body()));
        assertHops(hops, "cached small file, read", () -> assertArrayEquals(small,
                c.request("GET", "/small.bin").body()));
        // Another loop: with a shared cache its read would go to the first loop's ring. Each loop that owns
        // its ring has its own cache, so it opens the file again, on its own ring.
        RawHttp d = connect();
        assertHops(hops, "another loop", () -> assertArrayEquals(small, d.request("GET", "/small.bin").body()));
        assertHops(hops, "another loop, cached", () -> assertArrayEquals(small,
                d.request("GET", "/small.bin").body()));
        assertEquals(wiring.ownRing() ? 2 : 1, server.cachedFiles(), "one entry per loop, or one shared");
    }
}
