package io.i2o2.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The benchmark's command line, parsed. See {@link #USAGE}.
 *
 * @param workloads    what to run, in order
 * @param queueDepths  queue depths for ring backends (for NOP on the ring's own thread: the batch size)
 * @param backends     backend names to run, in table order (the registry's, reference first)
 * @param registered   also run the registered-buffers-and-files variants
 * @param threadSpec   the {@code --threads} list as given, or null for the per-workload default
 * @param threadKinds  which kinds plain thread counts expand to
 * @param seconds      one trial's length
 * @param warmup       warm-up before each in-JVM trial
 * @param fileSize     the data file's size
 * @param dir          where the data and scratch files live
 * @param out          where the results go
 * @param fsyncEvery   writes between fdatasyncs in seqwrite
 * @param lock         how the data file is held in memory: vmtouch, mlock or none
 * @param fork         run each in-JVM trial in a JVM of its own ({@link TrialProcess})
 * @param repeat       rounds of the whole plan; each row is the round with the median ops/s
 * @param peer         the backend every other one is also compared to round by round, or null
 * @param loops        event-loop counts the library's loop-thread reads run on (randread, randread-direct)
 * @param batch        reads per batch when a producer hands its reads over in batches ({@code i2o2-batch})
 * @param queryReads   reads per query in the query workloads
 */
public record BenchOptions(List<Workload> workloads, List<Integer> queueDepths, List<String> backends,
                           boolean registered, List<Threads> threadSpec, Set<ThreadKind> threadKinds,
                           Duration seconds, Duration warmup, long fileSize, Path dir, Path out, int fsyncEvery,
                           String lock, boolean fork, int repeat, String peer, List<Integer> loops, int batch,
                           int queryReads) {

    /** The usage text that {@code --help} prints. */
    public static final String USAGE = """
            usage: ./i2o2 bench [options]        (or: ./i2o2 bench jmh [JMH options], see microbench/README.md)
                   ./i2o2 bench portable-table [options]   the portable engine vs FileChannel and io_uring:
                                 randread + randread-direct, QD/threads 1,2,32, 3 paired rounds
              --workload LIST    nop,randread,randread-xt,randread-direct,seqwrite,latency,query,
                                 query-direct                                        (default randread)
              --qd LIST          queue depths of ring backends; NOP batch size        (default 1,32,128)
              --backends LIST    c,fio,filechannel,fc-per-thread,async-fc,java-handoff,netty,i2o2-netty,i2o2,
                                 i2o2-callback,i2o2-batch,portable,portable-callback,portable-batch
                                                                                      (default all)
              --registered       also run registered buffers+files variants (c, fio; others say why not)
              --threads LIST     thread counts: NOP / randread-xt producers (0 = the ring's own thread)
                                 and blocking readers; querying threads; N = platform, Nv = virtual
                                 (default nop 0,1,2; randread-xt 1,2; randread 1,2,32; randread-direct
                                 1,2,32,128; query, query-direct 1,8)
              --thread-kind K    platform | virtual | both: what a plain N means      (default platform)
              --seconds S        length of one trial                                  (default 3)
              --warmup S         warm-up before each in-JVM trial                     (default 2)
              --file-size SIZE   data file size, e.g. 256m, 1g                        (default 1g)
              --fsync-every N    seqwrite: 128 KiB writes between fdatasyncs          (default 64)
              --dir DIR          data and scratch files                    (default bench-results/data)
              --out DIR          results: table.txt, results.csv/json, chart.svg
                                                                    (default bench-results/TIMESTAMP)
              --lock HOW         vmtouch | mlock | none: keep the data file in memory (default vmtouch)
              --fork yes|no      each in-JVM trial (warm-up + run) in a JVM of its own, so no backend
                                 runs on JIT profiles another left behind                (default yes)
              --repeat N         run the whole plan N times, round after round (every other round
                                 in reverse order); each row is the median run, its note the
                                 spread                                                   (default 1)
              --peer NAME        also print each backend's ops/s over NAME's, round by round (the
                                 median of the rounds' ratios: drift of a shared host cancels)
              --loops LIST       i2o2, i2o2-netty, portable: randread and randread-direct on a group
                                 of N loops, each keeping QD in flight from its own thread (one loop
                                 is one core: the peer of FileChannel's --threads on the same cores;
                                 1,2 runs both); query, query-direct: each query split into one
                                 batch per loop                                           (default 1)
              --batch N          randread-xt with i2o2-batch / portable-batch: each producer hands its
                                 reads over as BatchedOps batches of N, keeping its share of the QD in
                                 flight as whole batches (at most the share)              (default 32)
              --query-reads N    query, query-direct: a query is N random 4 KiB reads, all at once
                                 (i2o2, portable: one BatchedOps batch; filechannel: N positional reads
                                 one after the other; fio: iodepth N per querying thread) (default 500)
            """;

    /**
     * A thread count and kind from {@code --threads}.
     *
     * @param count the number of threads (0 = the ring's own thread)
     * @param kind  platform or virtual
     */
    public record Threads(int count, ThreadKind kind) {
    }

    /**
     * Parses the command line.
     *
     * @param args the arguments after {@code bench}
     * @return the options
     * @throws IllegalArgumentException on a bad or unknown option
     */
    public static BenchOptions parse(String... args) {
        List<Workload> workloads = List.of(Workload.RANDREAD);
        List<Integer> qds = List.of(1, 32, 128);
        List<String> backends = BackendRegistry.NAMES;
        boolean registered = false;
        String threads = null;
        String kind = "platform";
        double seconds = 3;
        double warmup = 2;
        long fileSize = 1L << 30;
        Path dir = Path.of("bench-results", "data");
        Path out = null;
        int fsyncEvery = 64;
        String lock = "vmtouch";
        boolean fork = true;
        int repeat = 1;
        String peer = null;
        List<Integer> loops = List.of(1);
        int batch = 32;
        int queryReads = 500;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--registered")) {
                registered = true;
                continue;
            }
            if (a.equals("--help") || a.equals("-h")) {
                throw new HelpRequested();
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value (or is unknown)");
            }
            String v = args[++i];
            switch (a) {
                case "--workload", "--workloads" -> workloads = split(v).stream().map(Workload::parse).toList();
                case "--qd" -> qds = split(v).stream().map(s -> positive(a, s)).toList();
                case "--backends", "--backend" -> backends = split(v).stream().map(BackendRegistry::canonical)
                        .distinct().sorted(java.util.Comparator.comparingInt(BackendRegistry.NAMES::indexOf)).toList();
                case "--threads" -> threads = v;
                case "--thread-kind" -> kind = v;
                case "--seconds" -> seconds = Double.parseDouble(v);
                case "--warmup" -> warmup = Double.parseDouble(v);
                case "--file-size" -> fileSize = parseSize(v);
                case "--fsync-every" -> fsyncEvery = positive(a, v);
                case "--dir" -> dir = Path.of(v);
                case "--out" -> out = Path.of(v);
                case "--lock" -> lock = v;
                case "--repeat" -> repeat = positive(a, v);
                case "--peer" -> peer = BackendRegistry.canonical(v);
                case "--loops" -> loops = split(v).stream().map(s -> positive(a, s)).distinct().toList();
                case "--batch" -> batch = positive(a, v);
                case "--query-reads" -> queryReads = positive(a, v);
                case "--fork" -> fork = switch (v.toLowerCase(Locale.ROOT)) {
                    case "yes", "true" -> true;
                    case "no", "false" -> false;
                    default -> throw new IllegalArgumentException("--fork must be yes or no");
                };
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (seconds <= 0 || warmup < 0) {
            throw new IllegalArgumentException("--seconds must be > 0 and --warmup >= 0");
        }
        if (fileSize < (1 << 20)) {
            throw new IllegalArgumentException("--file-size must be at least 1m");
        }
        if (!Set.of("vmtouch", "mlock", "none").contains(lock)) {
            throw new IllegalArgumentException("--lock must be vmtouch, mlock or none");
        }
        if (peer != null && !backends.contains(peer)) {
            throw new IllegalArgumentException("--peer " + peer + " is not among the backends run (--backends)");
        }
        if (out == null) {
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            out = Path.of("bench-results", stamp);
        }
        Set<ThreadKind> kinds = switch (kind.toLowerCase(Locale.ROOT)) {
            case "platform" -> Set.of(ThreadKind.PLATFORM);
            case "virtual" -> Set.of(ThreadKind.VIRTUAL);
            case "both" -> new LinkedHashSet<>(List.of(ThreadKind.PLATFORM, ThreadKind.VIRTUAL));
            default -> throw new IllegalArgumentException("--thread-kind must be platform, virtual or both");
        };
        List<Threads> spec = threads == null ? null : parseThreads(threads, kinds);
        return new BenchOptions(workloads, qds, backends, registered, spec, kinds,
                Duration.ofNanos((long) (seconds * 1e9)), Duration.ofNanos((long) (warmup * 1e9)), fileSize,
                dir, out, fsyncEvery, lock, fork, repeat, peer, loops, batch, queryReads);
    }

    /**
     * The thread counts for a workload: {@code --threads} when given, else the workload's default.
     *
     * @param w the workload
     * @return the thread counts with their kinds
     */
    public List<Threads> threads(Workload w) {
        if (threadSpec != null) {
            return threadSpec;
        }
        String def = switch (w) {
            case NOP -> "0,1,2";
            case RANDREAD_XT -> "1,2";
            case RANDREAD_DIRECT -> "1,2,32,128";
            case QUERY, QUERY_DIRECT -> "1,8";
            default -> "1,2,32";
        };
        return parseThreads(def, threadKinds);
    }

    /** Thrown by {@link #parse} for {@code --help}. */
    public static final class HelpRequested extends RuntimeException {
        HelpRequested() {
            super("help", null, false, false);
        }
    }

    private static List<Threads> parseThreads(String list, Set<ThreadKind> kinds) {
        List<Threads> out = new ArrayList<>();
        for (String s : split(list)) {
            if (s.endsWith("v")) {
                out.add(new Threads(nonNegative(s.substring(0, s.length() - 1)), ThreadKind.VIRTUAL));
            } else if (s.endsWith("p")) {
                out.add(new Threads(nonNegative(s.substring(0, s.length() - 1)), ThreadKind.PLATFORM));
            } else {
                int n = nonNegative(s);
                if (n == 0) {
                    out.add(new Threads(0, ThreadKind.PLATFORM));   // the ring's own thread has one kind
                } else {
                    kinds.forEach(k -> out.add(new Threads(n, k)));
                }
            }
        }
        return List.copyOf(new LinkedHashSet<>(out));
    }

    private static List<String> split(String v) {
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static int positive(String option, String s) {
        int n = Integer.parseInt(s);
        if (n < 1) {
            throw new IllegalArgumentException(option + " values must be >= 1: " + s);
        }
        return n;
    }

    private static int nonNegative(String s) {
        int n = Integer.parseInt(s);
        if (n < 0) {
            throw new IllegalArgumentException("--threads values must be >= 0: " + s);
        }
        return n;
    }

    /**
     * Parses a size such as {@code 4096}, {@code 512k}, {@code 256m} or {@code 1g} (powers of 1024).
     *
     * @param s the size
     * @return bytes
     */
    public static long parseSize(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long mult = 1;
        char last = t.charAt(t.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            mult = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * mult;
    }
}
