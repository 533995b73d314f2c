package io.i2o2.file;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The operator's system properties: parsed, bounded, and ignored (not fatal) when wrong. */
class ConfigPropertiesTest {
    @Test
    void valuesInRangeAreTakenOthersFallBack() {
        assertEquals(512, ConfigProperties.parseInt("io.i2o2.ringEntries", "512", 256, 1, 32768));
        assertEquals(512, ConfigProperties.parseInt("io.i2o2.ringEntries", " 512 ", 256, 1, 32768));
        assertEquals(256, ConfigProperties.parseInt("io.i2o2.ringEntries", null, 256, 1, 32768));
        assertEquals(256, ConfigProperties.parseInt("io.i2o2.ringEntries", "lots", 256, 1, 32768));
        assertEquals(256, ConfigProperties.parseInt("io.i2o2.ringEntries", "0", 256, 1, 32768));
        assertEquals(256, ConfigProperties.parseInt("io.i2o2.ringEntries", "99999", 256, 1, 32768));
        assertTrue(ConfigProperties.parseEventFdWakeup("eventfd"));
        assertFalse(ConfigProperties.parseEventFdWakeup("auto"));
        assertFalse(ConfigProperties.parseEventFdWakeup(null));
        assertFalse(ConfigProperties.parseEventFdWakeup("carrier-pigeon"));
    }

    @Test
    void theBuilderStartsFromTheProperties() {
        IoUringConfig c = IoUringConfig.defaults();
        assertEquals(ConfigProperties.RING_ENTRIES, c.ringEntries());
        assertEquals(ConfigProperties.MAX_IN_FLIGHT, c.maxInFlight());
        assertEquals(ConfigProperties.SPIN_NANOS, c.spinNanos());
        assertEquals(ConfigProperties.EVENTFD_WAKEUP, c.eventFdWakeup());
        assertEquals(ConfigProperties.SHUTDOWN_TIMEOUT_NANOS, c.shutdownTimeoutNanos());
        assertEquals(1024, IoUringConfig.builder().ringEntries(1024).build().ringEntries(), "a builder call wins");
    }
}
