package io.i2o2.bench.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpLoadTest {

    @Test
    void countsKeepAliveResponsesAndTheServersCpu(@TempDir Path dir) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        Map<String, AtomicLong> hits = new ConcurrentHashMap<>();
        byte[] body = new byte[4096];
        server.createContext("/", ex -> {
            hits.computeIfAbsent(ex.getRequestURI().getPath(), k -> new AtomicLong()).incrementAndGet();
            int status = ex.getRequestURI().getPath().equals("/missing") ? 404 : 200;
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            Path paths = dir.resolve("paths.txt");
            Files.write(paths, List.of("/a", "/b", "", "/missing"));
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
            String line = HttpLoad.execute("--url", url, "--paths", paths.toString(), "--connections", "4",
                    "--threads", "2", "--seconds", "1.5", "--warmup", "1",
                    "--server-pid", Long.toString(ProcessHandle.current().pid()));
            assertTrue(line.startsWith("RESULT req_per_s="), line);
            assertTrue(value(line, "requests") > 0, line);
            assertTrue(value(line, "non_200") > 0, line);     // the /missing ones
            assertEquals(0, value(line, "errors"), line);
            assertTrue(line.contains("server_cpu_us_per_req="), line);
            assertTrue(hits.keySet().containsAll(List.of("/a", "/b", "/missing")), hits.toString());
        } finally {
            server.stop(0);
        }
        assertThrows(IllegalArgumentException.class, () -> HttpLoad.execute("--connections", "4"));
    }

    @Test
    void readsUserAndSystemTimeAfterTheCommandName() {
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 30 0";
        assertEquals(1234 + 567, ProcCpu.parse(stat));
        assertTrue(ProcCpu.ticks(ProcessHandle.current().pid()) >= 0);
    }

    private static double value(String line, String key) {
        Matcher m = Pattern.compile("\\b" + key + "=([0-9.]+)").matcher(line);
        assertTrue(m.find(), key + " in " + line);
        return Double.parseDouble(m.group(1));
    }
}
