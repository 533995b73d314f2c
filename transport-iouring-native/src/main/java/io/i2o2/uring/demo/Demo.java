package io.i2o2.uring.demo;

import io.i2o2.uring.Errno;
import io.i2o2.uring.IoUringProbe;
import io.i2o2.uring.Linux;
import io.i2o2.uring.Opcode;
import io.i2o2.uring.Probe;
import io.i2o2.uring.Ring;
import io.i2o2.uring.RingParams;
import io.i2o2.uring.SetupFlag;
import io.i2o2.uring.Sqe;
import io.i2o2.uring.UringException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A guided tour of the ring on this machine, run by {@code ./i2o2 demo}: what the kernel offers, a NOP
 * throughput figure, and a real file opened, read and closed through io_uring, each step printed.
 *
 * <p>It uses only the public API of {@code io.i2o2.uring}, the way the file module does: set up a
 * {@link Ring}, write entries with {@link Sqe}'s {@code prep*} methods, submit, reap. Every wait is bounded,
 * so a kernel that never answers ends the demo with an error instead of a hang.
 */
public final class Demo {
    private static final int NOPS = 100_000;
    private static final int BATCH = 32;
    private static final int FILE_SIZE = 64 * 1024;
    private static final int READ_SIZE = 4096;
    private static final long READ_OFFSET = 12_345;
    private static final long WAIT_NANOS = 5_000_000_000L;

    /** The result of the last reaped CQE; the demo waits for one request at a time. */
    private static int lastRes;
    /** How many reaped CQEs had a negative result (an error). */
    private static int failures;

    private Demo() {
    }

    /**
     * Runs the demo and exits with 0 when every step worked, or 1 after printing what failed.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        IoUringProbe.exitIfUnavailable("i2o2 demo");
        try {
            run();
            System.out.println("\nAll steps passed.");
        } catch (IOException | RuntimeException e) {
            System.err.println("\ndemo failed: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void run() throws IOException {
        System.out.println("i2o2 io_uring demo");
        show("kernel", System.getProperty("os.version"));
        show("cpu", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores");

        RingParams params = RingParams.builder().entries(256)
                .prefer(SetupFlag.SINGLE_ISSUER, SetupFlag.DEFER_TASKRUN, SetupFlag.NO_SQARRAY).build();
        try (Ring ring = Ring.open(params)) {
            step(1, "a ring, asking for SINGLE_ISSUER|DEFER_TASKRUN|NO_SQARRAY where the kernel has them");
            show("ring", ring.toString());
            show("flags", SetupFlag.describe(ring.flags()));
            show("dropped", SetupFlag.describe(ring.droppedFlags()));
            show("features", "0x" + Integer.toHexString(ring.features()));

            step(2, "what the kernel supports (IORING_REGISTER_PROBE)");
            Probe probe = ring.probe();
            show("opcodes", probe.supportedNames().size() + " supported, numbered below " + probe.lastOpcode());
            show("URING_CMD", yesNo(probe.supports(Opcode.URING_CMD)) + " (NVMe passthrough)");
            show("FTRUNCATE", yesNo(probe.supports(Opcode.FTRUNCATE)));

            step(3, "NOP round trips in batches of " + BATCH + ", twice");
            nopThroughput(ring);

            step(4, "a real file: openat, read, close, all through the ring");
            readFileThroughRing(ring);
        }

        step(5, "a 128-byte ring (SQE128|CQE32), as NVMe passthrough needs");
        try (Ring big = Ring.open(RingParams.builder().entries(8).require(SetupFlag.SQE128, SetupFlag.CQE32).build())) {
            show("ring", big.toString());
            show("NOP", "completed with " + submitOne(big, "NOP", Sqe::prepNop));
        }
    }

    /** Two timed passes: the first includes the JIT compiling the FFM downcalls, the second does not. */
    private static void nopThroughput(Ring ring) throws UringException {
        for (String pass : new String[] {"cold JIT", "warm"}) {
            long start = System.nanoTime();
            for (int done = 0; done < NOPS; done += BATCH) {
                int n = Math.min(BATCH, NOPS - done);
                for (int i = 0; i < n; i++) {
                    ring.sq().next().prepNop().userData(done + i);
                }
                awaitCompletions(ring, n, "NOP batch");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (failures > 0) {
                throw new IllegalStateException(failures + " NOPs failed; the last with " + Errno.format(lastRes));
            }
            show(pass, String.format("%,d NOPs in %.1f ms: %.2f M ops/s", NOPS, seconds * 1e3, NOPS / seconds / 1e6));
        }
        show("note", "one thread, no tuning, on a shared machine: the benchmarks give the real figures");
    }

    private static void readFileThroughRing(Ring ring) throws IOException {
        byte[] data = new byte[FILE_SIZE];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        Path file = Files.write(Files.createTempFile("i2o2-demo-", ".bin"), data);
        try (Arena arena = Arena.ofConfined()) {
            show("file", file + ", " + FILE_SIZE + " known bytes written with Files.write");
            long path = arena.allocateFrom(file.toString()).address();
            int fd = submitOne(ring, "openat",
                    s -> s.prepOpenat(Linux.AT_FDCWD, path, Linux.O_RDONLY | Linux.O_CLOEXEC, 0));
            show("openat", "IORING_OP_OPENAT gave fd " + fd);

            MemorySegment buf = arena.allocate(READ_SIZE, 4096);
            int read = submitOne(ring, "read", s -> s.prepRead(fd, buf.address(), READ_SIZE, READ_OFFSET));
            byte[] expected = Arrays.copyOfRange(data, (int) READ_OFFSET, (int) READ_OFFSET + READ_SIZE);
            boolean match = read == READ_SIZE && Arrays.equals(expected, buf.toArray(JAVA_BYTE));
            show("read", "IORING_OP_READ of " + READ_SIZE + " bytes at offset " + READ_OFFSET + " returned " + read
                    + (match ? ": the bytes match the file" : ": the bytes DIFFER"));
            int closed = submitOne(ring, "close", s -> s.prepClose(fd));
            show("close", "IORING_OP_CLOSE returned " + closed);
            if (!match) {
                throw new IllegalStateException("the bytes read through the ring differ from the file's");
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Submits one entry written by {@code prep} and returns its result; a negative result is an error. */
    private static int submitOne(Ring ring, String what, Consumer<Sqe> prep) throws UringException {
        Sqe sqe = ring.sq().next();
        if (sqe == null) {
            throw new IllegalStateException("the SQ is unexpectedly full");
        }
        prep.accept(sqe);
        sqe.userData(1);
        awaitCompletions(ring, 1, what);
        if (lastRes < 0) {
            throw new UringException(what, -lastRes, "the request failed");
        }
        return lastRes;
    }

    /** Submits what is queued and reaps until {@code count} CQEs arrived, or fails after a few seconds. */
    private static void awaitCompletions(Ring ring, int count, String what) throws UringException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        int seen = 0;
        while (seen < count) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(what + ": only " + seen + " of " + count + " completions in 5 s");
            }
            ring.submitAndWait(count - seen, WAIT_NANOS / 10);
            seen += ring.reap((userData, res, flags, x0, x1) -> {
                lastRes = res;
                failures += res < 0 ? 1 : 0;
            }, count - seen);
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    private static void step(int n, String title) {
        System.out.println("\n" + n + ". " + title);
    }

    private static void show(String label, String value) {
        System.out.printf("   %-10s %s%n", label, value);
    }
}
