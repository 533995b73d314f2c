package io.i2o2.bench.peer;

import io.i2o2.bench.BenchEnv;
import io.i2o2.bench.LatencyHistogram;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.Trial;
import io.i2o2.file.IoCallback;

/**
 * One producer thread on the allocation-free callback API: it keeps a window of ops in flight, each
 * submitted with one shared {@link IoCallback} and its window slot as the tag; the callback runs on the
 * loop thread, keeps the result and counts the slot in {@link SlotSignals}; the producer waits on its
 * oldest slot (spin, then park) before reusing it. The same window and the same waiting as the Future
 * producers ({@link Producers#windowed}), so the two APIs compare directly.
 */
final class CallbackProducers implements IoCallback {
    /** How one op of a window slot is submitted. */
    @FunctionalInterface
    interface Submit {
        /**
         * Submits the op of {@code slot}, reporting to {@code callback} with {@code slot} as the tag.
         *
         * @param slot     the window slot
         * @param callback where the completion goes
         */
        void submit(int slot, IoCallback callback);
    }

    /** Makes the submit of one producer. */
    @FunctionalInterface
    interface SubmitFactory {
        /**
         * @param producer the producer's index
         * @return how it submits
         */
        Submit create(int producer);
    }

    /**
     * Runs the trial's producers, each on its own submit, every op expected to return {@code expected}.
     *
     * @param trial    threads, kind and QD (shared out among the producers)
     * @param env      the duration
     * @param factory  how each producer submits
     * @param expected the result every op must have
     * @return the measurement
     * @throws Exception if an op failed
     */
    static Measurement run(Trial trial, BenchEnv env, SubmitFactory factory, int expected) throws Exception {
        int window = trial.perProducerWindow();
        return Producers.runBodies(trial.threads(), trial.kind(), env.durationNanos(),
                p -> new CallbackProducers(factory.create(p), window, expected)::run);
    }

    private final Submit submit;
    private final int window;
    private final int expected;
    private final SlotSignals signals;
    private final int[] results;

    /**
     * @param submit   how an op is submitted
     * @param window   ops kept in flight
     * @param expected the result every op must have (0 for NOP, the block size for reads)
     */
    CallbackProducers(Submit submit, int window, int expected) {
        this.submit = submit;
        this.window = window;
        this.expected = expected;
        this.signals = new SlotSignals(window);
        this.results = new int[window];
    }

    @Override
    public void onComplete(int result, long tag) {
        int slot = (int) tag;
        results[slot] = result;         // published by the volatile count below
        signals.complete(slot);
    }

    /**
     * Runs this producer until {@code deadline}, then waits for its last ops.
     *
     * @param hist     where latencies go
     * @param deadline when to stop submitting
     * @return ops completed
     */
    long run(LatencyHistogram hist, long deadline) {
        long[] started = new long[window];
        long[] submitted = new long[window];
        long count = 0;
        long now = System.nanoTime();
        for (int s = 0; s < window; s++) {
            started[s] = now;
            submitted[s] = 1;
            submit.submit(s, this);
        }
        for (int s = 0, outstanding = window; outstanding > 0; s = (s + 1) % window) {
            if (submitted[s] == 0) {
                continue;
            }
            signals.await(s, submitted[s]);
            now = System.nanoTime();
            if (results[s] != expected) {
                throw new IllegalStateException("op returned " + results[s] + ", expected " + expected);
            }
            hist.record(now - started[s]);
            count++;
            if (now < deadline) {
                started[s] = now;
                submitted[s]++;
                submit.submit(s, this);
            } else {
                submitted[s] = 0;
                outstanding--;
            }
        }
        return count;
    }
}
