package io.i2o2.file.nvme;

import io.i2o2.uring.Errno;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The NVMe status field as Linux hands it back in {@code res}: SC, SCT, CRD, More, DNR. */
class NvmeStatusExceptionTest {
    @Test
    void lbaOutOfRangeWithDoNotRetry() {
        // What QEMU's controller answers for a read one LBA past the end (seen in the guest).
        NvmeStatusException e = new NvmeStatusException("nvme read", 0x4080, 5, 1 << 21);
        assertEquals(Errno.EIO, e.errno());
        assertEquals(0, e.statusCodeType());
        assertEquals(0x80, e.statusCode());
        assertTrue(e.doNotRetry());
        assertFalse(e.more());
        assertEquals(0, e.commandRetryDelay());
        assertEquals("LBA Out of Range (status 0x4080, sct 0, sc 0x80, dnr)", NvmeStatusException.describe(0x4080));
        assertTrue(e.getMessage().contains("LBA Out of Range"), e.getMessage());
    }

    @Test
    void moreAndRetryDelayAreDecoded() {
        int status = 0x2000 | 2 << 11 | 0x2 << 8 | 0x81;
        NvmeStatusException e = new NvmeStatusException("nvme read", status, 5, 0);
        assertTrue(e.more());
        assertFalse(e.doNotRetry());
        assertEquals(2, e.commandRetryDelay());
        assertEquals(2, e.statusCodeType());
        assertEquals("Unrecovered Read Error (status 0x3281, sct 2, sc 0x81, more, crd 2)",
                NvmeStatusException.describe(status));
    }

    @Test
    void commandSpecificCodesAreNamed() {
        assertEquals("Zone Is Full", NvmeStatusException.name(0x1b9));
        assertEquals("Invalid Log Page", NvmeStatusException.name(0x109));
        assertEquals("Compare Failure", NvmeStatusException.name(0x4285));
        assertEquals("NVMe status", NvmeStatusException.name(0x1ff));
        assertEquals("Overlapping Range", NvmeStatusException.name(0x114));
        assertEquals("Invalid Protection Information", NvmeStatusException.name(0x181));
    }

    @Test
    void genericCodesHaveTheSpecificationsNumbers() {
        // NVMe 2.0 Figure 102 (and <linux/nvme.h>): 15h is Operation Denied, 20h Namespace is Write Protected.
        assertEquals("Operation Denied", NvmeStatusException.name(0x015));
        assertEquals("SGL Offset Invalid", NvmeStatusException.name(0x016));
        assertEquals("Namespace is Write Protected", NvmeStatusException.name(0x020));
        assertEquals("Command Interrupted", NvmeStatusException.name(0x021));
        assertEquals("Transient Transport Error", NvmeStatusException.name(0x022));
        assertEquals("Invalid Number of SGL Descriptors", NvmeStatusException.name(0x00e));
    }

    @Test
    void allFlagsAtOnceAndTheStatusBitsOnlyCountForTheName() {
        // DNR (bit 14), More (bit 13), CRD 3 (bits 11-12), SCT 1, SC 0xb9: 0x7800 | 0x1b9.
        NvmeStatusException e = new NvmeStatusException("nvme zone append", 0x79b9, 5, 8);
        assertTrue(e.doNotRetry());
        assertTrue(e.more());
        assertEquals(3, e.commandRetryDelay());
        assertEquals(1, e.statusCodeType());
        assertEquals(0xb9, e.statusCode());
        assertEquals("Zone Is Full (status 0x79b9, sct 1, sc 0xb9, dnr, more, crd 3)", NvmeStatusException.describe(0x79b9));
    }
}
