package io.i2o2.example.fileserver;

import io.i2o2.file.IoUringConfig;
import io.i2o2.file.FileIoException;
import io.i2o2.file.FileIoOverloadedException;
import io.i2o2.uring.Errno;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failures of io_uring operations become status codes, and no buffer, file or connection is left behind. */
class FileServerErrorsTest {
    @TempDir
    Path www;

    @Test
    void errnosMapToStatuses() {
        assertEquals(HttpResponseStatus.NOT_FOUND, HttpFileHandler.statusOf(new FileIoException("openat", 2,
                -1, -1, null)));
        assertEquals(HttpResponseStatus.FORBIDDEN, HttpFileHandler.statusOf(new FileIoException("openat", 13,
                -1, -1, null)));
        assertEquals(HttpResponseStatus.FORBIDDEN, HttpFileHandler.statusOf(new FileIoException("openat", 40,
                -1, -1, null)));
        assertEquals(HttpResponseStatus.REQUEST_URI_TOO_LONG, HttpFileHandler.statusOf(new FileIoException(
                "openat2", 36, -1, -1, null)));   // ENAMETOOLONG
        assertEquals(HttpResponseStatus.FORBIDDEN, HttpFileHandler.statusOf(new FileIoException("openat2",
                Errno.EISDIR, -1, -1, null)));
        assertEquals(HttpResponseStatus.INTERNAL_SERVER_ERROR, HttpFileHandler.statusOf(new FileIoException(
                "read", 5, 3, 0, null)));
        assertEquals(HttpResponseStatus.SERVICE_UNAVAILABLE, HttpFileHandler.statusOf(
                new FileIoOverloadedException("full")));
        assertEquals(HttpResponseStatus.FORBIDDEN, HttpFileHandler.statusOf(new AccessDeniedException("x")));
        assertEquals(HttpResponseStatus.INTERNAL_SERVER_ERROR, HttpFileHandler.statusOf(new IllegalStateException()));
    }

    @Test
    void aDeadFileGroupGives500AndTheConnectionGoesOn() throws Exception {
        ServerFixture.write(www.resolve("f"), 1000, 1);
        try (FileServer server = FileServer.start(FileServer.Options.of(www).withPort(0)
                .withWiring(Wiring.CHANNEL))) {
            server.fileGroup().shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            try (RawHttp c = new RawHttp(server.address())) {
                RawHttp.Response r = c.request("GET", "/f");
                assertEquals(500, r.status());
                assertTrue(r.text().startsWith("500"), r.text());
                // Nothing about the failure poisons the connection.
                assertEquals(500, c.request("HEAD", "/f").status());
                // Every lookup needs the ring now (openat2 beneath the root): only what names alone decide
                // is answered without it.
                assertEquals(500, c.request("GET", "/missing").status());
                assertEquals(403, c.request("GET", "/../secret").status());
            }
            ServerFixture.eventually(() -> "connection closed", () -> server.stats().openConnections() == 0);
            assertEquals(0, server.stats().outstandingChunkBytes());
        }
    }

    /**
     * A ring that holds one operation at a time, hammered by 16 connections: lookups refused for room get
     * 503 with Retry-After, reads refused mid-body are retried, and every 200 is complete and exact.
     */
    @ParameterizedTest
    @EnumSource(Wiring.class)
    void aFullRingGives503OrExactBodies(Wiring wiring) throws Exception {
        byte[] data = ServerFixture.write(www.resolve("f"), 300_000, 2);
        IoUringConfig tiny = IoUringConfig.builder().maxInFlight(1).build();
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try (FileServer server = FileServer.start(FileServer.Options.of(www).withPort(0).withWiring(wiring)
                .withThreads(2, 1).withChunkSize(16 * 1024).withFileConfig(tiny))) {
            List<Future<int[]>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(clients.submit(() -> {
                    int ok = 0;
                    int unavailable = 0;
                    try (RawHttp c = new RawHttp(server.address())) {
                        for (int k = 0; k < 20; k++) {
                            RawHttp.Response r = c.request("GET", "/f");
                            if (r.status() == 503) {
                                assertEquals("1", r.header("retry-after"));
                                unavailable++;
                            } else {
                                assertEquals(200, r.status());
                                assertArrayEquals(data, r.body());
                                ok++;
                            }
                        }
                    }
                    return new int[] {ok, unavailable};
                }));
            }
            int ok = 0;
            int unavailable = 0;
            for (Future<int[]> f : results) {
                int[] r = f.get(120, TimeUnit.SECONDS);
                ok += r[0];
                unavailable += r[1];
            }
            System.out.printf("%s wiring, maxInFlight 1: %d complete bodies, %d x 503%n", wiring, ok, unavailable);
            assertEquals(16 * 20, ok + unavailable);
            assertTrue(ok > 0, "some requests got through");
            ServerFixture.assertQuiet(server);
        } finally {
            clients.shutdownNow();
        }
    }
}
