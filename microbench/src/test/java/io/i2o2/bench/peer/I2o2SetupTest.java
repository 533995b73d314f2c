package io.i2o2.bench.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.i2o2.bench.ThreadKind;
import io.i2o2.bench.Trial;
import io.i2o2.bench.Workload;
import io.i2o2.file.IoUringConfig;
import org.junit.jupiter.api.Test;

/** The loop is sized so that every op a trial keeps in flight fits the ring and the in-flight bound. */
class I2o2SetupTest {

    @Test
    void inFlightIsTheQdOnTheLoopAndEveryWindowForProducers() {
        assertEquals(32, I2o2Setup.inFlight(Trial.ring(Workload.RANDREAD, 32, false)));
        assertEquals(1, I2o2Setup.inFlight(new Trial(Workload.LATENCY, 1, 1, ThreadKind.PLATFORM, false)));
        // 1024 producers at QD 32: at least one op each, so 1024 in flight, not 32.
        assertEquals(1024, I2o2Setup.inFlight(new Trial(Workload.NOP, 32, 1024, ThreadKind.VIRTUAL, false)));
        // 2 producers sharing QD 33: 16 each.
        assertEquals(32, I2o2Setup.inFlight(new Trial(Workload.NOP, 33, 2, ThreadKind.PLATFORM, false)));
    }

    @Test
    void ringIsAPowerOfTwoThatHoldsTheOpsAndTheSlack() {
        assertEquals(I2o2Setup.MIN_RING, I2o2Setup.ringEntries(Trial.ring(Workload.NOP, 1, false)));
        assertEquals(256, I2o2Setup.ringEntries(Trial.ring(Workload.NOP, 248, false)));
        assertEquals(512, I2o2Setup.ringEntries(Trial.ring(Workload.NOP, 249, false)));
        assertEquals(2048, I2o2Setup.ringEntries(new Trial(Workload.NOP, 1, 1024, ThreadKind.PLATFORM, false)));
        assertEquals(I2o2Setup.MAX_RING, I2o2Setup.ringEntries(Trial.ring(Workload.NOP, 40_000, false)));
    }

    @Test
    void configBoundsInFlightAndRegistersOneBufferPerOp() {
        IoUringConfig plain = I2o2Setup.config(Trial.ring(Workload.RANDREAD, 128, false));
        assertEquals(256, plain.ringEntries());
        assertEquals(128 + I2o2Setup.SLACK, plain.maxInFlight());
        assertEquals(0, plain.fixedBufferCount());
        assertEquals(0, plain.fixedFileSlots());

        IoUringConfig reg = I2o2Setup.config(Trial.ring(Workload.RANDREAD_DIRECT, 32, true));
        assertEquals(32, reg.fixedBufferCount());
        assertEquals(4096, reg.fixedBufferSize());
        assertEquals(1, reg.fixedFileSlots());
    }

    @Test
    void onlyLoopTrialsRunOnTheLoopAndOnlyLatencyT1IsTheFutureVariant() {
        assertTrue(I2o2Setup.onLoopThread(Trial.ring(Workload.LATENCY, 1, false)));
        assertFalse(I2o2Setup.futureLatency(Trial.ring(Workload.LATENCY, 1, false)));
        Trial t1 = new Trial(Workload.LATENCY, 1, 1, ThreadKind.PLATFORM, false);
        assertFalse(I2o2Setup.onLoopThread(t1));
        assertTrue(I2o2Setup.futureLatency(t1));
        assertFalse(I2o2Setup.onLoopThread(new Trial(Workload.NOP, 1, 2, ThreadKind.PLATFORM, false)));
    }
}
