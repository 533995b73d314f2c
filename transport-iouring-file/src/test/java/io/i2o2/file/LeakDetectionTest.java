package io.i2o2.file;

import io.i2o2.uring.WithoutIoUring;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The leak check every test class runs under actually catches a leak. */
@WithoutIoUring
class LeakDetectionTest {
    @Test
    void anUnreleasedBufferIsReported() throws Exception {
        LeakDetection.collect();
        leakOne();
        List<String> leaks = LeakDetection.collect();
        assertFalse(leaks.isEmpty(), "a buffer dropped without release() must be reported");
        assertTrue(leaks.get(0).contains("leakOne"), "the report says where it was allocated:\n" + leaks.get(0));
    }

    private static void leakOne() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        b.writeByte(1);
    }
}
