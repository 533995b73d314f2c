package io.i2o2.example.fileserver;

import io.i2o2.file.IoUringConfig;
import io.i2o2.uring.Errno;
import io.i2o2.uring.KernelFaults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start-up failures are one plain line and a non-zero exit; the accept loop survives descriptor exhaustion. */
class FileServerStartupTest {
    @TempDir
    Path dir;

    private static void assertOneCleanLine(String err, String mustContain) {
        assertFalse(err.isBlank(), "nothing on stderr");
        String trimmed = err.strip();
        assertFalse(trimmed.contains("\n"), "more than one line: " + err);
        assertFalse(trimmed.contains("\tat ") || trimmed.contains("Exception:") && trimmed.contains(".java:"),
                "a stack trace: " + err);
        assertFalse(trimmed.chars().anyMatch(c -> c < 0x20 && c != '\t'), "control characters: " + err);
        assertTrue(trimmed.startsWith("i2o2 serve: "), err);
        assertTrue(trimmed.contains(mustContain), err);
    }

    private int run(ByteArrayOutputStream err, String... args) throws Exception {
        return FileServer.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aBusyPortIsOneLine() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(1, run(err, dir.toString(), "--port", Integer.toString(busy.getLocalPort())));
            assertOneCleanLine(err.toString(StandardCharsets.UTF_8), "in use");
        }
    }

    @Test
    void aMissingRootIsOneLine() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, run(err, dir.resolve("nope\u001b[31m").toString(), "--port", "0"));
        assertOneCleanLine(err.toString(StandardCharsets.UTF_8), "not a directory");
    }

    @Test
    void aRingThatCannotBeSetUpIsOneLine() {
        // A kernel without io_uring: io_uring_setup fails with ENOSYS (a fault plan makes it so).
        Exception e = assertThrows(Exception.class, () -> FileServer.start(FileServer.Options.of(dir).withPort(0)
                .withFileConfig(io.i2o2.file.FaultSeam.faults(IoUringConfig.builder(),
                        KernelFaults.plan().failSetup(Errno.ENOSYS, 64)).build())).close());
        String line = "i2o2 serve: cannot start: " + FileServer.oneLine(e);
        assertOneCleanLine(line, "cannot start");
        System.out.println(line);
    }

    @Test
    void theNewOptionsAreRead() {
        FileServer.Options o = FileServer.Options.parse("www", "--open-file-cache", "--sendfile", "--no-symlinks",
                "--no-memory-cache", "--threads", "3", "--chunk-size", "1000", "--read-ahead", "4");
        assertTrue(o.config().openFileCache());
        assertTrue(o.config().zeroCopy());
        assertEquals(ServerConfig.LinkPolicy.NONE, o.config().links());
        assertEquals(0, o.config().memoryCacheMaxFileSize());
        assertEquals(3, o.ioThreads());
        assertEquals(3, o.fileThreads());
        assertEquals(1000, o.chunkSize());
        assertEquals(4, o.config().readAhead());
        FileServer.Options d = FileServer.Options.parse();
        assertFalse(d.config().openFileCache());
        assertFalse(d.config().zeroCopy());
        assertThrows(IllegalArgumentException.class, () -> FileServer.Options.parse("--read-ahead", "0"));
        assertEquals(0, FileServer.Options.parse("--spin-us", "0").fileConfig().spinNanos());
        assertEquals(5_000, FileServer.Options.parse("--spin-us", "5").fileConfig().spinNanos());
        assertThrows(IllegalArgumentException.class, () -> FileServer.Options.parse("--spin-us", "-1"));
    }

    /** The real main, in a child JVM: a busy port exits non-zero with one line and nothing else. */
    @Test
    void mainExitsNonZeroWithOneLine() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Process p = child(List.of(), dir.toString(), "--port", Integer.toString(busy.getLocalPort()));
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertNotEquals(0, p.exitValue());
            assertOneCleanLine(out, "in use");
        }
    }

    private static Process child(List<String> prefix, String... args) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), FileServer.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /**
     * A server with few descriptors (RLIMIT_NOFILE 256, set by prlimit) flooded with more connections than
     * it can accept: accept fails with EMFILE, the listening socket stays open, and once the flood is gone a
     * new client is served.
     */
    @Test
    void theAcceptLoopSurvivesDescriptorExhaustion() throws Exception {
        Files.writeString(dir.resolve("hello.txt"), "still here\n");
        Process p = child(List.of("prlimit", "--nofile=256:256"), dir.toString(), "--port", "0", "--threads", "1");
        StringBuilder log = new StringBuilder();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            assertNotNull(first, "the server printed nothing");
            Matcher url = Pattern.compile("127\\.0\\.0\\.1:(\\d+)/").matcher(first);
            assertTrue(url.find(), first);
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (String l; (l = out.readLine()) != null; ) {
                        synchronized (log) {
                            log.append(l).append('\n');
                        }
                    }
                } catch (Exception ignored) {
                    // the process ended
                }
            });
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", Integer.parseInt(url.group(1)));
            List<Socket> flood = new ArrayList<>();
            try {
                for (int i = 0; i < 400; i++) {
                    Socket s = new Socket();
                    s.connect(address, 2_000);
                    flood.add(s);
                }
                Thread.sleep(1500);
                synchronized (log) {
                    assertTrue(log.toString().contains("Too many open files"), "no EMFILE seen:\n" + log);
                }
            } finally {
                for (Socket s : flood) {
                    s.close();
                }
            }
            // Descriptors come back as the server notices the closed connections; the acceptor retries.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String body = null;
            while (body == null && System.nanoTime() < deadline) {
                try (RawHttp c = new RawHttp(address)) {
                    c.socket().setSoTimeout(3_000);
                    body = c.request("GET", "/hello.txt").text();
                } catch (Exception notYet) {
                    Thread.sleep(200);
                }
            }
            assertEquals("still here\n", body, "served again after the flood:\n" + log);
            assertTrue(p.isAlive());
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
    }
}
