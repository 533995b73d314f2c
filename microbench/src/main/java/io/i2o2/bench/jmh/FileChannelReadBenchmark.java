package io.i2o2.bench.jmh;

import io.i2o2.bench.files.DataFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH example on a peer: one 4 KiB positional {@link FileChannel} read at a random offset of a
 * page-cache file. The template for JMH benchmarks of the library's op path (allocation per op with
 * {@code -prof gc}). The file is small (64 MiB) and read just before measuring, so it is resident; for a
 * locked file use the CLI, which holds it with vmtouch.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class FileChannelReadBenchmark {
    /** Size of the data file in MiB. */
    @Param("64")
    public int fileMiB;

    private FileChannel channel;
    private ByteBuffer buffer;
    private long blocks;

    /** Creates the state; JMH calls this. */
    public FileChannelReadBenchmark() {
    }

    /**
     * Creates (once) and opens the data file.
     *
     * @throws IOException if the file cannot be made
     */
    @Setup(Level.Trial)
    public void open() throws IOException {
        Path file = Path.of(System.getProperty("java.io.tmpdir"), "i2o2-jmh-" + fileMiB + "m.dat");
        DataFile.ensure(file, (long) fileMiB << 20);
        channel = FileChannel.open(file, StandardOpenOption.READ);
        buffer = ByteBuffer.allocateDirect(4096);
        blocks = channel.size() / 4096;
        for (long b = 0; b < blocks; b++) {    // warm the page cache before the first iteration
            buffer.clear();
            channel.read(buffer, b * 4096);
        }
    }

    /**
     * Closes the file.
     *
     * @throws IOException on close failure
     */
    @TearDown(Level.Trial)
    public void close() throws IOException {
        channel.close();
    }

    /**
     * One 4 KiB read at a random block.
     *
     * @return bytes read (returned so that JMH consumes it)
     * @throws IOException on read failure
     */
    @Benchmark
    public int read4k() throws IOException {
        buffer.clear();
        return channel.read(buffer, ThreadLocalRandom.current().nextLong(blocks) * 4096);
    }
}
