package io.i2o2.example.fileserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import io.i2o2.file.IoEngine;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line: arguments, usage, and a real server process that stops cleanly on Ctrl+C (SIGINT). */
class FileServerCliTest {
    @TempDir
    Path dir;

    /**
     * The default wiring is the README's first way, {@code netty-uring}: not {@code uring}, whose
     * {@code addLast(group, handler)} Netty 4.2 deprecates and which was the slowest beside nginx.
     */
    @Test
    void defaultsServeTheCurrentDirectoryOn8080WithTheNettyUringWiring() throws Exception {
        FileServer.Options o = FileServer.Options.parse();
        assertEquals(Path.of(""), o.root());
        assertEquals(8080, o.port());
        assertEquals(Wiring.NETTY_URING, o.wiring());
        assertEquals(Wiring.NETTY_URING, FileServer.Options.of(dir).wiring());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FileServer.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        String usage = out.toString(StandardCharsets.UTF_8);
        assertTrue(usage.contains("no hand-over at all (default; the README's first way)"), usage);
        assertEquals(1, usage.split("default;", -1).length - 1, "one wiring is the default: " + usage);
    }

    @Test
    void directoryPortAndWiringAreRead() {
        FileServer.Options o = FileServer.Options.parse("--wiring", "channel", "www", "--port", "0");
        assertEquals(Path.of("www"), o.root());
        assertEquals(0, o.port());
        assertEquals(Wiring.CHANNEL, o.wiring());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--port", "--port x", "--port 70000", "--wiring", "--wiring epoll", "a b", "--bogus"})
    void badArgumentsAreRefused(String args) {
        assertThrows(IllegalArgumentException.class, () -> FileServer.Options.parse(args.split(" ")));
    }

    /**
     * Where io_uring runs (this class needs it), the start-up line names it: Netty's ring under netty-uring's
     * io_uring sockets, this library's rings under the NIO sockets of the others. Under a seccomp filter that
     * refuses io_uring, SeccompFileServerTest checks the portable engine's line.
     */
    @ParameterizedTest
    @EnumSource(Wiring.class)
    void theStartUpLineSaysWhichEngineServes(Wiring wiring) throws Exception {
        try (FileServer server = FileServer.start(FileServer.Options.of(dir).withPort(0).withWiring(wiring)
                .withThreads(1, 1))) {
            boolean netty = wiring == Wiring.NETTY_URING;
            assertEquals(netty ? IoEngine.NETTY_RING : IoEngine.RING_SQE64, server.fileEngine());
            assertEquals("wiring " + wiring.cliName() + (netty
                    ? "; sockets: io_uring; file IO: io_uring (Netty's ring)"
                    : "; sockets: nio; file IO: io_uring (this library's rings)"), server.servedBy());
        }
    }

    @Test
    void helpAndBadArgumentsPrintTheUsage() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(0, FileServer.run(new String[] {"--help"}, o, e));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: ./i2o2 serve"));
        assertEquals(2, FileServer.run(new String[] {"--port", "x"}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--port must be a number: x"));
    }

    @Test
    void aServerProcessPrintsItsUrlServesAndStopsOnSigint() throws Exception {
        Files.writeString(dir.resolve("hello.txt"), "hello from a child JVM\n");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), FileServer.class.getName(),
                dir.toString(), "--port", "0", "--wiring", "uring"))
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            assertNotNull(first, "the server printed nothing");
            Matcher url = Pattern.compile("at (http://127\\.0\\.0\\.1:(\\d+)/)").matcher(first);
            assertTrue(url.find(), first);
            assertTrue(first.endsWith(" (wiring uring; sockets: nio; file IO: io_uring (this library's rings))"), first);
            assertEquals("press Ctrl+C to stop", out.readLine());
            URI uri = URI.create(url.group(1));
            try (RawHttp c = new RawHttp(new InetSocketAddress(uri.getHost(), uri.getPort()))) {
                assertEquals("hello from a child JVM\n", c.request("GET", "/hello.txt").text());
                // What Ctrl+C sends, with a keep-alive connection still open: the shutdown hook closes it and
                // the server, and the JVM exits.
                Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
                assertEquals(0, kill.waitFor());
                assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the server did not stop within 20 s of SIGINT");
                assertTrue(c.closedByServer());
            }
            assertEquals(130, p.exitValue(), "128 + SIGINT");
            String rest = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(rest.isBlank(), "nothing logged on the way down: " + rest);
        } finally {
            p.destroyForcibly();
        }
    }
}
