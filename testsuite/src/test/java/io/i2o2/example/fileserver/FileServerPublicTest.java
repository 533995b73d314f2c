package io.i2o2.example.fileserver;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a public static server needs, each on a real socket: timeouts, limits, strictness, caching, links. */
class FileServerPublicTest {
    @TempDir
    Path tmp;
    FileServer server;
    final List<RawHttp> clients = new ArrayList<>();

    FileServer start(Wiring wiring, ServerConfig config) throws Exception {
        Path www = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(www.resolve("hello.txt"), "hello, io_uring\n");
        Files.writeString(www.resolve(".secret"), "dot file");
        Files.createDirectories(www.resolve("site"));
        Files.writeString(www.resolve("site/index.html"), "<p>index</p>");
        Files.writeString(www.resolve("site/app.js"), "let x;");
        Files.writeString(www.resolve("site/pic.webp"), "RIFF");
        Files.createDirectories(www.resolve("plain"));
        Files.writeString(www.resolve("plain/a.txt"), "a");
        Files.writeString(tmp.resolve("outside.txt"), "TOP SECRET");
        Files.createSymbolicLink(www.resolve("plain/inside-link.txt"), Path.of("../hello.txt"));
        // Absolute, though into the root: RESOLVE_BENEATH refuses it (EXDEV), and listings leave it out.
        Files.createSymbolicLink(www.resolve("plain/absolute-link.txt"), www.resolve("hello.txt"));
        Files.createSymbolicLink(www.resolve("plain/outside-link.txt"), tmp.resolve("outside.txt"));
        server = FileServer.start(FileServer.Options.of(www).withPort(0).withWiring(wiring).withThreads(1, 1)
                .withConfig(config));
        return server;
    }

    RawHttp connect() throws IOException {
        RawHttp c = new RawHttp(server.address());
        clients.add(c);
        return c;
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

    static ServerConfig.Builder config() {
        return ServerConfig.defaults().toBuilder();
    }

    @ParameterizedTest
    @EnumSource(Wiring.class)
    void rfc9112HostAndVersionChecks(Wiring wiring) throws Exception {
        start(wiring, config().build());
        assertEquals(400, raw("GET /hello.txt HTTP/1.1\r\n\r\n").status(), "HTTP/1.1 without Host");
        assertEquals(400, raw("GET /hello.txt HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").status(), "two Hosts");
        assertEquals(200, raw("GET /hello.txt HTTP/1.0\r\n\r\n").status(), "HTTP/1.0 needs no Host");
        RawHttp.Response v = rawAndClosed("GET /hello.txt HTTP/1.7\r\nHost: a\r\n\r\n");
        assertEquals(505, v.status(), "unknown minor version");
        assertEquals(505, rawAndClosed("GET /hello.txt HTTP/2.0\r\nHost: a\r\n\r\n").status());
        // Over-long request line: 414; over-long headers: 431; both then close.
        String longTarget = "/" + "a".repeat(9000);
        assertEquals(414, rawAndClosed("GET " + longTarget + " HTTP/1.1\r\nHost: a\r\n\r\n").status());
        assertEquals(431, rawAndClosed("GET /hello.txt HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(9000)
                + "\r\n\r\n").status());
    }

    @ParameterizedTest
    @EnumSource(Wiring.class)
    void aBadChunkedBodyGets400AndClose(Wiring wiring) throws Exception {
        start(wiring, config().build());
        RawHttp c = connect();
        c.sendRaw(("GET /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        assertEquals(400, c.read().status());
        assertTrue(c.closedByServer());
        // A good chunked body is read and dropped, and the file served.
        RawHttp d = connect();
        d.sendRaw(("GET /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        assertEquals("hello, io_uring\n", d.read().text());
    }

    @Test
    void headerTimeoutAnswers408AndCloses() throws Exception {
        start(Wiring.CHANNEL, config().headerTimeout(Duration.ofMillis(300)).build());
        RawHttp c = connect();
        c.sendRaw("GET /hello.txt HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
        long t0 = System.nanoTime();
        RawHttp.Response r = c.read();
        assertEquals(408, r.status());
        assertTrue(c.closedByServer());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
        // A connection that never sends anything is closed too.
        RawHttp silent = connect();
        assertEquals(408, silent.read().status());
    }

    @Test
    void keepAliveTimeoutClosesAnIdleConnectionButNotABusyOne() throws Exception {
        start(Wiring.URING, config().keepAliveTimeout(Duration.ofMillis(400)).build());
        RawHttp c = connect();
        for (int i = 0; i < 4; i++) {
            // Requests 200 ms apart: each resets the timer.
            assertEquals(200, c.request("GET", "/hello.txt").status());
            Thread.sleep(200);
        }
        long t0 = System.nanoTime();
        assertTrue(c.closedByServer(), "closed after the keep-alive timeout");
        long waited = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(waited < 5_000, "closed after " + waited + " ms");
    }

    @Test
    void idleTimeoutClosesAClientThatStopsReading() throws Exception {
        start(Wiring.CHANNEL, config().idleTimeout(Duration.ofMillis(500)).build());
        Files.write(server.root().resolve("big.bin"), new byte[32 << 20]);
        RawHttp c = connect();
        c.send("GET", "/big.bin");
        assertEquals(200, c.read(true).status());
        // Read nothing: the server's writes stall, and after the idle timeout it gives up.
        Thread.sleep(1500);
        long got = 0;
        byte[] b = new byte[1 << 16];
        for (int n; (n = c.input().read(b)) > 0; ) {
            got += n;
        }
        assertTrue(got < 32 << 20, "the body was cut short: " + got);
    }

    @Test
    void connectionsBeyondTheBoundAreClosedAndTheOthersServed() throws Exception {
        start(Wiring.CHANNEL, config().maxConnections(3).build());
        List<RawHttp> first = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RawHttp c = connect();
            assertEquals(200, c.request("GET", "/hello.txt").status());
            first.add(c);
        }
        RawHttp extra = connect();
        extra.sendRaw("GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(closedWithoutResponse(extra), "the fourth connection is closed");
        for (RawHttp c : first) {
            assertEquals(200, c.request("GET", "/hello.txt").status());
        }
        first.get(0).close();
        ServerFixture.eventually(() -> "a slot freed: " + server.stats(), () -> server.stats().openConnections() == 2);
        assertEquals(200, connect().request("GET", "/hello.txt").status(), "a slot freed");
    }

    @ParameterizedTest
    @EnumSource(Wiring.class)
    void etagLastModifiedCacheControlAndMimeTypes(Wiring wiring) throws Exception {
        start(wiring, config().cacheControl("public, max-age=60").build());
        RawHttp c = connect();
        RawHttp.Response r = c.request("GET", "/hello.txt");
        String etag = r.header("etag");
        assertNotNull(etag);
        assertTrue(etag.startsWith("\"") && etag.endsWith("\""), etag);
        assertNotNull(r.header("last-modified"));
        assertNotNull(r.header("date"));
        assertEquals("public, max-age=60", r.header("cache-control"));
        assertEquals("text/plain; charset=utf-8", r.header("content-type"));
        RawHttp.Response again = c.request("GET", "/hello.txt", "If-None-Match: \"nope\", " + etag);
        assertEquals(304, again.status());
        assertEquals(etag, again.header("etag"));
        assertEquals(304, c.request("GET", "/hello.txt", "If-None-Match: W/" + etag).status(), "weak comparison");
        assertEquals(304, c.request("GET", "/hello.txt", "If-None-Match: *").status());
        // If-None-Match decides over If-Modified-Since.
        assertEquals(200, c.request("GET", "/hello.txt", "If-None-Match: \"other\"",
                "If-Modified-Since: " + r.header("last-modified")).status());
        assertEquals(206, c.request("GET", "/hello.txt", "Range: bytes=0-1", "If-Range: " + etag).status());
        assertEquals(200, c.request("GET", "/hello.txt", "Range: bytes=0-1", "If-Range: \"other\"").status());
        assertEquals("text/javascript; charset=utf-8", c.request("GET", "/site/app.js").header("content-type"));
        assertEquals("image/webp", c.request("GET", "/site/pic.webp").header("content-type"));
        assertTrue(ContentTypes.size() > 1000, "a full table: " + ContentTypes.size());
    }

    @ParameterizedTest
    @EnumSource(Wiring.class)
    void directoriesServeTheirIndexAndListingsHideDotFilesAndEscapingLinks(Wiring wiring) throws Exception {
        start(wiring, config().build());
        RawHttp c = connect();
        RawHttp.Response site = c.request("GET", "/site/");
        assertEquals("<p>index</p>", site.text());
        assertEquals("text/html; charset=utf-8", site.header("content-type"));
        String root = c.request("GET", "/").text();
        assertFalse(root.contains(".secret"), root);
        assertTrue(root.contains("hello.txt"), root);
        String plain = c.request("GET", "/plain/").text();
        assertTrue(plain.contains("a.txt"), plain);
        assertTrue(plain.contains("inside-link.txt"), plain);
        assertFalse(plain.contains("outside-link.txt"), plain);
        assertFalse(plain.contains("absolute-link.txt"), plain);
        assertEquals(403, c.request("GET", "/plain/absolute-link.txt").status());
        assertEquals("hello, io_uring\n", c.request("GET", "/plain/inside-link.txt").text(), "a link inside the root");
        assertEquals(403, c.request("GET", "/plain/outside-link.txt").status(), "RESOLVE_BENEATH: EXDEV");
        assertEquals(200, c.request("GET", "/.secret").status(), "dot files are hidden from listings only");
    }

    @Test
    void noSymlinksPolicyRefusesEveryLink() throws Exception {
        start(Wiring.URING, config().links(ServerConfig.LinkPolicy.NONE).build());
        RawHttp c = connect();
        assertEquals(403, c.request("GET", "/plain/inside-link.txt").status());
        assertEquals(403, c.request("GET", "/plain/outside-link.txt").status());
        assertFalse(c.request("GET", "/plain/").text().contains("inside-link"));
        assertEquals(200, c.request("GET", "/plain/a.txt").status());
    }

    @ParameterizedTest
    @EnumSource(Wiring.class)
    void theOpenFileCacheKeepsOneDescriptorAndNoticesAReplacedFile(Wiring wiring) throws Exception {
        start(wiring, config().openFileCache(true).openFileCacheValid(Duration.ofMillis(300)).build());
        Path hello = server.root().resolve("hello.txt");
        RawHttp c = connect();
        for (int i = 0; i < 20; i++) {
            assertEquals("hello, io_uring\n", c.request("GET", "/hello.txt").text());
        }
        assertEquals(List.of(hello), ServerFixture.openFilesUnder(server.root()), "one cached descriptor");
        assertEquals(1, server.cachedFiles());
        // Replaced (a new inode, as deploy tools do): seen once the entry's validity ran out.
        Path next = server.root().resolve("hello.txt.new");
        Files.writeString(next, "replaced!\n");
        Files.move(next, hello, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Thread.sleep(400);
        assertEquals("replaced!\n", c.request("GET", "/hello.txt").text());
        // A large file streamed from the cache, while the cache is dropped mid-transfer: the descriptor
        // closes only when the response is done.
        byte[] big = ServerFixture.write(server.root().resolve("big.bin"), 3 << 20, 5);
        c.send("GET", "/big.bin");
        assertEquals(200, c.read(true).status());
        byte[] first = c.input().readNBytes(1 << 20);
        server.dropCachedFiles();
        byte[] rest = c.input().readNBytes((3 << 20) - (1 << 20));
        byte[] all = new byte[3 << 20];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        assertArrayEquals(big, all);
        server.dropCachedFiles();
        ServerFixture.eventually(() -> "closed: " + ServerFixture.openFilesUnder(server.root()),
                () -> ServerFixture.openFilesUnder(server.root()).isEmpty());
    }

    @ParameterizedTest
    @EnumSource(Wiring.class)
    void memoryCacheAndSendfileServeExactBytesAndRanges(Wiring wiring) throws Exception {
        start(wiring, config().openFileCache(true).zeroCopy(true).build());
        byte[] small = ServerFixture.write(server.root().resolve("small.bin"), 4096, 11);
        byte[] mid = ServerFixture.write(server.root().resolve("mid.bin"), 300_000, 12);
        RawHttp c = connect();
        for (int i = 0; i < 5; i++) {
            // The first request reads through io_uring; later ones come from memory (small) or sendfile (mid).
            assertArrayEquals(small, c.request("GET", "/small.bin").body());
            assertArrayEquals(mid, c.request("GET", "/mid.bin").body());
            RawHttp.Response part = c.request("GET", "/mid.bin", "Range: bytes=1000-1999");
            assertEquals(206, part.status());
            assertArrayEquals(java.util.Arrays.copyOfRange(mid, 1000, 2000), part.body());
            RawHttp.Response smallPart = c.request("GET", "/small.bin", "Range: bytes=-10");
            assertArrayEquals(java.util.Arrays.copyOfRange(small, 4086, 4096), smallPart.body());
            Thread.sleep(50);
        }
    }

    @Test
    void quickKeysAreOnlyPlainTargets() {
        assertEquals("a/b.txt", SafePaths.quickKey("/a/b.txt"));
        assertEquals("4k.bin", SafePaths.quickKey("/4k.bin"));
        for (String t : List.of("/", "/a/", "//a", "/./a", "/../a", "/a/../b", "/.hidden", "/a%20b", "/a?x=1",
                "a", "/a b", "/a\\b", "/\u00e9")) {
            assertEquals(null, SafePaths.quickKey(t), t);
        }
    }

    private boolean closedWithoutResponse(RawHttp c) throws IOException {
        try {
            return c.closedByServer();
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    private RawHttp.Response raw(String request) throws IOException {
        RawHttp c = connect();
        c.sendRaw(request.getBytes(StandardCharsets.ISO_8859_1));
        return c.read();
    }

    private RawHttp.Response rawAndClosed(String request) throws IOException {
        RawHttp c = connect();
        c.sendRaw(request.getBytes(StandardCharsets.ISO_8859_1));
        RawHttp.Response r = c.read();
        assertTrue(c.closedByServer(), "closed after " + r.status());
        return r;
    }
}
