package io.i2o2.file;

import io.i2o2.uring.SqeSyscalls;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The worker threads of one portable loop: io_uring's io-wq in user space. The loop hands them chains of
 * ops (by their head's slot index); a worker runs each link as the blocking system call its SQE stands for
 * ({@link PortableEngine#runChain}) and hands the results back to the loop.
 *
 * <p>Threads are platform threads (a blocking system call pins a virtual thread's carrier anyway), started
 * only when an op finds no idle worker, up to {@link #max}, and ended after {@link #KEEP_ALIVE_NANOS} without
 * work, so a loop that reads a little keeps few threads and a burst does not keep them for ever. Idle workers
 * park. The loop wakes an idle worker for an op it hands over, and a worker that takes an op and still sees
 * ops waiting wakes a peer, so N ops handed over at once run on N workers (as the kernel's io-wq runs blocking
 * ops side by side). Idle workers do not spin: a watching worker saved no measurable CPU on O_DIRECT reads
 * and burnt a core's worth of clock reads while waiting (perf, 2026-12-07), and page-cache reads do not come
 * here at all ({@link PortableEngine} tries them on the loop first).
 *
 * <p>Handing over allocates nothing: a bounded lock-free queue of slot indexes (one producer: the loop
 * thread), and a stack of idle workers under a lock that is taken only when a worker goes idle or the loop
 * wakes one.
 */
final class PortableWorkers {
    private static final System.Logger logger = System.getLogger(PortableWorkers.class.getName());
    /** How long a worker without work lives on. */
    static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Stack of each worker thread: a blocking call through FFM needs little. */
    private static final long STACK_BYTES = 256 * 1024;

    private final PortableEngine engine;
    private final String name;
    private final int max;
    /** Chain heads waiting for a worker; the loop thread is the one producer. */
    private final MpmcIntQueue queued;
    private final Object lock = new Object();
    /** Idle workers, parked, most recently idle on top. Under {@link #lock}. */
    private final Worker[] idleStack;
    private int idleCount;
    /** {@link #idleCount} as the loop may read it without the lock (written under it). */
    private volatile int idleNow;
    /** Workers alive (started, not ended). Under {@link #lock}. */
    private int alive;
    /** Workers alive, for metrics and tests. */
    private volatile int aliveNow;
    private final java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();
    /** Chains handed over and not finished: no more workers than that are ever useful. */
    private final java.util.concurrent.atomic.AtomicInteger outstanding = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean shutDown;


    /**
     * Workers for {@code engine}, named after {@code name}, at most {@code max} at once, for a loop that holds at
     * most {@code capacity} ops.
     */
    PortableWorkers(PortableEngine engine, String name, int max, int capacity) {
        this.engine = engine;
        this.name = name;
        this.max = max;
        this.queued = new MpmcIntQueue(capacity);
        this.idleStack = new Worker[max];
    }

    /** The most workers this loop runs at once. */
    int max() {
        return max;
    }

    /** Workers alive now. */
    int alive() {
        return aliveNow;
    }

    /**
     * Hands the chain headed by slot {@code head} to a worker: wakes an idle one, or starts one while fewer than
     * {@link #max} live; otherwise the chain waits for the next worker that finishes. Loop thread.
     */
    void submit(int head) {
        outstanding.incrementAndGet();
        queued.offerSingleProducer(head);
        // The offer above and a worker's "idle, then look again" meet here (see Worker#awaitWork).
        java.lang.invoke.VarHandle.fullFence();
        wakeOne();
    }

    /**
     * Wakes an idle worker, or starts one while fewer than {@link #max} live and fewer than the chains handed over
     * and not finished (more could only wait). Any thread.
     */
    private void wakeOne() {
        if (idleNow == 0 && (aliveNow >= max || aliveNow >= outstanding.get())) {
            return;     // every worker is busy: the next one to finish takes it, no lock taken
        }
        Worker w = null;
        boolean start = false;
        synchronized (lock) {
            if (idleCount > 0) {
                w = idleStack[--idleCount];
                idleStack[idleCount] = null;
                idleNow = idleCount;
                w.onIdleStack = false;
            } else if (alive < max && alive < outstanding.get() && !shutDown) {
                alive++;
                aliveNow = alive;
                start = true;
            }
        }
        if (w != null) {
            LockSupport.unpark(w.thread);
        } else if (start) {
            startWorker();
        }
    }

    private void startWorker() {
        Worker w = new Worker();
        Thread t = new Thread(null, w, name + "-worker-" + started.incrementAndGet(), STACK_BYTES);
        t.setDaemon(true);
        w.thread = t;
        try {
            t.start();
        } catch (Throwable e) {
            // No thread (out of processes or memory): the queued chain waits for a worker that finishes; if none
            // lives, it is run by the next thread the loop manages to start.
            synchronized (lock) {
                alive--;
                aliveNow = alive;
            }
            logger.log(System.Logger.Level.ERROR, name + ": could not start a worker thread", e);
        }
    }

    /**
     * Stops idle workers now and busy ones once their call returns; a worker stuck in a call that never returns
     * stays where it is (nothing can interrupt a blocking system call from Java). Any thread.
     */
    void shutdown() {
        Worker[] parked;
        synchronized (lock) {
            shutDown = true;
            parked = java.util.Arrays.copyOf(idleStack, idleCount);
        }
        for (Worker w : parked) {
            LockSupport.unpark(w.thread);
        }
    }

    /** One worker thread: runs chains while there are any, parks when there are none. */
    private final class Worker implements Runnable {
        Thread thread;
        /** Whether this worker is on the idle stack. Under {@link #lock}. */
        boolean onIdleStack;

        @Override
        public void run() {
            SqeSyscalls calls = new SqeSyscalls();
            try {
                for (;;) {
                    int head = queued.poll();
                    if (head >= 0) {
                        if (!queued.isEmpty()) {
                            wakeOne();      // more wait than this worker takes: a peer runs them side by side
                        }
                        try {
                            engine.runChain(head, calls);
                        } finally {
                            outstanding.decrementAndGet();
                        }
                    } else if (!awaitWork()) {
                        return;
                    }
                }
            } catch (Throwable t) {
                logger.log(System.Logger.Level.ERROR, thread.getName() + " died", t);
                synchronized (lock) {
                    removeIdle();
                    alive--;
                    aliveNow = alive;
                }
            }
        }

        /**
         * Goes idle until the loop hands over work, the keep-alive ends or the pool shuts down.
         *
         * @return false if this worker ends
         */
        private boolean awaitWork() {
            synchronized (lock) {
                if (shutDown) {
                    alive--;
                    aliveNow = alive;
                    return false;
                }
                idleStack[idleCount++] = this;
                idleNow = idleCount;
                onIdleStack = true;
            }
            // Idle first, then look again: an op offered before we went idle is seen here, one offered after
            // finds us on the stack and wakes us (the loop fences between its offer and its look at the stack).
            java.lang.invoke.VarHandle.fullFence();
            long deadline = System.nanoTime() + KEEP_ALIVE_NANOS;
            while (queued.isEmpty()) {
                long left = deadline - System.nanoTime();
                synchronized (lock) {
                    if (!onIdleStack) {
                        return true;       // the loop took us off the stack: work is there
                    }
                    if (left <= 0 || shutDown) {
                        removeIdle();
                        alive--;
                        aliveNow = alive;
                        return false;
                    }
                }
                LockSupport.parkNanos(this, left);
            }
            synchronized (lock) {
                removeIdle();
            }
            return true;
        }

        /** Takes this worker off the idle stack if it is on it. Under {@link #lock}. */
        private void removeIdle() {
            if (!onIdleStack) {
                return;
            }
            for (int i = idleCount - 1; i >= 0; i--) {
                if (idleStack[i] == this) {
                    idleStack[i] = idleStack[--idleCount];
                    idleStack[idleCount] = null;
                    idleNow = idleCount;
                    break;
                }
            }
            onIdleStack = false;
        }
    }

    @Override
    public String toString() {
        return name + " workers[" + aliveNow + " of " + max + "]";
    }
}
