package io.i2o2.bench.http;

import io.i2o2.bench.LatencyHistogram;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A small keep-alive HTTP/1.1 load generator, wrk's shape: {@code --connections N} connections spread over
 * {@code --threads T} threads, each thread one selector; every connection sends one GET, reads the whole
 * response (headers, then {@code Content-Length} bytes of body), and sends the next (no pipelining). Paths
 * are drawn at random from {@code --paths FILE} (one per line) or are the URL's own. After {@code --warmup}
 * unmeasured seconds it counts the responses completed in {@code --seconds} and prints one line:
 *
 * <pre>RESULT req_per_s=... requests=... non_200=... errors=... p50_us=... p99_us=... seconds=...
 *        [server_cpu_s=... server_cpu_us_per_req=...]</pre>
 *
 * <p>With {@code --server-pid PID} it also reads that process's user + system time from
 * {@code /proc/PID/stat} at the start and the end of the measured seconds: the server's CPU per request.
 * Any non-200 response, a response without {@code Content-Length}, or bytes after a response's end (the
 * generator never pipelines) counts as an error; a connection with an error is closed and reopened.
 *
 * <p>{@code ./i2o2 bench http-load --url http://127.0.0.1:8080/ [options]}; see
 * {@code microbench/server-bench.sh}.
 */
public final class HttpLoad {
    private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};
    private static final String USAGE = """
            usage: ./i2o2 bench http-load --url http://HOST:PORT/PATH [options]
              --connections N   keep-alive connections                    (default 64)
              --threads T       client threads, each a selector           (default 2)
              --seconds S       measured seconds                          (default 10)
              --warmup S        unmeasured seconds first                  (default 2)
              --paths FILE      request these paths (one per line, drawn at random) instead of the URL's
              --server-pid PID  also report the server's CPU time per request (/proc/PID/stat)
            """;

    private final InetSocketAddress address;
    private final List<byte[]> requests;
    private final int connections;
    private final int threads;
    private final double seconds;
    private final double warmup;

    private HttpLoad(InetSocketAddress address, List<byte[]> requests, int connections, int threads,
                     double seconds, double warmup) {
        this.address = address;
        this.requests = requests;
        this.connections = connections;
        this.threads = threads;
        this.seconds = seconds;
        this.warmup = warmup;
    }

    /** What one thread counted in the measured window. */
    private static final class Counts {
        long ok;
        long non200;
        long errors;
        final LatencyHistogram latency = new LatencyHistogram();
    }

    /** One connection's state. */
    private final class Conn {
        final SplittableRandom random;
        SocketChannel ch;
        final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
        ByteBuffer out;
        /** Bytes of the response seen so far (header search position for the header). */
        final byte[] head = new byte[16 * 1024];
        int headLen;
        long bodyLeft = -1;     // -1: still in the header
        int status;
        long sentAt;

        Conn(long seed) {
            random = new SplittableRandom(seed);
        }

        void open(Selector selector) throws IOException {
            ch = SocketChannel.open();
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.connect(address);
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_WRITE, this);
            next();
        }

        void next() {
            out = ByteBuffer.wrap(requests.get(requests.size() == 1 ? 0 : random.nextInt(requests.size())));
            headLen = 0;
            bodyLeft = -1;
            status = 0;
            sentAt = System.nanoTime();
        }

        /** Feeds what was read; returns true when the response is complete. */
        boolean feed(ByteBuffer data) throws IOException {
            while (data.hasRemaining()) {
                if (bodyLeft < 0) {
                    if (headLen == head.length) {
                        throw new IOException("response header over " + head.length + " bytes");
                    }
                    head[headLen++] = data.get();
                    if (headLen >= 4 && head[headLen - 1] == '\n' && endsWithHeaderEnd()) {
                        parseHeader();
                        if (bodyLeft == 0) {
                            return finish(data);
                        }
                    }
                } else {
                    int n = (int) Math.min(bodyLeft, data.remaining());
                    data.position(data.position() + n);
                    bodyLeft -= n;
                    if (bodyLeft == 0) {
                        return finish(data);
                    }
                }
            }
            return false;
        }

        private boolean finish(ByteBuffer data) throws IOException {
            if (data.hasRemaining()) {
                throw new IOException(data.remaining() + " bytes after the end of a response (none was asked for)");
            }
            return true;
        }

        private boolean endsWithHeaderEnd() {
            for (int i = 0; i < 4; i++) {
                if (head[headLen - 4 + i] != HEADER_END[i]) {
                    return false;
                }
            }
            return true;
        }

        private void parseHeader() throws IOException {
            String text = new String(head, 0, headLen, StandardCharsets.ISO_8859_1);
            String[] lines = text.split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP/1.x response: " + lines[0]);
            }
            status = Integer.parseInt(statusLine[1]);
            long length = -1;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0 && lines[i].substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                    length = Long.parseLong(lines[i].substring(colon + 1).trim());
                }
            }
            if (length < 0) {
                throw new IOException("response without Content-Length: " + lines[0]);
            }
            bodyLeft = length;
        }

        void close() {
            try {
                if (ch != null) {
                    ch.close();
                }
            } catch (IOException ignored) {
                // closing a broken connection
            }
        }
    }

    /** Drives one thread's connections until {@code end}; counts what completes after {@code measureFrom}. */
    private Counts drive(int first, int count, long measureFrom, long end) throws IOException {
        Counts c = new Counts();
        try (Selector selector = Selector.open()) {
            List<Conn> conns = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Conn conn = new Conn(0x5eed + first + i);
                conn.open(selector);
                conns.add(conn);
            }
            while (true) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                selector.select(Math.max(1, (end - now) / 1_000_000));
                for (SelectionKey key : selector.selectedKeys()) {
                    Conn conn = (Conn) key.attachment();
                    try {
                        if (key.isWritable()) {
                            conn.ch.write(conn.out);
                            if (!conn.out.hasRemaining()) {
                                key.interestOps(SelectionKey.OP_READ);
                            }
                        } else if (key.isReadable()) {
                            conn.in.clear();
                            int n = conn.ch.read(conn.in);
                            if (n < 0) {
                                throw new IOException("the server closed the connection");
                            }
                            conn.in.flip();
                            if (conn.feed(conn.in)) {
                                long done = System.nanoTime();
                                if (conn.sentAt >= measureFrom && done <= end) {
                                    if (conn.status == 200) {
                                        c.ok++;
                                    } else {
                                        c.non200++;
                                    }
                                    c.latency.record(done - conn.sentAt);
                                }
                                conn.next();
                                conn.ch.write(conn.out);
                                key.interestOps(conn.out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        if (System.nanoTime() >= measureFrom) {
                            c.errors++;
                        }
                        if (c.errors < 3) {
                            System.err.println("http-load: " + e.getMessage());
                        }
                        key.cancel();
                        conn.close();
                        conn.open(selector);
                    }
                }
                selector.selectedKeys().clear();
            }
            conns.forEach(Conn::close);
        }
        return c;
    }

    private String run(long serverPid) throws Exception {
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmup * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        Counts[] counts = new Counts[threads];
        Throwable[] failure = new Throwable[1];
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            int first = connections * t / threads;
            int count = connections * (t + 1) / threads - first;
            ts.add(Thread.ofPlatform().name("http-load-" + t).start(() -> {
                try {
                    counts[id] = drive(first, count, measureFrom, end);
                } catch (Throwable e) {
                    failure[0] = e;
                }
            }));
        }
        long cpu0 = -1;
        if (serverPid > 0) {
            Thread.sleep(Math.max(0, (measureFrom - System.nanoTime()) / 1_000_000));
            cpu0 = ProcCpu.ticks(serverPid);
        }
        long wall0 = System.nanoTime();
        for (Thread t : ts) {
            t.join();
        }
        long cpu1 = serverPid > 0 ? ProcCpu.ticks(serverPid) : -1;
        if (failure[0] != null) {
            throw new IOException("http-load failed: " + failure[0], failure[0]);
        }
        long ok = 0, non200 = 0, errors = 0;
        LatencyHistogram all = new LatencyHistogram();
        for (Counts c : counts) {
            ok += c.ok;
            non200 += c.non200;
            errors += c.errors;
            all.merge(c.latency);
        }
        double measured = serverPid > 0 ? (end - Math.max(wall0, measureFrom)) / 1e9 : seconds;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "RESULT req_per_s=%.1f requests=%d non_200=%d errors=%d p50_us=%.1f p99_us=%.1f seconds=%.2f"
                        + " connections=%d threads=%d",
                ok / seconds, ok, non200, errors, all.percentile(0.50) / 1e3, all.percentile(0.99) / 1e3, seconds,
                connections, threads));
        if (cpu0 >= 0 && cpu1 >= 0) {
            double cpuSeconds = (cpu1 - cpu0) / (double) ProcCpu.TICKS_PER_SECOND;
            line.append(String.format(Locale.ROOT, " server_cpu_s=%.2f server_cpu_us_per_req=%.2f", cpuSeconds,
                    ok == 0 ? Double.NaN : cpuSeconds * 1e6 / (ok * measured / seconds)));
        }
        return line.toString();
    }

    /**
     * Entry point ({@code ./i2o2 bench http-load ...}).
     *
     * @param args the command line
     * @throws Exception if the load cannot be run
     */
    public static void main(String[] args) throws Exception {
        try {
            String line = execute(args);
            if (line != null) {
                System.out.println(line);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("http-load: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        }
    }

    /**
     * Runs the load the arguments describe.
     *
     * @param args the command line
     * @return the RESULT line, or null after {@code --help}
     * @throws IllegalArgumentException for a bad command line
     * @throws Exception if the load cannot be run
     */
    static String execute(String... args) throws Exception {
        String url = null;
        Path paths = null;
        int connections = 64;
        int threads = 2;
        double seconds = 10;
        double warmup = 2;
        long pid = -1;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                System.out.print(USAGE);
                return null;
            }
            if (i + 1 >= args.length) {
                usage("option " + a + " needs a value (or is unknown)");
            }
            String v = args[++i];
            switch (a) {
                case "--url" -> url = v;
                case "--paths" -> paths = Path.of(v);
                case "--connections" -> connections = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--seconds" -> seconds = Double.parseDouble(v);
                case "--warmup" -> warmup = Double.parseDouble(v);
                case "--server-pid" -> pid = Long.parseLong(v);
                default -> usage("unknown option " + a);
            }
        }
        if (url == null) {
            usage("--url is required");
        }
        if (connections < 1 || threads < 1 || seconds <= 0 || warmup < 0) {
            usage("--connections and --threads must be >= 1, --seconds > 0, --warmup >= 0");
        }
        threads = Math.min(threads, connections);
        URI uri = URI.create(url);
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        String host = uri.getHost() + ":" + port;
        List<String> targets = paths != null
                ? Files.readAllLines(paths).stream().map(String::strip).filter(s -> !s.isEmpty()).toList()
                : List.of(uri.getRawPath().isEmpty() ? "/" : uri.getRawPath());
        if (targets.isEmpty()) {
            usage("no paths in " + paths);
        }
        List<byte[]> requests = targets.stream().map(p -> ("GET " + p + " HTTP/1.1\r\nHost: " + host
                + "\r\nUser-Agent: i2o2-http-load\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)).toList();
        HttpLoad load = new HttpLoad(new InetSocketAddress(uri.getHost(), port), requests, connections, threads,
                seconds, warmup);
        return load.run(pid);
    }

    private static void usage(String problem) {
        throw new IllegalArgumentException(problem);
    }
}
