package io.i2o2.example.fileserver;

import io.netty.handler.codec.DateFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;

import static io.i2o2.example.fileserver.ServerFixture.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One behaviour per test against a real server on loopback, for both wirings: methods, ranges,
 * conditional requests, listings, traversal attempts and connection handling. A raw socket client sends
 * exactly the bytes under test.
 */
@ParameterizedClass
@EnumSource(Wiring.class)
class FileServerHttpTest {
    static final Instant MTIME = Instant.parse("2024-05-06T07:08:09Z");

    @Parameter
    Wiring wiring;
    @TempDir
    Path tmp;
    Path www;
    byte[] data;
    FileServer server;
    final List<RawHttp> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        www = Files.createDirectories(tmp.resolve("www"));
        // 200 001 bytes: three full 64 KiB chunks and a short one.
        data = write(www.resolve("data.bin"), 200_001, 1);
        Files.setLastModifiedTime(www.resolve("data.bin"), FileTime.from(MTIME));
        Files.writeString(www.resolve("hello.txt"), "hello, io_uring\n");
        Files.createFile(www.resolve("empty"));
        write(www.resolve("sub dir/a b.bin"), 10, 2);
        Files.writeString(www.resolve("<b>&.txt"), "odd name");
        Files.writeString(tmp.resolve("secret.txt"), "TOP SECRET");
        Files.createSymbolicLink(www.resolve("escape"), tmp.resolve("secret.txt"));
        Files.createSymbolicLink(www.resolve("escape-dir"), tmp);
        server = FileServer.start(FileServer.Options.of(www).withPort(0).withWiring(wiring).withThreads(2, 2)
                .withChunkSize(64 * 1024));
    }

    @AfterEach
    void stop() throws Exception {
        for (RawHttp c : clients) {
            c.close();
        }
        try {
            ServerFixture.assertQuiet(server);
        } finally {
            server.close();
        }
    }

    RawHttp connect() throws Exception {
        RawHttp c = new RawHttp(server.address());
        clients.add(c);
        return c;
    }

    RawHttp.Response get(String target, String... headers) throws Exception {
        return connect().request("GET", target, headers);
    }

    @Test
    void getSendsTheWholeFileWithItsMetadata() throws Exception {
        RawHttp.Response r = get("/data.bin");
        assertEquals(200, r.status());
        assertArrayEquals(data, r.body());
        assertEquals(String.valueOf(data.length), r.header("content-length"));
        assertEquals("bytes", r.header("accept-ranges"));
        assertEquals("application/octet-stream", r.header("content-type"));
        assertEquals(DateFormatter.format(Date.from(MTIME)), r.header("last-modified"));
        assertEquals("text/plain; charset=utf-8", get("/hello.txt").header("content-type"));
    }

    @Test
    void emptyFileHasAnEmptyBody() throws Exception {
        RawHttp.Response r = get("/empty");
        assertEquals(200, r.status());
        assertEquals("0", r.header("content-length"));
        assertEquals(0, r.body().length);
    }

    @Test
    void headSendsTheHeadersOnlyAndTheConnectionGoesOn() throws Exception {
        RawHttp c = connect();
        RawHttp.Response head = c.request("HEAD", "/data.bin");
        assertEquals(200, head.status());
        assertEquals(String.valueOf(data.length), head.header("content-length"));
        // Had any body bytes followed the HEAD response, this response would not parse.
        RawHttp.Response next = c.request("GET", "/hello.txt");
        assertEquals("hello, io_uring\n", next.text());
        assertEquals(404, c.request("HEAD", "/missing").status());
        assertEquals(200, c.request("GET", "/hello.txt").status());
    }

    @Test
    void eachRangeFormGets206AndItsBytes() throws Exception {
        RawHttp c = connect();
        int n = data.length;
        int[][] cases = {{0, 0}, {10, 70_009}, {65_535, 65_536}, {n - 1, n - 1}};
        for (int[] range : cases) {
            check(c.request("GET", "/data.bin", "Range: bytes=" + range[0] + "-" + range[1]), range[0], range[1]);
        }
        check(c.request("GET", "/data.bin", "Range: bytes=131072-"), 131_072, n - 1);
        check(c.request("GET", "/data.bin", "Range: bytes=-100"), n - 100, n - 1);
        check(c.request("GET", "/data.bin", "Range: bytes=5-999999999"), 5, n - 1);
        check(c.request("GET", "/data.bin", "Range: bytes=-999999999"), 0, n - 1);
    }

    private void check(RawHttp.Response r, int first, int last) {
        assertEquals(206, r.status());
        assertEquals("bytes " + first + "-" + last + "/" + data.length, r.header("content-range"));
        assertEquals(String.valueOf(last - first + 1), r.header("content-length"));
        assertArrayEquals(Arrays.copyOfRange(data, first, last + 1), r.body());
    }

    @Test
    void unsatisfiableRangeGets416WithTheSize() throws Exception {
        RawHttp c = connect();
        for (String range : List.of("bytes=200001-", "bytes=300000-400000", "bytes=-0")) {
            RawHttp.Response r = c.request("GET", "/data.bin", "Range: " + range);
            assertEquals(416, r.status(), range);
            assertEquals("bytes */" + data.length, r.header("content-range"));
        }
        assertEquals(416, c.request("GET", "/empty", "Range: bytes=0-").status());
    }

    @Test
    void multipleOrMalformedRangesGetTheWholeFile() throws Exception {
        RawHttp c = connect();
        for (String range : List.of("bytes=0-1,5-6", "bytes=9-2", "lines=1-2")) {
            RawHttp.Response r = c.request("GET", "/data.bin", "Range: " + range);
            assertEquals(200, r.status(), range);
            assertArrayEquals(data, r.body());
        }
    }

    @Test
    void ifRangeWithAnotherDateIgnoresTheRange() throws Exception {
        RawHttp c = connect();
        String same = DateFormatter.format(Date.from(MTIME));
        String older = DateFormatter.format(Date.from(MTIME.minusSeconds(60)));
        assertEquals(206, c.request("GET", "/data.bin", "Range: bytes=0-9", "If-Range: " + same).status());
        assertEquals(200, c.request("GET", "/data.bin", "Range: bytes=0-9", "If-Range: " + older).status());
        assertEquals(200, c.request("GET", "/data.bin", "Range: bytes=0-9", "If-Range: \"etag\"").status());
    }

    @Test
    void ifModifiedSinceGets304UnlessTheFileIsNewer() throws Exception {
        RawHttp c = connect();
        for (Instant since : List.of(MTIME, MTIME.plusSeconds(3600))) {
            RawHttp.Response r = c.request("GET", "/data.bin", "If-Modified-Since: " + DateFormatter.format(
                    Date.from(since)));
            assertEquals(304, r.status());
            assertEquals(0, r.body().length);
            assertEquals(DateFormatter.format(Date.from(MTIME)), r.header("last-modified"));
        }
        RawHttp.Response newer = c.request("GET", "/data.bin", "If-Modified-Since: "
                + DateFormatter.format(Date.from(MTIME.minusSeconds(1))));
        assertEquals(200, newer.status());
        assertArrayEquals(data, newer.body());
        assertEquals(200, c.request("GET", "/data.bin", "If-Modified-Since: not a date").status());
        assertEquals(304, c.request("HEAD", "/data.bin", "If-Modified-Since: " + DateFormatter.format(
                Date.from(MTIME))).status());
    }

    @Test
    void specialFilesAreRefusedWithoutOpeningThem() throws Exception {
        // Opening a FIFO for reading blocks until a writer comes: the server must decide from statx alone.
        Path fifo = www.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        RawHttp c = connect();
        assertEquals(403, c.request("GET", "/fifo").status());
        assertEquals(200, c.request("GET", "/hello.txt").status());
    }

    @Test
    void missingFileGets404() throws Exception {
        assertEquals(404, get("/no-such-file").status());
        assertEquals(404, get("/sub%20dir/nope").status());
        assertEquals(404, get("/hello.txt/below-a-file").status());
    }

    @Test
    void otherMethodsGet405WithAllow() throws Exception {
        RawHttp c = connect();
        for (String method : List.of("PUT", "DELETE", "OPTIONS", "PATCH")) {
            RawHttp.Response r = c.request(method, "/hello.txt");
            assertEquals(405, r.status(), method);
            assertEquals("GET, HEAD", r.header("allow"));
        }
        // A body is read and dropped; the connection stays usable.
        c.sendRaw("POST /hello.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello".getBytes(
                StandardCharsets.US_ASCII));
        assertEquals(405, c.read().status());
        assertEquals("hello, io_uring\n", c.request("GET", "/hello.txt").text());
    }

    @Test
    void directoriesAreListedWithEscapedLinks() throws Exception {
        RawHttp.Response r = get("/");
        assertEquals(200, r.status());
        assertEquals("text/html; charset=utf-8", r.header("content-type"));
        String html = r.text();
        assertTrue(html.contains("<a href=\"/sub%20dir/\">sub dir/</a>"), html);
        assertTrue(html.contains("<a href=\"/data.bin\">data.bin</a>"), html);
        assertTrue(html.contains("<a href=\"/%3Cb%3E%26.txt\">&lt;b&gt;&amp;.txt</a>"), html);
        assertFalse(html.contains("<b>&"), "names are escaped");
        assertTrue(html.indexOf("sub dir/") < html.indexOf("data.bin"), "directories first");
        String sub = get("/sub%20dir/").text();
        assertTrue(sub.contains("<a href=\"/sub%20dir/a%20b.bin\">a b.bin</a>"), sub);
        assertTrue(sub.contains("<a href=\"/\">../</a>"), sub);
        assertEquals(200, get("/sub%20dir").status(), "no trailing slash needed: links are absolute");
        RawHttp.Response head = connect().request("HEAD", "/");
        assertEquals(String.valueOf(r.body().length), head.header("content-length"));
    }

    @Test
    void traversalAttemptsAreRefused() throws Exception {
        List<String> attacks = List.of(
                "/../secret.txt",
                "/sub%20dir/../../secret.txt",
                "/%2e%2e/secret.txt",
                "/%2E%2E%2Fsecret.txt",
                "/..%2fsecret.txt",
                "/%252e%252e/secret.txt",
                "/secret.txt%00",
                "/%c0%ae%c0%ae/secret.txt",
                "/escape",
                "/escape-dir/secret.txt",
                "/" + tmp.resolve("secret.txt"),
                "//" + tmp.resolve("secret.txt"),
                "http://evil/../secret.txt",
                "secret.txt");
        for (String attack : attacks) {
            RawHttp.Response r = get(attack);
            assertTrue(r.status() == 403 || r.status() == 404, attack + " -> " + r.status());
            assertFalse(r.text().contains("TOP SECRET"), attack);
        }
        assertEquals(403, get("/escape").status(), "a link out of the root is refused, not followed");
    }

    @Test
    void keepAliveReusesOneConnection() throws Exception {
        long before = server.stats().acceptedConnections();
        RawHttp c = connect();
        for (int i = 0; i < 5; i++) {
            RawHttp.Response r = c.request("GET", "/data.bin", "Range: bytes=" + i + "-" + (i + 99_999));
            assertEquals(206, r.status());
            assertNull(r.header("connection"), "HTTP/1.1 keeps the connection open by default");
            assertArrayEquals(Arrays.copyOfRange(data, i, i + 100_000), r.body());
        }
        assertEquals(before + 1, server.stats().acceptedConnections());
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        RawHttp c = connect();
        RawHttp.Response r = c.request("GET", "/data.bin", "Connection: close");
        assertEquals("close", r.header("connection"));
        assertArrayEquals(data, r.body());
        assertTrue(c.closedByServer());
    }

    @Test
    void http10ClosesUnlessAskedToKeepAlive() throws Exception {
        RawHttp c = connect();
        c.sendRaw("GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        RawHttp.Response kept = c.read();
        assertEquals("keep-alive", kept.header("connection"));
        c.sendRaw("GET /hello.txt HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("hello, io_uring\n", c.read().text());
        assertTrue(c.closedByServer());
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        RawHttp c = connect();
        String one = "GET /data.bin HTTP/1.1\r\nHost: t\r\n\r\n";
        String two = "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n";
        String three = "GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-4\r\n\r\n";
        c.sendRaw((one + two + three + one).getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(data, c.read().body());
        assertEquals(404, c.read().status());
        assertEquals("hello", c.read().text());
        assertArrayEquals(data, c.read().body());
    }

    @Test
    void malformedRequestGets400AndClose() throws Exception {
        RawHttp c = connect();
        c.sendRaw("GET /hello.txt HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n".getBytes(
                StandardCharsets.US_ASCII));
        assertEquals(400, c.read().status());
        assertTrue(c.closedByServer());
    }
}
