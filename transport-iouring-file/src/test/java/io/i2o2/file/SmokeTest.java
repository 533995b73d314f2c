package io.i2o2.file;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SmokeTest {
    @Test
    void nopAndRead(@TempDir Path dir) throws Exception {
        Path f = Files.write(dir.resolve("a"), "hello io_uring".getBytes());
        IoUringFileEventLoopGroup g = new IoUringFileEventLoopGroup(1);
        try {
            FileIo loop = FileIo.of(g.next());
            assertEquals(0, loop.nop().get(5, TimeUnit.SECONDS));
            System.out.println(loop + " wake=" + loop.wakeMechanism() + " dropped=" + loop.droppedRingFlags());
            IoUringFile file = loop.open(f).get(5, TimeUnit.SECONDS);
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(64);
            assertEquals(14, file.read(buf, 0).get(5, TimeUnit.SECONDS));
            assertEquals("hello io_uring", buf.toString(java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(1, buf.refCnt());
            buf.release();
            file.close().get(5, TimeUnit.SECONDS);
            for (int i = 0; i < 100000; i++) {
                loop.nop().get();
            }
        } finally {
            assertTrue(g.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS));
        }
    }
}
