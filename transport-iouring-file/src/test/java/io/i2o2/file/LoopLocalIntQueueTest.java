package io.i2o2.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The loop's own queue keeps order across many laps of its array and says when it is empty. */
class LoopLocalIntQueueTest {

    @Test
    void firstInFirstOutAcrossLaps() {
        LoopLocalIntQueue q = new LoopLocalIntQueue(5);     // rounded up to 8
        assertTrue(q.isEmpty());
        assertEquals(-1, q.poll());
        int next = 0;
        int expected = 0;
        for (int lap = 0; lap < 100; lap++) {
            for (int i = 0; i < 5; i++) {
                q.offer(next++);
            }
            assertEquals(5, q.size());
            for (int i = 0; i < 5; i++) {
                assertEquals(expected++, q.poll());
            }
            assertTrue(q.isEmpty());
        }
        assertEquals(-1, q.poll());
    }
}
