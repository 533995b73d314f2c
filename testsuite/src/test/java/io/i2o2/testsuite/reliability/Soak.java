package io.i2o2.testsuite.reliability;

import io.i2o2.file.Groups;
import io.i2o2.file.LeakDetection;
import io.i2o2.testsuite.reliability.RegionLoad.Backpressure;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The reliability suite as a soak (not run in CI): for a given time, several lanes pick scenarios of the
 * reliability tests at random (stress at a smaller scale, kernel faults, tiny rings, overload, cancellation
 * storms, shutdowns and deaths under load, throwing user code, misuse, the SIGKILL durability check) and run
 * them side by side, each in a fresh directory with its own groups. Every few seconds it prints the
 * scenarios run and failed, the operations completed, errors by type (expected ones included: refusals,
 * cancellations, injected faults), log records by level and leaks found by Netty's PARANOID detector.
 * Exits 1 if a scenario failed or a buffer leaked.
 *
 * <p>How to run it: see {@code testsuite/README-reliability.md}. Options: {@code --minutes N} (default 2)
 * or {@code --seconds N}, {@code --lanes N} (default 2), {@code --seed N}, {@code --report-seconds N}
 * (default 10), {@code --verbose} (print library log records instead of only counting them).
 */
public final class Soak {
    /** One thing the soak can do; exclusive scenarios count process-wide descriptors and run alone. */
    record Scenario(String name, int weight, boolean exclusive, Run run) {
    }

    /** A scenario body, given a fresh directory and the lane's random source. */
    @FunctionalInterface
    interface Run {
        void run(Path dir, Random random) throws Exception;
    }

    private static final Map<String, LongAdder> RUNS = new ConcurrentHashMap<>();
    private static final Map<String, LongAdder> LOG_LEVELS = new ConcurrentHashMap<>();
    private static final ConcurrentLinkedQueue<String> FAILURES = new ConcurrentLinkedQueue<>();
    private static final LongAdder LEAKS = new LongAdder();

    private Soak() {
    }

    public static void main(String[] args) throws Exception {
        // Before any ByteBuf class exists: the leak detector factory that records leaks must be in place.
        LeakDetection.collect();
        // The stress scenario at a soak's scale: 200 threads x 200 ops on loops bounded at 128 (so that they
        // still push back), not the CI's 1000 x 1000 bounded at 1024.
        System.setProperty("i2o2.stress.threads", "200");
        System.setProperty("i2o2.stress.ops", "200");
        System.setProperty("i2o2.stress.maxInFlight", "128");
        long seconds = 120;
        int lanes = 2;
        long seed = System.nanoTime();
        int reportSeconds = 10;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--minutes" -> seconds = 60 * Long.parseLong(args[++i]);
                case "--seconds" -> seconds = Long.parseLong(args[++i]);
                case "--lanes" -> lanes = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--report-seconds" -> reportSeconds = Integer.parseInt(args[++i]);
                case "--verbose" -> verbose = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--minutes N | --seconds N, --lanes N, --seed N, --report-seconds N, --verbose)");
            }
        }
        countLogRecords(verbose);
        List<Scenario> scenarios = scenarios();
        Path root = Files.createTempDirectory("i2o2-soak");
        System.out.printf("soak: %d s, %d lanes, seed %d, %d scenarios, files under %s%n", seconds, lanes, seed,
                scenarios.size(), root);
        MisuseTest.setUp();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        ReentrantReadWriteLock exclusive = new ReentrantReadWriteLock();
        List<Thread> threads = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            Random random = new Random(seed + lane);
            int id = lane;
            threads.add(Thread.ofPlatform().name("soak-lane-" + lane).start(() ->
                    lane(id, scenarios, random, root, end, exclusive)));
        }
        long reportMillis = TimeUnit.SECONDS.toMillis(reportSeconds);
        Thread reporter = Thread.ofPlatform().daemon().name("soak-report").start(() -> {
            try {
                while (true) {
                    Thread.sleep(reportMillis);
                    report(start);
                }
            } catch (InterruptedException e) {
                // done
            }
        });
        for (Thread t : threads) {
            t.join();
        }
        reporter.interrupt();
        MisuseTest.tearDown();
        report(start);
        System.out.println("soak: runs per scenario " + new TreeMap<>(RUNS));
        deleteTree(root);
        if (!FAILURES.isEmpty() || LEAKS.sum() > 0) {
            System.out.println("soak: FAILED: " + FAILURES.size() + " scenario failures, " + LEAKS.sum() + " leaks");
            FAILURES.stream().limit(5).forEach(System.out::println);
            System.exit(1);
        }
        System.out.println("soak: passed");
        System.exit(0);
    }

    private static void lane(int id, List<Scenario> scenarios, Random random, Path root, long end,
                             ReentrantReadWriteLock exclusive) {
        int total = scenarios.stream().mapToInt(Scenario::weight).sum();
        for (int n = 0; System.nanoTime() < end; n++) {
            Scenario s = pick(scenarios, random.nextInt(total));
            var lock = s.exclusive() ? exclusive.writeLock() : exclusive.readLock();
            lock.lock();
            Path dir = root.resolve("lane" + id + "-" + n);
            try {
                Files.createDirectories(dir);
                s.run().run(dir, random);
                RUNS.computeIfAbsent(s.name(), k -> new LongAdder()).increment();
            } catch (Throwable t) {
                java.io.StringWriter trace = new java.io.StringWriter();
                t.printStackTrace(new java.io.PrintWriter(trace));
                FAILURES.add(s.name() + ": " + trace);
                System.out.println("soak: scenario " + s.name() + " FAILED: " + t);
            } finally {
                lock.unlock();
                try {
                    deleteTree(dir);
                } catch (IOException e) {
                    System.out.println("soak: could not delete " + dir + ": " + e);
                }
            }
        }
    }

    private static Scenario pick(List<Scenario> scenarios, int ticket) {
        for (Scenario s : scenarios) {
            ticket -= s.weight();
            if (ticket < 0) {
                return s;
            }
        }
        throw new AssertionError();
    }

    /** One of this library's two group types: for the kernel-fault scenarios, whose seam only our rings have. */
    private static Groups anyGroup(Random r) {
        Groups[] own = {Groups.FILE, Groups.PASSTHROUGH};
        return own[r.nextInt(own.length)];
    }

    /** Any loop the file API runs on, Netty's own io_uring loop included where it loads. */
    private static Groups anyLoop(Random r) {
        return (Groups) anyRow(Groups.all(), r)[0];
    }

    /**
     * One of this library's own group types, the portable one included: for what only a group that takes an
     * {@code IoUringConfig} and waits for its ops at shutdown does ({@link Groups#configurable()}).
     */
    private static Groups anyConfigurable(Random r) {
        return (Groups) anyRow(Groups.configurable(), r)[0];
    }

    /** One row of a test's parameter table, at random. */
    private static Object[] anyRow(Stream<Arguments> rows, Random r) {
        List<Arguments> all = rows.toList();
        return all.get(r.nextInt(all.size())).get();
    }

    private static <T> T in(Path dir, T test, java.util.function.BiConsumer<T, Path> setDir) {
        setDir.accept(test, dir);
        return test;
    }

    static List<Scenario> scenarios() {
        return List.of(
                new Scenario("stress", 2, false, (dir, r) -> in(dir, new StressTest(), (t, d) -> t.dir = d)
                        .thousandThreadsThousandOpsEachAllDataVerified(r.nextBoolean() ? "virtual" : "platform",
                                Backpressure.values()[r.nextInt(2)], anyConfigurable(r))),
                new Scenario("faults.setup", 2, true, (dir, r) -> {
                    Object[] row = anyRow(KernelFaultsTest.setupFailures(), r);
                    kernel(dir).refusedSetupFailsGroupCreationWithTheErrnoAndItsExplanation((Groups) row[0],
                            (Integer) row[1], (String) row[2]);
                }),
                new Scenario("faults.transient-enter", 4, false, (dir, r) -> {
                    Object[] row = anyRow(KernelFaultsTest.transientEnterErrors(), r);
                    kernel(dir).transientEnterErrorsUnderLoadLoseNothing((Groups) row[0], (Integer) row[1]);
                }),
                new Scenario("faults.fatal-mid-load", 3, false, (dir, r) ->
                        kernel(dir).fatalEnterErrorMidLoadFailsEverythingAndHangsNothing(anyGroup(r))),
                new Scenario("faults.fatal-backlog", 3, false, (dir, r) -> kernel(dir)
                        .fatalEnterErrorWithABacklogReleasesEveryBufferThatNeverReachedTheKernel(anyGroup(r))),
                new Scenario("faults.register-at-start", 3, false, (dir, r) -> {
                    Object[] row = anyRow(KernelFaultsTest.registerFailuresAtStart(), r);
                    kernel(dir).failedRegistrationAtStartKillsTheLoopClearlyAndNothingHangs((String) row[0],
                            (Integer) row[1], (Integer) row[2], (io.i2o2.file.IoUringConfig.Builder) row[3]);
                }),
                new Scenario("faults.probe", 1, true, (dir, r) -> kernel(dir).failedProbeFailsGroupCreation()),
                new Scenario("faults.fallbacks", 2, false, (dir, r) -> kernel(dir).optionalRegistrationsFallBack()),
                new Scenario("faults.slot-update", 1, true, (dir, r) ->
                        kernel(dir).failedSlotUpdateFailsTheOpenAndLeaksNothing()),
                new Scenario("faults.old-kernel", 3, false, (dir, r) -> {
                    Object[] row = anyRow(KernelFaultsTest.simulatedKernels(), r);
                    kernel(dir).fileOperationsWorkOnOlderKernels((String) row[0], (Groups) row[1]);
                }),
                new Scenario("limits.tiny-ring", 2, false, (dir, r) -> limits(dir)
                        .tinyCqAndSqUnderMultiThreadedLoadLoseNoCompletion(anyLoop(r))),
                new Scenario("limits.full-queue", 3, false, (dir, r) -> limits(dir)
                        .fullQueueRefusesWithOverloadAndRetainsNothing(anyLoop(r))),
                new Scenario("limits.cancel-storm", 3, false, (dir, r) -> limits(dir)
                        .cancellationStormReleasesEveryBuffer(anyLoop(r))),
                new Scenario("limits.shutdown-during-load", 3, false, (dir, r) -> limits(dir)
                        .shutdownDuringLoadCompletesWhatItAcceptedAndRefusesTheRest(anyConfigurable(r))),
                new Scenario("errors.throwing-user-code", 2, false, (dir, r) -> in(dir, new UserErrorsTest(),
                        (t, d) -> t.dir = d).throwingListenersCallbacksAndTasksNeverKillTheLoop(anyLoop(r))),
                new Scenario("errors.throwing-filler", 2, false, (dir, r) -> in(dir, new UserErrorsTest(),
                        (t, d) -> t.dir = d).aThrowingSqeFillerFailsItsOpOnly(anyLoop(r))),
                new Scenario("misuse", 6, false, (dir, r) -> {
                    Object[] row = anyRow(MisuseTest.misusesOnEachEngine(), r);
                    @SuppressWarnings("unchecked")
                    Named<MisuseTest.Misuse> named = (Named<MisuseTest.Misuse>) row[1];
                    new MisuseTest().failsFastWithTheExactExceptionAndLeavesRefCntAlone((Groups) row[0],
                            named.getPayload());
                }),
                new Scenario("durability", 1, false, (dir, r) -> in(dir, new DurabilityTest(), (t, d) -> t.dir = d)
                        .everyAcknowledgedRecordSurvivesSigkillIntact(r.nextBoolean() ? "linked" : "sequential")));
    }

    private static KernelFaultsTest kernel(Path dir) {
        return in(dir, new KernelFaultsTest(), (t, d) -> t.dir = d);
    }

    private static LimitsTest limits(Path dir) {
        return in(dir, new LimitsTest(), (t, d) -> t.dir = d);
    }

    private static void report(long start) {
        List<String> leaks;
        try {
            leaks = LeakDetection.collect();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        LEAKS.add(leaks.size());
        leaks.stream().limit(3).forEach(l -> System.out.println("soak: LEAK " + l));
        long elapsed = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
        long runs = RUNS.values().stream().mapToLong(LongAdder::sum).sum();
        long ops = Kit.OUTCOMES.ops.sum();
        System.out.printf("[soak %4d s] scenarios %d passed, %d failed | ops %d (%d/s) | errors %s | log %s | "
                        + "leaks %d%n", elapsed, runs, FAILURES.size(), ops, ops / elapsed, sorted(Kit.OUTCOMES.errors),
                sorted(LOG_LEVELS), LEAKS.sum());
    }

    private static Map<String, Long> sorted(Map<String, LongAdder> counts) {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Counts library and Netty log records by level; prints them only with --verbose. */
    private static void countLogRecords(boolean verbose) {
        Logger root = Logger.getLogger("");
        Handler counter = new Handler() {
            @Override
            public void publish(LogRecord record) {
                LOG_LEVELS.computeIfAbsent(record.getLevel().getName(), k -> new LongAdder()).increment();
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        if (!verbose) {
            for (Handler h : root.getHandlers()) {
                root.removeHandler(h);
            }
        }
        root.addHandler(counter);
        root.setLevel(Level.INFO);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
