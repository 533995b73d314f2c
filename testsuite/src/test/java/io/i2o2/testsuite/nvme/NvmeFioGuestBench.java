package io.i2o2.testsuite.nvme;

import io.i2o2.file.AlignedBuffers;
import io.i2o2.file.IoUringConfig;
import io.i2o2.file.IoUringEventLoopGroup;
import io.i2o2.file.FileIo;
import io.i2o2.file.IoUringPassthroughEventLoopGroup;
import io.i2o2.file.nvme.NvmeNamespace;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The opt-in comparison of {@link NvmeGuestIT} ({@code -Di2o2.guest.fio=true}), run inside the guest after the
 * tests, in its own JVM with the full JIT (C1 and C2; the test JVM runs C1 only): 4 KiB random reads over
 * namespace 1 at queue depth 1 and 32 through the library's public API ({@link NvmeNamespace} on an
 * {@link IoUringPassthroughEventLoopGroup}), against fio's {@code io_uring_cmd} engine on the same device, in three
 * modes: plain buffers, registered buffers (fio {@code --fixedbufs}) and polled completions (fio {@code --hipri};
 * ours: an IOPOLL passthrough loop; the guest has one poll queue). After a warm-up of every point (the JIT, and
 * fio's first start), three rounds alternate the two on each point (odd rounds the library first, even rounds fio
 * first), so a drift of the emulator's speed hits both. fio runs each point twice per round: with its defaults
 * and tuned ({@code fio-randread.sh -t tuned}).
 *
 * <p>Ours, as fio's workload: one thread (the loop's), {@code depth} reads kept in flight, each next read issued
 * from the previous one's listener on the loop (no thread hop), uniform random 4 KiB-aligned offsets over the
 * whole namespace, one 4 KiB buffer per slot, a 1 s ramp then {@code seconds} counted.
 *
 * <p>Writes {@code bench.txt} (one line per measurement: {@code i2o2|fio mode=M [opts=T] qd=N iops=X round=R})
 * in the current folder, which {@link NvmeGuestIT} reads back; fio leaves its JSON reports there too. Arguments:
 * the path of {@code fio-randread.sh}, the seconds per point, the warm-up seconds per point.
 */
public final class NvmeFioGuestBench {
    private static final long WAIT_SECONDS = 120;
    private static final int ROUNDS = 3;
    private static final int[] DEPTHS = {1, 32};
    private static final long RAMP_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Registered buffers per loop: one per slot at the deepest depth, and room. */
    private static final int FIXED_BUFFERS = 64;

    enum Mode {
        PLAIN("plain", "plain"), REGISTERED("registered", "fixedbufs"), POLLED("polled", "hipri");

        final String label;
        final String fioMode;

        Mode(String label, String fioMode) {
            this.label = label;
            this.fioMode = fioMode;
        }
    }

    /**
     * Ours in the registered mode: {@link NvmeNamespace#read} into a buffer of the loop's
     * {@link FileIo#fixedBuffers()} (the plain loop is built with {@link #FIXED_BUFFERS} of 4 KiB), which
     * the library sends with {@code IORING_URING_CMD_FIXED} and the buffer's index, as fio {@code --fixedbufs}
     * does: the kernel skips pinning and mapping the pages per read.
     */
    private static Future<Integer> registeredRead(NvmeNamespace ns, long lba, int blocks, ByteBuf fixed) {
        return ns.read(lba, blocks, fixed);
    }

    private final Path fioScript;
    private final double seconds;
    private final double warmupSeconds;
    private final Path results = Path.of("bench.txt");

    private NvmeFioGuestBench(Path fioScript, double seconds, double warmupSeconds) {
        this.fioScript = fioScript;
        this.seconds = seconds;
        this.warmupSeconds = warmupSeconds;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: NvmeFioGuestBench FIO_SCRIPT SECONDS WARMUP_SECONDS");
            System.exit(2);
        }
        new NvmeFioGuestBench(Path.of(args[0]), Double.parseDouble(args[1]), Double.parseDouble(args[2])).run();
        System.exit(0);   // the groups' threads are gone, but leave no doubt
    }

    private void run() throws Exception {
        System.out.println("bench: kernel " + System.getProperty("os.version") + ", java " + Runtime.version() + ", "
                + Runtime.getRuntime().availableProcessors() + " cpu(s), " + seconds + " s per point, warm-up "
                + warmupSeconds + " s per point, " + ROUNDS + " rounds");
        Path device = GuestNamespaces.generic(1);
        IoUringPassthroughEventLoopGroup plain = new IoUringPassthroughEventLoopGroup(1,
                IoUringConfig.builder().fixedBuffers(FIXED_BUFFERS, 4096).build());
        IoUringPassthroughEventLoopGroup polled = new IoUringPassthroughEventLoopGroup(1,
                IoUringConfig.builder().ioPoll(true).requireAllFlags(false).build());
        NvmeNamespace plainNs = null;
        NvmeNamespace polledNs = null;
        try {
            plainNs = NvmeNamespace.open(plain.nextFileIo(), device).get(WAIT_SECONDS, TimeUnit.SECONDS);
            FileIo polledIo = polled.nextFileIo();
            boolean isPolled = polledIo.ringFlags().contains("IOPOLL");
            System.out.println("bench: " + plainNs + " on " + device + "; polled loop flags " + polledIo.ringFlags());
            polledNs = isPolled ? NvmeNamespace.open(polledIo, device).get(WAIT_SECONDS, TimeUnit.SECONDS) : null;

            // Warm-up: every point once, ours and fio (its first start reads its binary and libraries over 9p).
            for (int qd : DEPTHS) {
                for (Mode mode : Mode.values()) {
                    NvmeNamespace ns = mode == Mode.POLLED ? polledNs : plainNs;
                    if (ns != null) {
                        System.out.println("bench: warm-up " + retryOnStall(
                                () -> measure(ns, mode, qd, warmupSeconds, "warmup"), "warm-up"));
                    }
                    System.out.println("bench: warm-up " + retryOnStall(
                            () -> fio(mode, "tuned", qd, Math.max(1, warmupSeconds / 4), "warmup"), "warm-up"));
                }
            }
            for (int round = 1; round <= ROUNDS; round++) {
                String label = "round=" + round;
                for (int qd : DEPTHS) {
                    for (Mode mode : Mode.values()) {
                        NvmeNamespace ns = mode == Mode.POLLED ? polledNs : plainNs;
                        if (round % 2 == 0) {
                            fioBoth(mode, qd, label);
                        }
                        if (ns != null) {
                            record(retryOnStall(() -> measure(ns, mode, qd, seconds, label),
                                    "i2o2 " + mode.label + " QD " + qd));
                        } else {
                            record(String.format(Locale.ROOT, "i2o2 mode=%s qd=%d iops=- %s (%s)", mode.label, qd,
                                    label, "this kernel gave no IOPOLL ring"));
                        }
                        if (round % 2 == 1) {
                            fioBoth(mode, qd, label);
                        }
                    }
                }
            }
        } finally {
            for (NvmeNamespace ns : new NvmeNamespace[] {plainNs, polledNs}) {
                if (ns != null) {
                    ns.close().get(WAIT_SECONDS, TimeUnit.SECONDS);
                }
            }
            for (IoUringEventLoopGroup g : List.of(plain, polled)) {
                g.shutdownGracefully(0, 10, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    private void fioBoth(Mode mode, int qd, String label) throws Exception {
        for (String tuning : List.of("default", "tuned")) {
            String line = retryOnStall(() -> fio(mode, tuning, qd, seconds, label), "fio " + mode.label + " "
                    + tuning + " QD " + qd);
            if (line != null) {
                record(line);
            }
        }
    }

    @FunctionalInterface
    private interface Point {
        String run() throws Exception;
    }

    /**
     * Runs a point; when the guest kernel logged an NVMe timeout meanwhile (QEMU's emulated controller under the
     * 6.12 guest sometimes loses a batch of completions: a ~60 s stall, an abort and a controller reset, whose
     * commands end with EINTR) the point does not count: it is run once more, and after a second stall recorded
     * as stalled. A failure without a stall stays a failure.
     */
    private static String retryOnStall(Point point, String what) throws Exception {
        for (int attempt = 1; ; attempt++) {
            int before = nvmeTimeouts().size();
            String line = null;
            Exception failed = null;
            try {
                line = point.run();
            } catch (Exception e) {
                failed = e;
            }
            List<String> after = nvmeTimeouts();
            if (after.size() == before) {
                if (failed != null) {
                    throw failed;
                }
                return line;
            }
            System.out.println("bench: " + what + ": the controller stalled (guest kernel: "
                    + after.get(after.size() - 1).strip() + "); " + (attempt == 1 ? "running it again" : "recorded"
                    + " as stalled"));
            if (attempt == 2) {
                return line == null ? null : line.replaceFirst(" iops=\\d+", " iops=-") + " (stalled)";
            }
        }
    }

    /** The guest kernel's log lines of NVMe timeouts, aborts and resets. */
    private static List<String> nvmeTimeouts() throws Exception {
        Process p = new ProcessBuilder("dmesg").redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return log.lines().filter(l -> l.contains("nvme") && (l.contains("timeout") || l.contains("abort")
                || l.contains("reset"))).toList();
    }

    /** One fio run through fio-randread.sh (which appends its line to fio-bench.txt); returns its line. */
    private String fio(Mode mode, String tuning, int qd, double secs, String label) throws Exception {
        List<String> cmd = List.of("bash", fioScript.toString(), "-n", "1", "-r", Long.toString(Math.round(secs)),
                "-m", mode.fioMode, "-t", tuning, "-l", label, Integer.toString(qd));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(WAIT_SECONDS + (long) secs, TimeUnit.SECONDS) || p.exitValue() != 0) {
            System.out.print(out);
            throw new IllegalStateException("fio failed: " + String.join(" ", cmd));
        }
        String result = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("fio cmd: ") && !label.equals("warmup")) {
                System.out.println(line);
            }
            if (line.startsWith("fio mode=")) {
                result = line.replace(" mode=" + mode.fioMode, " mode=" + mode.label);
            }
        }
        if (result == null) {
            System.out.print(out);
            throw new IllegalStateException("fio printed no result: " + String.join(" ", cmd));
        }
        return result;
    }

    private void record(String line) throws IOException {
        System.out.println(line);
        Files.writeString(results, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /**
     * Keeps {@code depth} reads in flight on the namespace's loop for 1 s of ramp plus {@code secs}, counting the
     * completions after the ramp; returns the result line.
     */
    private String measure(NvmeNamespace ns, Mode mode, int depth, double secs, String label) throws Exception {
        int blocks = 4096 / ns.lbaSize();
        long pages = ns.lbaCount() / blocks;
        FileIo io = ns.device().io();
        SplittableRandom random = new SplittableRandom(42);
        CountDownLatch finished = new CountDownLatch(depth);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] done = new long[1];
        long[] window = new long[2];
        List<ByteBuf> buffers = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            ByteBuf buf = mode == Mode.REGISTERED ? io.fixedBuffers().tryAcquire()
                    : AlignedBuffers.allocate(4096, 4096);
            if (buf == null) {
                buffers.forEach(ByteBuf::release);
                throw new IllegalStateException("registered mode QD " + depth + ": only " + i + " of the loop's "
                        + io.fixedBuffers().count() + " registered buffers are free");
            }
            buffers.add(buf);
        }
        long submittedBefore = io.metrics().submitted();
        long wakeupsBefore = io.metrics().wakeupsSent();
        ns.device().io().executor().execute(() -> {
            long start = System.nanoTime();
            window[0] = start + RAMP_NANOS;
            window[1] = window[0] + (long) (secs * 1e9);
            for (int i = 0; i < depth; i++) {
                ByteBuf buf = buffers.get(i);
                new Object() {
                    void next() {
                        buf.clear();
                        long lba = random.nextLong(pages) * blocks;
                        Future<Integer> read = mode == Mode.REGISTERED ? registeredRead(ns, lba, blocks, buf)
                                : ns.read(lba, blocks, buf);
                        read.addListener(f -> {
                            long now = System.nanoTime();
                            if (!f.isSuccess()) {
                                failure.compareAndSet(null, f.cause());
                                finished.countDown();
                                return;
                            }
                            if (now - window[0] >= 0 && now - window[1] < 0) {
                                done[0]++;
                            }
                            if (now - window[1] < 0) {
                                next();
                            } else {
                                finished.countDown();
                            }
                        });
                    }
                }.next();
            }
        });
        if (!finished.await(WAIT_SECONDS + (long) secs, TimeUnit.SECONDS)) {
            throw new IllegalStateException(mode.label + " QD " + depth + ": reads still in flight after "
                    + (WAIT_SECONDS + (long) secs) + " s");
        }
        buffers.forEach(ByteBuf::release);
        if (failure.get() != null) {
            throw new IllegalStateException(mode.label + " QD " + depth + " read failed", failure.get());
        }
        long ops = io.metrics().submitted() - submittedBefore;
        long wakeups = io.metrics().wakeupsSent() - wakeupsBefore;
        // The loop thread wrote done[] and window[]; the latch's countDown/await orders those writes before here.
        return String.format(Locale.ROOT, "i2o2 mode=%s qd=%d iops=%.0f seconds=%s %s (ops %d, wake-ups %d)",
                mode.label, depth, done[0] / secs, trim(secs), label, ops, wakeups);
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
