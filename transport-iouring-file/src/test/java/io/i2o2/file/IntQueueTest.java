package io.i2o2.file;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounded queue behind the slot table and the registered-buffer pool. */
class IntQueueTest {

    @Test
    void fifoUpToItsCapacityThenFull() {
        IntQueue q = new IntQueue(4);
        assertTrue(q.isEmpty());
        assertEquals(-1, q.poll());
        for (int i = 0; i < 4; i++) {
            assertTrue(q.offer(i));
        }
        assertFalse(q.offer(99), "full");
        assertEquals(4, q.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(i, q.poll());
        }
        assertTrue(q.isEmpty());
    }

    /**
     * The way the slot table uses it: every value is always either in the queue or held by one thread, so
     * the queue can never be full when a value comes back. Threads take values and give them back as fast
     * as they can; when one is preempted between taking a cell and releasing it, a give-back that wraps
     * onto that cell must wait for it, not report "full" (the caller would drop the value: a leaked slot).
     */
    @Test
    void aValueGivenBackIsNeverLostWhileAnotherThreadIsMidPoll() throws Exception {
        int capacity = 8;
        IntQueue q = new IntQueue(capacity);
        for (int i = 0; i < capacity; i++) {
            assertTrue(q.offer(i));
        }
        int threads = 4;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try {
                    start.await();
                    while (System.nanoTime() < deadline) {
                        int v = q.poll();
                        if (v >= 0 && !q.offer(v)) {
                            throw new AssertionError("value " + v + " refused: the queue is not full");
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        assertNull(failure.get());
        BitSet seen = new BitSet();
        for (int v; (v = q.poll()) >= 0; ) {
            assertFalse(seen.get(v), "value " + v + " twice");
            seen.set(v);
        }
        assertEquals(capacity, seen.cardinality(), "every value is back");
    }
}
