package io.i2o2.file;

import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.uring.IoUringIoHandler;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's kill switch, {@code -Dio.i2o2.disable=true}: with it this library never touches io_uring, also
 * not through a loop of Netty's io_uring transport (the README's first wiring), whose channels go on using it:
 * every loop runs the portable engine instead, and a group that must have io_uring fails naming the switch.
 * The probe's answer is cached per JVM, so each case runs in a child JVM ({@link Child}).
 */
class KillSwitchTest {
    @Test
    void switchedOffEveryLoopRunsThePortableEngineAndNoRingIsMade() throws Exception {
        Assumptions.assumeTrue(io.netty.channel.uring.IoUring.isAvailable(), "Netty's io_uring transport is absent");
        Map<String, String> off = child("-Dio.i2o2.disable=true");
        assertEquals("false", off.get("available"), "IoUring.isAvailable(): " + off);
        assertEquals("true", off.get("supported"), "isSupported(a Netty io_uring loop): " + off);
        assertEquals("PORTABLE read 5", off.get("of"), "of(a Netty io_uring loop) reads through: " + off);
        assertEquals("PORTABLE read 5", off.get("group"), "a group of ours: " + off);
        assertEquals("0", off.get("newRings"), "io_uring descriptors this library made: " + off);
        assertTrue(off.get("required").startsWith("java.lang.UnsupportedOperationException: ")
                && off.get("required").contains("-Dio.i2o2.disable=true"), "a group that must have io_uring: " + off);
        // The same child without the switch: io_uring engines, so what changed above was the switch.
        Map<String, String> on = child("-Dio.i2o2.disable=false");
        assertEquals("true", on.get("supported"), "without the switch: " + on);
        assertEquals("NETTY_RING read 5", on.get("of"), "without the switch: " + on);
        assertEquals("RING_SQE64 read 5", on.get("group"), "without the switch: " + on);
        assertEquals("RING_SQE64 read 5", on.get("required"), "without the switch: " + on);
    }

    /** Runs {@link Child} in a JVM with {@code property}; its {@code key=value} lines. */
    private static Map<String, String> child(String property) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                property, "-cp", System.getProperty("java.class.path"), Child.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM hung: " + out);
        assertEquals(0, p.exitValue(), "the child JVM failed: " + out);
        Map<String, String> answers = new HashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (line.startsWith("i2o2.") && eq > 0) {
                answers.put(line.substring("i2o2.".length(), eq), line.substring(eq + 1));
            }
        }
        return answers;
    }

    /** The child: asks the file API about a loop of Netty's io_uring transport, and starts one of our groups. */
    public static final class Child {
        private Child() {
        }

        /**
         * Prints {@code i2o2.available}, {@code i2o2.supported}, {@code i2o2.of} and {@code i2o2.group}.
         *
         * @param args none
         * @throws Exception if Netty's loop does not shut down
         */
        public static void main(String[] args) throws Exception {
            Path file = java.nio.file.Files.createTempFile("kill-switch", ".txt");
            java.nio.file.Files.writeString(file, "hello");
            MultiThreadIoEventLoopGroup netty = new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory());
            try {
                IoEventLoop loop = (IoEventLoop) netty.next();
                loop.submit(() -> { }).sync();      // Netty's ring exists: what is counted below is ours
                long ringsBefore = ringDescriptors();
                System.out.println("i2o2.available=" + IoUring.isAvailable());
                System.out.println("i2o2.supported=" + FileIo.isSupported(loop));
                System.out.println("i2o2.of=" + attempt(() -> readThrough(FileIo.of(loop), file)));
                System.out.println("i2o2.group=" + attempt(() -> readThrough(new IoUringFileEventLoopGroup(1), file)));
                System.out.println("i2o2.newRings=" + (IoUring.isAvailable() ? 0 : ringDescriptors() - ringsBefore));
                System.out.println("i2o2.required=" + attempt(() -> readThrough(new IoUringFileEventLoopGroup(1,
                        IoUringConfig.builder().engine(EngineChoice.IO_URING).build()), file)));
            } finally {
                netty.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
                java.nio.file.Files.delete(file);
            }
        }

        /** The engine and what a read of {@code file} gives, then the group shut down. */
        private static String readThrough(IoUringFileEventLoopGroup group, Path file) throws Exception {
            try {
                return readThrough(group.nextFileIo(), file);
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        }

        private static String readThrough(FileIo files, Path file) throws Exception {
            IoUringFile f = files.open(file).sync().getNow();
            io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.directBuffer(16);
            try {
                return files.engine() + " read " + f.read(buf, 0).sync().getNow();
            } finally {
                buf.release();
                f.close().sync();
            }
        }

        /** How many io_uring instances this process holds open ({@code anon_inode:[io_uring]} descriptors). */
        private static long ringDescriptors() throws java.io.IOException {
            try (var fds = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
                return fds.filter(fd -> {
                    try {
                        return java.nio.file.Files.readSymbolicLink(fd).toString().contains("io_uring");
                    } catch (java.io.IOException | UnsupportedOperationException gone) {
                        return false;
                    }
                }).count();
            }
        }

        private interface Attempt {
            String run() throws Exception;
        }

        private static String attempt(Attempt a) {
            try {
                return a.run();
            } catch (Exception e) {
                return oneLine(e);
            }
        }

        private static String oneLine(Throwable t) {
            return (t.getClass().getName() + ": " + t.getMessage()).replace('\n', ' ');
        }
    }
}
