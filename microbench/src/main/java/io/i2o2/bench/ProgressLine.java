package io.i2o2.bench;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One status line on standard error, rewritten in place with {@code \r} a few times a second while a
 * trial runs, so a long run shows where it is without scrolling; cleared before the table is printed.
 */
public final class ProgressLine implements AutoCloseable {
    private final PrintStream err = System.err;
    private final Thread ticker;
    private volatile String label = "";
    private volatile long trialStart;
    private volatile long trialNanos;
    private volatile String last = "";
    private int width;

    /** Starts the ticker thread (a daemon; it only prints). */
    public ProgressLine() {
        ticker = Thread.ofPlatform().daemon(true).name("bench-progress").start(this::tick);
    }

    /**
     * Shows a new trial.
     *
     * @param text  e.g. {@code [3/12] netty-iouring randread qd32}
     * @param nanos how long it should take
     */
    public void trial(String text, long nanos) {
        label = text;
        trialNanos = nanos;
        trialStart = System.nanoTime();
        print();
    }

    /**
     * Remembers the last finished trial's headline figure, shown at the end of the line.
     *
     * @param text e.g. {@code c-liburing qd32 853k/s}
     */
    public void lastResult(String text) {
        last = text;
    }

    private void tick() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(250);
                print();
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    private synchronized void print() {
        if (label.isEmpty()) {
            return;
        }
        double elapsed = (System.nanoTime() - trialStart) / 1e9;
        String s = String.format(Locale.ROOT, "%s  %.1f/%.1f s%s", label, elapsed, trialNanos / 1e9,
                last.isEmpty() ? "" : "   last: " + last);
        int pad = Math.max(0, width - s.length());
        width = s.length();
        err.print("\r" + s + " ".repeat(pad));
        err.flush();
    }

    @Override
    public synchronized void close() {
        ticker.interrupt();
        if (width > 0) {
            err.print("\r" + " ".repeat(width) + "\r");
            err.flush();
        }
        label = "";
        width = 0;
    }
}
