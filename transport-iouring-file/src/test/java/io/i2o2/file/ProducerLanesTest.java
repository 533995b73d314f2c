package io.i2o2.file;

import io.i2o2.uring.WithoutIoUring;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The op table's producer lanes, the table alone: the test thread plays the loop (it owns the table, polls what
 * is handed over and frees it), other threads submit. What must hold whatever the lanes do: the table's
 * capacity is the exact bound, no slot is lost or handed out twice, and every op handed over reaches the loop.
 */
@WithoutIoUring
class ProducerLanesTest {

    /** Runs {@code task} on a thread of its own and returns its result. */
    private static <T> T onThread(String name, Callable<T> task) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                result.set(task.call());
            } catch (Exception e) {
                failure.set(e);
            }
        }, name);
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(30));
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    /** A platform thread that claims and hands over ops, then stays alive (its lane taken) until closed. */
    private static final class HoldingProducer implements AutoCloseable {
        private final CountDownLatch handedOver = new CountDownLatch(1);
        private final CountDownLatch finish = new CountDownLatch(1);
        private final Thread thread;
        private volatile List<OpSlot> slots;

        HoldingProducer(OpTable table, int n, String name) throws InterruptedException {
            thread = new Thread(() -> {
                slots = claimAndHandOver(table, n);
                handedOver.countDown();
                try {
                    finish.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, name);
            thread.start();
            assertTrue(handedOver.await(30, TimeUnit.SECONDS), name + " handed over its ops");
        }

        List<OpSlot> slots() {
            return slots;
        }

        @Override
        public void close() throws InterruptedException {
            finish.countDown();
            thread.join();
        }
    }

    /** Claims {@code n} slots on the calling thread and hands each over; returns them. */
    private static List<OpSlot> claimAndHandOver(OpTable table, int n) {
        List<OpSlot> claimed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            OpSlot s = table.claim();
            assertNotNull(s, "slot " + i + " of " + n);
            table.handOver(s);
            claimed.add(s);
        }
        return claimed;
    }

    /** Polls what was handed over, as the loop, and frees it as its CQE would; returns how many. */
    private static int takeAndFreeAll(OpTable table) {
        int n = 0;
        for (OpSlot s; (s = table.pollHandedOver()) != null; n++) {
            table.free(s);
        }
        return n;
    }

    @Test
    void aProducersSlotsComeBackToItsLaneAndStillCountAsFree() throws Exception {
        OpTable table = new OpTable(64, 4);
        table.ownedBy(Thread.currentThread());
        List<OpSlot> first = onThread("producer", () -> claimAndHandOver(table, 64));
        ProducerLane lane = first.get(0).lane;
        assertNotNull(lane, "a platform thread submitting from outside the loop gets a lane");
        assertEquals(64, table.handedOver());
        assertEquals(64, takeAndFreeAll(table));
        assertEquals(0, table.inUse(), "slots resting in a lane's stock are free");
        assertEquals(64, lane.stock.size(), "the loop gave every slot back to the lane it came from");
        for (int i = 0; i < 64; i++) {
            assertNotNull(table.claim(), "the loop's own claim " + i + " takes from the lane's stock when nothing else is free");
        }
        assertNull(table.claim(), "and the capacity is the bound");
    }

    @Test
    void slotsRestingWithAnIdleThreadNeverMakeAnotherThreadsOpAnOverload() throws Exception {
        OpTable table = new OpTable(32, 4);
        table.ownedBy(Thread.currentThread());
        // Alive and idle: its lane keeps every slot of the table in stock once the loop freed them.
        try (HoldingProducer idle = new HoldingProducer(table, 32, "idle producer")) {
            assertEquals(32, takeAndFreeAll(table));
            BitSet seen = onThread("second producer", () -> {
                BitSet indexes = new BitSet();
                for (int i = 0; i < 32; i++) {
                    OpSlot s = table.claim();
                    assertNotNull(s, "claim " + i + ": the idle lane's stock is free room");
                    assertTrue(!indexes.get(s.index), "slot " + s.index + " handed out twice");
                    indexes.set(s.index);
                }
                assertNull(table.claim(), "the capacity is the exact bound: a 33rd op is an overload");
                return indexes;
            });
            assertEquals(32, seen.cardinality());
        }
    }

    @Test
    void aDeadThreadsLaneGoesToTheNextThreadThatAsks() throws Exception {
        OpTable table = new OpTable(16, 1);
        table.ownedBy(Thread.currentThread());
        ProducerLane first = onThread("first", () -> claimAndHandOver(table, 4).get(0).lane);
        assertNotNull(first);
        assertEquals(4, takeAndFreeAll(table));
        // "first" has ended: its lane (the only one) is free for the next platform thread, stock and all.
        List<OpSlot> next = onThread("second", () -> claimAndHandOver(table, 16));
        assertSame(first, next.get(0).lane);
        assertEquals(16, takeAndFreeAll(table));
        assertEquals(0, table.inUse());
    }

    @Test
    void threadsBeyondTheLanesAndVirtualThreadsShareOneQueue() throws Exception {
        OpTable table = new OpTable(16, 1);
        table.ownedBy(Thread.currentThread());
        try (HoldingProducer holder = new HoldingProducer(table, 1, "lane holder")) {
            OpSlot other = onThread("no lane left", () -> claimAndHandOver(table, 1).get(0));
            assertNull(other.lane, "the one lane is taken by a live thread");
            OpSlot virtual;
            try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<OpSlot> f = vts.submit(() -> claimAndHandOver(table, 1).get(0));
                virtual = f.get(30, TimeUnit.SECONDS);
            }
            assertNull(virtual.lane, "a virtual thread gets no lane");
            assertEquals(3, takeAndFreeAll(table));
            assertEquals(0, table.inUse());
        }
    }

    @Test
    void aLaneHoldsTheWholeTableAndLosesNothing() throws Exception {
        OpTable table = new OpTable(4096, 2);
        table.ownedBy(Thread.currentThread());
        List<OpSlot> handed = onThread("burst", () -> claimAndHandOver(table, 4096));
        assertEquals(4096, table.handedOver());
        BitSet polled = new BitSet();
        for (OpSlot s; (s = table.pollHandedOver()) != null; ) {
            assertTrue(!polled.get(s.index), "slot " + s.index + " polled twice");
            polled.set(s.index);
            table.free(s);
        }
        assertEquals(handed.size(), polled.cardinality(), "every op handed over reached the loop");
        assertEquals(0, table.inUse());
    }

    @Test
    void theLoopTakesFromEveryLaneInTurn() throws Exception {
        OpTable table = new OpTable(1024, 4);
        table.ownedBy(Thread.currentThread());
        try (HoldingProducer busy = new HoldingProducer(table, 500, "busy");
             HoldingProducer quiet = new HoldingProducer(table, 1, "quiet")) {
            assertNotSame(busy.slots().get(0).lane, quiet.slots().get(0).lane);
            int position = -1;
            for (int i = 0; i <= ProducerLanes.BURST; i++) {
                OpSlot s = table.pollHandedOver();
                assertNotNull(s);
                if (s == quiet.slots().get(0)) {
                    position = i;
                }
            }
            assertTrue(position >= 0, "the quiet lane's op came within one burst of the busy lane's");
            assertEquals(501 - ProducerLanes.BURST - 1, table.handedOver());
        }
    }

    @Test
    void withoutLanesEveryThreadSharesTheQueues() throws Exception {
        OpTable table = new OpTable(8, 0);
        table.ownedBy(Thread.currentThread());
        OpSlot s = onThread("producer", () -> claimAndHandOver(table, 8).get(0));
        assertNull(s.lane);
        assertEquals(8, takeAndFreeAll(table));
        assertEquals(0, table.inUse());
    }
}
