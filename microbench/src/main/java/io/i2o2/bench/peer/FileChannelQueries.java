package io.i2o2.bench.peer;

import io.i2o2.bench.BenchEnv;
import io.i2o2.bench.LatencyHistogram;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.Trial;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The query workloads on the JDK's {@link FileChannel}, as Lucene reads today: a query's reads are positional
 * reads ({@code FileChannel.read(ByteBuffer, long)}) one after the other on the querying thread, each into a
 * buffer of its own (4 KiB aligned direct buffers, so O_DIRECT takes them), the query done when the last one
 * returns. O_DIRECT opens the channel with {@code ExtendedOpenOption.DIRECT} ({@link DirectIo}). The querying
 * threads share one channel, or ({@code fc-per-thread}) each opens its own before the clock starts.
 */
final class FileChannelQueries {
    private final FileChannel channel;
    private final ByteBuffer[] buffers;
    private final int bs;
    private final long blocks;
    private final SplittableRandom random = new SplittableRandom(0x2024);

    private FileChannelQueries(FileChannel channel, int reads, int bs, long blocks) {
        this.channel = channel;
        this.buffers = new ByteBuffer[reads];
        for (int i = 0; i < reads; i++) {
            buffers[i] = Buffers.aligned(bs);
        }
        this.bs = bs;
        this.blocks = blocks;
    }

    /**
     * Runs the trial: {@code trial.threads()} querying threads, each running queries of {@code trial.qd()} reads
     * back to back until the deadline.
     *
     * @param trial            the query trial
     * @param env              the data file and duration
     * @param channelPerThread each thread reads a channel of its own
     * @return the measurement, one op per query
     * @throws Exception if a read failed
     */
    static Measurement run(Trial trial, BenchEnv env, boolean channelPerThread) throws Exception {
        int bs = trial.workload().blockSize();
        List<OpenOption> opts = new ArrayList<>(List.of(StandardOpenOption.READ));
        if (trial.workload().direct()) {
            opts.add(DirectIo.OPTION);
        }
        OpenOption[] open = opts.toArray(OpenOption[]::new);
        List<FileChannel> own = new ArrayList<>();
        try (FileChannel shared = FileChannel.open(env.dataFile(), open)) {
            Measurement m = Producers.runBodies(trial.threads(), trial.kind(), env.durationNanos(), p -> {
                FileChannel ch = shared;
                if (channelPerThread) {
                    ch = FileChannel.open(env.dataFile(), open);
                    own.add(ch);
                }
                return new FileChannelQueries(ch, trial.qd(), bs, env.blocks(bs))::run;
            });
            return Queries.measured(m, trial.qd());
        } finally {
            for (FileChannel ch : own) {
                ch.close();
            }
        }
    }

    /** One querying thread: queries back to back until the deadline. */
    private long run(LatencyHistogram hist, long deadline) {
        long queries = 0;
        for (long now = System.nanoTime(); now < deadline; ) {
            query();
            long after = System.nanoTime();
            hist.record(after - now);
            queries++;
            now = after;
        }
        return queries;
    }

    /** One query: every read in turn, each checked. */
    private void query() {
        try {
            for (ByteBuffer buf : buffers) {
                buf.clear();
                int r = channel.read(buf, random.nextLong(blocks) * bs);
                if (r != bs) {
                    throw new IOException("short read: " + r);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
