package io.i2o2.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void smallValuesAreExact() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 32; i++) {
            h.record(i);
        }
        assertEquals(32, h.count());
        assertEquals(16, h.percentile(0.5));
        assertEquals(31, h.percentile(1.0));
    }

    @Test
    void bucketsStayWithinThreePercent() {
        for (long v = 32; v < 1L << 40; v = v * 3 / 2 + 7) {
            long mid = LatencyHistogram.bucketValue(LatencyHistogram.bucketOf(v));
            assertTrue(Math.abs(mid - v) <= v * 0.032, v + " -> " + mid);
        }
    }

    @Test
    void percentilesOfAUniformSpread() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 1; i <= 100_000; i++) {
            h.record(i * 10L);
        }
        assertEquals(500_000, h.percentile(0.5), 500_000 * 0.032);
        assertEquals(990_000, h.percentile(0.99), 990_000 * 0.032);
    }

    @Test
    void mergeAndWeightedRecord() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        a.record(1000, 99);
        b.record(1_000_000);
        a.merge(b);
        assertEquals(100, a.count());
        assertEquals(LatencyHistogram.bucketValue(LatencyHistogram.bucketOf(1000)), a.percentile(0.5));
        assertEquals(LatencyHistogram.bucketValue(LatencyHistogram.bucketOf(1_000_000)), a.percentile(0.999));
        assertEquals(-1, new LatencyHistogram().percentile(0.5));
    }
}
