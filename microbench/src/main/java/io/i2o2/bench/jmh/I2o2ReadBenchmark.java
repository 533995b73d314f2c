package io.i2o2.bench.jmh;

import io.i2o2.bench.files.DataFile;
import io.i2o2.bench.files.MemoryLock;
import io.i2o2.bench.files.MlockLock;
import io.i2o2.file.IntFuture;
import io.i2o2.file.IoCallback;
import io.i2o2.file.IoUringConfig;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringOpenOption;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Param;

/**
 * A 4 KiB read at a random 4 KiB-aligned offset of a small page-cache file through an i2o2 loop
 * ({@code file.read(buf, offset)} / {@code file.read(buf, offset, callback, tag)}), one buffer per slot:
 * Netty's pooled direct buffers, or with {@code registered} the loop's registered buffers (READ_FIXED) and a
 * registered file. See {@link LoopOpBenchmark} for the three shapes.
 *
 * <p>The file is locked in memory ({@link MlockLock}) for the whole fork: these hosts page out page cache
 * that is only read (DAMON reclaim), which would turn the benchmark into a disk benchmark.
 */
public class I2o2ReadBenchmark extends LoopOpBenchmark {
    private static final int BS = 4096;

    /** Size of the data file in MiB. */
    @Param("16")
    public int fileMiB;

    /** Registered buffers and file (READ_FIXED + a fixed-file slot) instead of pooled buffers. */
    @Param({"false", "true"})
    public boolean registered;

    private MemoryLock lock;
    private IoUringFile file;
    private ByteBuf[] buffers;
    private long blocks;
    private long random = 0x9E3779B97F4A7C15L;

    /** For JMH. */
    public I2o2ReadBenchmark() {
    }

    @Override
    protected IoUringConfig.Builder configure(IoUringConfig.Builder b) {
        return registered ? b.fixedBuffers(window, BS).fixedFileSlots(1) : b;
    }

    @Override
    protected void prepare(int slots) throws Exception {
        Path path = Path.of(System.getProperty("java.io.tmpdir"), "i2o2-jmh-" + fileMiB + "m.dat");
        DataFile.ensure(path, (long) fileMiB << 20);
        try {
            lock = MlockLock.start(path);
        } catch (IOException | RuntimeException e) {
            System.err.println("WARNING: " + path + " not locked in memory (" + e.getMessage()
                    + "): reads may go to the disk");
        }
        OpenOption[] options = registered
                ? new OpenOption[] {StandardOpenOption.READ, IoUringOpenOption.REGISTER}
                : new OpenOption[] {StandardOpenOption.READ};
        file = loop.open(path, options).get(30, TimeUnit.SECONDS);
        blocks = ((long) fileMiB << 20) / BS;
        buffers = new ByteBuf[slots];
        for (int s = 0; s < slots; s++) {
            buffers[s] = registered ? loop.fixedBuffers().tryAcquire()
                    : PooledByteBufAllocator.DEFAULT.directBuffer(BS, BS);
        }
    }

    @Override
    protected void release() throws Exception {
        for (ByteBuf b : buffers) {
            b.release();
        }
        file.close().get(30, TimeUnit.SECONDS);
        if (lock != null) {
            lock.close();
        }
    }

    /** The next random block's offset (xorshift: no allocation, any single thread). */
    private long offset() {
        long x = random;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        random = x;
        return Long.remainderUnsigned(x, blocks) * BS;
    }

    @Override
    protected IntFuture submit(int slot) {
        return file.read(buffers[slot].clear(), offset());
    }

    @Override
    protected void submit(int slot, IoCallback callback) {
        file.read(buffers[slot].clear(), offset(), callback, slot);
    }

    @Override
    protected int expected() {
        return BS;
    }
}
