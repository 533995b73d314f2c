package io.i2o2.example.fileserver;

import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Large bodies: streamed with bounded memory however slowly the client reads, and stopped cleanly (no
 * leaked buffer, no open file, a server that goes on) when the client leaves or the file shrinks mid-way.
 */
@ParameterizedClass
@EnumSource(Wiring.class)
class FileServerStreamingTest {
    static final int LARGE = 64 << 20;
    static final int CHUNK = 64 * 1024;
    /**
     * What the server may hold per transfer: the channel's outbound buffer up to its high water mark
     * (64 KiB by default), the chunk written when it was just below, one read in flight, and one chunk that
     * has left but whose write listener has not yet run on the handler's executor (the counter drops a chunk
     * there). Compare with the 64 MiB an unbounded sender would hold.
     */
    static final long BOUND = 64 * 1024 + 3L * CHUNK;

    @Parameter
    Wiring wiring;
    @TempDir
    Path www;
    Path large;
    PooledByteBufAllocator allocator;
    FileServer server;

    @BeforeEach
    void start() throws Exception {
        large = www.resolve("large.bin");
        // Sparse, with random 1 MiB stretches at the start, in the middle and at the end: cheap to create,
        // and a CRC that notices misplaced chunks.
        try (RandomAccessFile f = new RandomAccessFile(large.toFile(), "rw")) {
            f.setLength(LARGE);
            for (long at : new long[] {0, LARGE / 2 - 12_345, LARGE - (1 << 20)}) {
                f.seek(at);
                f.write(ServerFixture.random(1 << 20, at));
            }
        }
        allocator = new PooledByteBufAllocator(true);
        server = FileServer.start(FileServer.Options.of(www).withPort(0).withWiring(wiring).withChunkSize(CHUNK)
                .withAllocator(allocator));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            ServerFixture.assertQuiet(server);
        } finally {
            server.close();
        }
    }

    long activeDirectBytes() {
        return allocator.metric().directArenas().stream().mapToLong(PoolArenaMetric::numActiveBytes).sum();
    }

    static long crcOfFile(Path file, long first, long length) throws Exception {
        CRC32 crc = new CRC32();
        try (FileChannel ch = FileChannel.open(file)) {
            crc.update(ch.map(FileChannel.MapMode.READ_ONLY, first, length));
        }
        return crc.getValue();
    }

    @Test
    void largeFileStreamsWithBoundedMemoryToASlowReader() throws Exception {
        AtomicLong peakAllocator = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (sampling.get()) {
                peakAllocator.accumulateAndGet(activeDirectBytes(), Math::max);
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        server.stats().resetPeaks();
        CRC32 crc = new CRC32();
        long received = 0;
        try (RawHttp c = new RawHttp(server.address())) {
            c.send("GET", "/large.bin");
            RawHttp.Response head = c.read(true);
            assertEquals(200, head.status());
            assertEquals(String.valueOf(LARGE), head.header("content-length"));
            InputStream in = c.input();
            byte[] block = new byte[CHUNK];
            long nextPause = 1 << 20;
            while (received < LARGE) {
                int n = in.read(block, 0, (int) Math.min(block.length, LARGE - received));
                assertTrue(n > 0, "body ended after " + received + " bytes");
                crc.update(block, 0, n);
                received += n;
                if (received >= nextPause) {
                    // Stop reading: the socket buffers fill, the channel turns unwritable, the server waits.
                    Thread.sleep(200);
                    long held = server.stats().outstandingChunkBytes();
                    assertTrue(held <= BOUND, "server holds " + held + " bytes of chunks while the client waits");
                    nextPause += 16 << 20;
                }
            }
        } finally {
            sampling.set(false);
            sampler.join();
        }
        assertEquals(crcOfFile(large, 0, LARGE), crc.getValue());
        long peak = server.stats().peakOutstandingChunkBytes();
        System.out.printf("%s wiring: 64 MiB streamed; peak chunk bytes held %d, peak allocator active %d%n",
                wiring, peak, peakAllocator.get());
        assertTrue(peak <= BOUND, "peak chunk bytes " + peak + " > " + BOUND);
        assertTrue(peak >= CHUNK, "the counter saw the chunks: " + peak);
        // Independent of the server's own counting: the allocator's memory in use stayed a small fraction of
        // the file. Its metric moves in whole 4 MiB chunks, one per arena a thread allocates from.
        assertTrue(peakAllocator.get() <= 16L << 20, "allocator peak " + peakAllocator.get());
    }

    @Test
    void clientLeavingMidTransferReleasesEverything() throws Exception {
        // Leaving before reading anything comes last: the server may open the file for that request only after
        // the client is gone, so nothing can be counted after it but the final quiet check.
        for (long readBeforeLeaving : new long[] {1, 100_000, 5 << 20, 0}) {
            try (RawHttp c = new RawHttp(server.address())) {
                c.send("GET", "/large.bin");
                if (readBeforeLeaving > 0) {
                    assertEquals(200, c.read(true).status());
                    assertEquals(readBeforeLeaving, c.input().readNBytes((int) readBeforeLeaving).length);
                    // Mid-transfer the file is open, once; the check after leaving sees it closed again.
                    assertEquals(List.of(server.root().resolve("large.bin")),
                            ServerFixture.openFilesUnder(server.root()));
                }
                c.socket().setSoLinger(true, 0);
            }
            // The server notices the reset and closes its file asynchronously: let it, before the next round
            // counts open files again.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (!ServerFixture.openFilesUnder(server.root()).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }
        ServerFixture.assertQuiet(server);
        // The server goes on serving: a range from the middle, checked.
        try (RawHttp c = new RawHttp(server.address())) {
            RawHttp.Response r = c.request("GET", "/large.bin", "Range: bytes=33554000-33654000");
            assertEquals(206, r.status());
            CRC32 crc = new CRC32();
            crc.update(r.body());
            assertEquals(crcOfFile(large, 33_554_000, 100_001), crc.getValue());
        }
    }

    @Test
    void fileShrinkingMidTransferClosesTheConnection() throws Exception {
        try (RawHttp c = new RawHttp(server.address())) {
            c.send("GET", "/large.bin");
            assertEquals(200, c.read(true).status());
            assertEquals(1 << 20, c.input().readNBytes(1 << 20).length);
            try (RandomAccessFile f = new RandomAccessFile(large.toFile(), "rw")) {
                f.setLength(8 << 20);
            }
            // The server cannot send the promised length: it closes the connection, short of it.
            byte[] rest = c.input().readAllBytes();
            assertTrue(rest.length < LARGE - (1 << 20), "got " + rest.length);
        }
        ServerFixture.assertQuiet(server);
        try (RawHttp c = new RawHttp(server.address())) {
            RawHttp.Response r = c.request("GET", "/large.bin", "Range: bytes=0-9");
            assertArrayEquals(Arrays.copyOf(ServerFixture.random(1 << 20, 0), 10), r.body());
        }
    }
}
