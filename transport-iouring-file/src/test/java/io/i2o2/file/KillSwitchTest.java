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
 * not through a loop of Netty's io_uring transport (the README's first wiring), whose channels go on using it.
 * The probe's answer is cached per JVM, so each case runs in a child JVM ({@link Child}).
 */
class KillSwitchTest {
    @Test
    void switchedOffNoLoopIsSupportedAndOfRefusesNamingTheSwitch() throws Exception {
        Assumptions.assumeTrue(io.netty.channel.uring.IoUring.isAvailable(), "Netty's io_uring transport is absent");
        Map<String, String> off = child("-Dio.i2o2.disable=true");
        assertEquals("false", off.get("available"), "IoUring.isAvailable(): " + off);
        assertEquals("false", off.get("supported"), "isSupported(a Netty io_uring loop): " + off);
        assertTrue(off.get("of").startsWith("java.lang.UnsupportedOperationException: ")
                && off.get("of").contains("-Dio.i2o2.disable=true"), "of(a Netty io_uring loop): " + off);
        assertTrue(off.get("group").startsWith("java.lang.UnsupportedOperationException: ")
                && off.get("group").contains("-Dio.i2o2.disable=true"), "a group of ours: " + off);
        // The same child without the switch: Netty's loop is supported, so what failed above was the switch.
        Map<String, String> on = child("-Dio.i2o2.disable=false");
        assertEquals("true", on.get("supported"), "without the switch: " + on);
        assertEquals("returned", on.get("of"), "without the switch: " + on);
        assertEquals("started", on.get("group"), "without the switch: " + on);
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
            MultiThreadIoEventLoopGroup netty = new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory());
            try {
                IoEventLoop loop = (IoEventLoop) netty.next();
                System.out.println("i2o2.available=" + IoUring.isAvailable());
                System.out.println("i2o2.supported=" + FileIo.isSupported(loop));
                try {
                    FileIo.of(loop);
                    System.out.println("i2o2.of=returned");
                } catch (RuntimeException e) {
                    System.out.println("i2o2.of=" + oneLine(e));
                }
                try {
                    new IoUringFileEventLoopGroup(1, IoUringConfig.defaults()).shutdownGracefully(0, 1, TimeUnit.SECONDS)
                            .sync();
                    System.out.println("i2o2.group=started");
                } catch (RuntimeException e) {
                    System.out.println("i2o2.group=" + oneLine(e));
                }
            } finally {
                netty.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        }

        private static String oneLine(Throwable t) {
            return (t.getClass().getName() + ": " + t.getMessage()).replace('\n', ' ');
        }
    }
}
