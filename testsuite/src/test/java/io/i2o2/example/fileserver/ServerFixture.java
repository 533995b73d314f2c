package io.i2o2.example.fileserver;

import io.i2o2.file.FileIo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** What the server tests share: files with known content, and the checks every test ends with. */
public final class ServerFixture {
    private ServerFixture() {
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The readable bytes of a buffer. */
    public static byte[] bytes(io.netty.buffer.ByteBuf buf) {
        byte[] out = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), out);
        return out;
    }

    public static byte[] write(Path file, int size, long seed) throws Exception {
        byte[] data = random(size, seed);
        Files.createDirectories(file.getParent());
        Files.write(file, data);
        return data;
    }

    /** Waits up to 10 s for {@code condition}, then fails saying {@code what} (as it is then). */
    static void eventually(Supplier<String> what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within 10 s: " + what.get());
            }
            Thread.sleep(5);
        }
    }

    /**
     * The server is back at rest: every connection closed, no chunk buffer held, no io_uring operation
     * pending, no file under the root open. Call after the clients closed their sockets.
     */
    static void assertQuiet(FileServer server) throws InterruptedException {
        eventually(() -> "connections closed: " + server.stats(), () -> server.stats().openConnections() == 0);
        eventually(() -> "chunk buffers released: " + server.stats(),
                () -> server.stats().outstandingChunkBytes() == 0);
        // Would fail, with every slot free, if the loop's slot table lost a free slot (MpmcIntQueue once refused an
        // offer while a concurrent poll was half done; fixed, and tested in MpmcIntQueueTest).
        eventually(() -> "io_uring ops done: " + pendingOps(server), () -> {
            for (var loop : server.fileGroup()) {
                if ((FileIo.of((io.netty.channel.IoEventLoop) loop).pendingOps()) != 0) {
                    return false;
                }
            }
            return true;
        });
        assertEquals(0, server.stats().outstandingChunkBytes());
        eventually(() -> "files under the root closed: " + openFilesUnder(server.root()),
                () -> openFilesUnder(server.root()).isEmpty());
    }

    private static String pendingOps(FileServer server) {
        StringBuilder s = new StringBuilder("pending per loop:");
        server.fileGroup().forEach(l -> s.append(' ').append((FileIo.of((io.netty.channel.IoEventLoop) l).pendingOps())));
        return s.toString();
    }

    /** This process's open descriptors that point below {@code dir} (from {@code /proc/self/fd}). */
    static List<Path> openFilesUnder(Path dir) {
        List<Path> open = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    // The root itself stays open for the server's life: paths are opened beneath it.
                    if (target.startsWith(dir) && !target.equals(dir)) {
                        open.add(target);
                    }
                } catch (IOException gone) {
                    // Closed while we listed: not open.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return open;
    }
}
