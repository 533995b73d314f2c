package io.i2o2.uring;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link KernelVersion}: parsing release strings and comparing them as numbers, not text. */
@WithoutIoUring
class KernelVersionTest {

    @Test
    void parsesFullReleaseStrings() {
        assertEquals(new KernelVersion(6, 18), KernelVersion.parse("6.18.44-fc-v657"));
        assertEquals(new KernelVersion(6, 12), KernelVersion.parse("6.12.9+deb12-amd64"));
        assertEquals(new KernelVersion(6, 0), KernelVersion.parse("6"));
        assertThrows(IllegalArgumentException.class, () -> KernelVersion.parse("linux"));
    }

    @Test
    void comparesNumerically() {
        assertTrue(KernelVersion.parse("5.15").isBefore("6.1"));
        assertTrue(KernelVersion.parse("5.9").isBefore("5.19"), "5.9 < 5.19 although \"5.9\" > \"5.19\" as text");
        assertFalse(KernelVersion.parse("6.1").isBefore("6.1"));
        assertEquals("6.18", KernelVersion.parse("6.18.44").toString());
    }
}
