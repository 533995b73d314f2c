package io.i2o2.bench;

import java.util.concurrent.ThreadFactory;

/** Whether a backend's own threads (producers, blocking readers) are platform or virtual threads. */
public enum ThreadKind {
    /** Ordinary kernel-scheduled threads. */
    PLATFORM,
    /** Virtual threads, mounted on the JDK's carrier pool. */
    VIRTUAL;

    /**
     * A factory for this kind of thread, each named after the given prefix.
     *
     * @param prefix the thread name prefix
     * @return the factory
     */
    public ThreadFactory factory(String prefix) {
        Thread.Builder b = this == VIRTUAL ? Thread.ofVirtual() : Thread.ofPlatform().daemon(true);
        return b.name(prefix, 0).factory();
    }

    /** The suffix that marks this kind in a point label: empty for platform, {@code v} for virtual. */
    public String suffix() {
        return this == VIRTUAL ? "v" : "";
    }
}
