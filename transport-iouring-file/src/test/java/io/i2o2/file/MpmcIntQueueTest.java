package io.i2o2.file;

import io.i2o2.uring.WithoutIoUring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.BitSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lock-free queue behind the op table's free list and hand-over. */
@WithoutIoUring
class MpmcIntQueueTest {

    @Test
    void fullMeansFullAndValuesComeOutInOrder() {
        MpmcIntQueue q = new MpmcIntQueue(4);
        for (int i = 0; i < 4; i++) {
            assertTrue(q.offer(i));
        }
        assertFalse(q.offer(9), "holds its capacity, no more");
        for (int i = 0; i < 4; i++) {
            assertEquals(i, q.poll());
        }
        assertEquals(-1, q.poll());
        assertTrue(q.isEmpty());
    }

    @Test
    void theSingleProducerOfferIsTheSameQueue() {
        MpmcIntQueue q = new MpmcIntQueue(4);
        for (int i = 0; i < 4; i++) {
            assertTrue(q.offerSingleProducer(i));
        }
        assertFalse(q.offerSingleProducer(9), "holds its capacity, no more");
        assertEquals(4, q.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(i, q.poll());
        }
        assertEquals(-1, q.poll());
        assertTrue(q.offerSingleProducer(5), "the cells come round again");
        assertEquals(5, q.pollSingleConsumer());
        assertTrue(q.isEmpty());
    }

    /**
     * A free list: many threads take values, one gives them back. A taker preempted between moving the head
     * and marking its cell free used to make the giver's offer fail on a queue far from full, and the value
     * (an op slot, a registered buffer) was lost for good. The giver offers either way: with the CAS, and
     * as the one producer (the loop thread's free list).
     */
    @ParameterizedTest(name = "singleProducer={0}")
    @ValueSource(booleans = {false, true})
    void aPreemptedConsumerNeverMakesAnOfferFailNorLosesAValue(boolean singleProducer) throws Exception {
        int capacity = 64;
        MpmcIntQueue free = new MpmcIntQueue(capacity);
        for (int i = 0; i < capacity; i++) {
            assertTrue(free.offer(i));
        }
        ConcurrentLinkedQueue<Integer> taken = new ConcurrentLinkedQueue<>();
        AtomicLong refusals = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
        Thread giver = Thread.ofPlatform().start(() -> {
            while (System.nanoTime() < end) {
                Integer v = taken.poll();
                if (v != null && !(singleProducer ? free.offerSingleProducer(v) : free.offer(v))) {
                    refusals.incrementAndGet();
                }
            }
        });
        Thread[] takers = new Thread[200];
        for (int i = 0; i < takers.length; i++) {
            takers[i] = Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    int v = free.poll();
                    if (v >= 0) {
                        taken.add(v);
                    } else {
                        Thread.yield();
                    }
                }
            });
        }
        for (Thread t : takers) {
            t.join();
        }
        giver.join();
        assertEquals(0, refusals.get(), "offers refused although the queue never held its capacity");
        BitSet seen = new BitSet();
        for (int v; (v = free.poll()) >= 0; ) {
            assertFalse(seen.get(v), "duplicate " + v);
            seen.set(v);
        }
        taken.forEach(seen::set);
        assertEquals(capacity, seen.cardinality(), "every value is somewhere");
    }
}
