package io.i2o2.example.fileserver;

import io.i2o2.file.FileStat;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.FileIoException;
import io.i2o2.file.Resolve;
import io.i2o2.uring.Errno;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every errno a lookup ({@code openat2} beneath the root, then {@code statx}) can end in gets its status, on
 * every wiring, over a real socket; and no error leaves a connection hanging: each response is complete (its
 * {@code Content-Length}), then the connection either answers the next request at once or is closed at once.
 *
 * <p>The kernel gives ENOENT, ENOTDIR, ELOOP, EXDEV and ENAMETOOLONG for real. It will not give EACCES or
 * EPERM to root (CI runs as root) nor EISDIR to a read-only open, and an unexpected errno (EIO) cannot be
 * had on demand: those opens are failed by {@link FailingOpens} at the server's {@link FileAccess} seam, by
 * name, before they reach the ring.
 */
class FileServerLookupErrnoTest {
    /** How long a response, or the close after it, may take before the connection counts as hanging. */
    private static final int PROMPT_MS = 3_000;
    private static final String BODY = "a served file\n";

    @TempDir
    Path tmp;
    private FileServer server;
    private final List<RawHttp> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (RawHttp c : clients) {
            c.close();
        }
        if (server != null) {
            try {
                ServerFixture.assertQuiet(server);
            } finally {
                server.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Wiring.class)
    void eachLookupErrnoHasItsStatusAndLeavesNoConnectionHanging(Wiring wiring) throws Exception {
        start(wiring);
        // From the kernel.
        expect(404, "/missing.txt", "ENOENT");
        expect(404, "/f.txt/below", "ENOTDIR");
        expect(403, "/loop-a", "ELOOP: a link cycle");
        expect(403, "/out-link", "EXDEV: a link out of the root, refused by RESOLVE_BENEATH");
        expect(414, "/" + "n".repeat(256), "ENAMETOOLONG: one name over NAME_MAX (255)");
        expect(414, ("/" + "p".repeat(250)).repeat(20), "ENAMETOOLONG: 5020 bytes, over PATH_MAX (4096)");
        expect(414, "/" + "x".repeat(4999), "ENAMETOOLONG: the 5,000-byte path of the report");
        // From the seam: what the kernel will not give here.
        expect(403, "/errno-EACCES", "EACCES");
        expect(403, "/errno-EPERM", "EPERM");
        expect(403, "/errno-EISDIR", "EISDIR");
        expect(500, "/errno-EIO", "an unexpected errno");
        // HEAD gets the same status, with the length the body would have, and nothing after the headers.
        for (String target : new String[] {"/errno-EIO", "/" + "n".repeat(256), "/missing.txt"}) {
            RawHttp c = connect();
            RawHttp.Response r = c.request("HEAD", target);
            assertTrue(r.status() >= 400, target + ": " + r.status());
            assertUsableOrClosed(c, r, "HEAD " + target);
        }
    }

    /**
     * A request line over the decoder's limit never reaches the handler: 414, then the connection closes. With
     * Netty's default limit (4096) the report's 5,000-byte path is one; with the server's (8 KiB), 9,000 bytes.
     */
    @ParameterizedTest
    @EnumSource(Wiring.class)
    void aRequestLineOverTheDecodersLimitIs414AndClosed(Wiring wiring) throws Exception {
        start(wiring, ServerConfig.defaults().toBuilder().maxInitialLineLength(4096).build());
        rejectedAndClosed("/" + "x".repeat(4999));
        ServerFixture.assertQuiet(server);
        server.close();
        start(wiring, ServerConfig.defaults());
        rejectedAndClosed("/" + "y".repeat(9000));
    }

    private void rejectedAndClosed(String target) throws IOException {
        RawHttp c = connect();
        RawHttp.Response r = c.request("GET", target);
        assertEquals(414, r.status(), r.text());
        assertEquals("close", r.header("connection"));
        assertClosedPromptly(c, "after the 414 for " + target.length() + " bytes");
    }

    private void start(Wiring wiring) throws Exception {
        start(wiring, ServerConfig.defaults());
    }

    private void start(Wiring wiring, ServerConfig config) throws Exception {
        Path www = tmp.resolve("www");
        if (!Files.isDirectory(www)) {
            Files.createDirectories(www);
            Files.writeString(www.resolve("f.txt"), BODY);
            Files.writeString(tmp.resolve("outside.txt"), "outside");
            Files.createSymbolicLink(www.resolve("out-link"), tmp.resolve("outside.txt"));
            Files.createSymbolicLink(www.resolve("loop-a"), Path.of("loop-b"));
            Files.createSymbolicLink(www.resolve("loop-b"), Path.of("loop-a"));
        }
        server = FileServer.start(FileServer.Options.of(www).withPort(0).withWiring(wiring).withThreads(1, 1)
                .withConfig(config), FailingOpens::new);
    }

    /** {@code GET target} gets {@code status} with a complete body naming it; then the connection goes on or closes. */
    private void expect(int status, String target, String what) throws IOException {
        RawHttp c = connect();
        RawHttp.Response r;
        try {
            r = c.request("GET", target);
        } catch (SocketTimeoutException e) {
            throw new AssertionError(what + ": no response within " + PROMPT_MS + " ms", e);
        }
        assertEquals(status, r.status(), what + ": " + r.text());
        assertTrue(r.text().startsWith(Integer.toString(status)), what + ": " + r.text());
        assertUsableOrClosed(c, r, what);
    }

    /**
     * After an error response: a connection that said {@code Connection: close} is closed at once; any other
     * answers its next request at once.
     */
    private static void assertUsableOrClosed(RawHttp c, RawHttp.Response r, String what) throws IOException {
        if ("close".equalsIgnoreCase(r.header("connection"))) {
            assertClosedPromptly(c, what);
            return;
        }
        try {
            RawHttp.Response next = c.request("GET", "/f.txt");
            assertEquals(200, next.status(), what + ", then /f.txt");
            assertEquals(BODY, next.text(), what + ", then /f.txt");
        } catch (SocketTimeoutException e) {
            fail(what + ": the connection kept alive did not answer its next request within " + PROMPT_MS + " ms");
        }
    }

    private static void assertClosedPromptly(RawHttp c, String what) throws IOException {
        try {
            assertTrue(c.closedByServer(), what + ": bytes after a response that said Connection: close");
        } catch (SocketTimeoutException e) {
            fail(what + ": said Connection: close but was still open after " + PROMPT_MS + " ms");
        }
    }

    private RawHttp connect() throws IOException {
        RawHttp c = new RawHttp(server.address());
        c.socket().setSoTimeout(PROMPT_MS);
        clients.add(c);
        return c;
    }

    /**
     * Fails the open of a name {@code errno-NAME} with that errno, as {@code openat2} reports it; everything
     * else goes to the ring unchanged.
     *
     * @param ring the server's own access
     */
    private record FailingOpens(FileAccess ring) implements FileAccess {
        private static final String PREFIX = "errno-";

        @Override
        public EventExecutor executor() {
            return ring.executor();
        }

        @Override
        public Future<IoUringFile> openBeneath(IoUringFile dir, String relative, Set<Resolve> resolve,
                                               Promise<IoUringFile> promise) {
            if (relative.startsWith(PREFIX)) {
                int errno = switch (relative.substring(PREFIX.length())) {
                    case "EACCES" -> Errno.EACCES;
                    case "EPERM" -> Errno.EPERM;
                    case "EISDIR" -> Errno.EISDIR;
                    case "EIO" -> Errno.EIO;
                    default -> throw new IllegalArgumentException(relative);
                };
                return promise.setFailure(new FileIoException("openat2", errno, dir.fd(), -1, relative));
            }
            return ring.openBeneath(dir, relative, resolve, promise);
        }

        @Override
        public Future<FileStat> stat(IoUringFile file, Promise<FileStat> promise) {
            return ring.stat(file, promise);
        }

        @Override
        public Future<Integer> read(IoUringFile file, ByteBuf dst, long offset, Promise<Integer> promise) {
            return ring.read(file, dst, offset, promise);
        }
    }
}
