package io.i2o2.uring;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;

import static io.i2o2.uring.SetupFlag.CLAMP;
import static io.i2o2.uring.SetupFlag.COOP_TASKRUN;
import static io.i2o2.uring.SetupFlag.CQE32;
import static io.i2o2.uring.SetupFlag.DEFER_TASKRUN;
import static io.i2o2.uring.SetupFlag.IOPOLL;
import static io.i2o2.uring.SetupFlag.NO_SQARRAY;
import static io.i2o2.uring.SetupFlag.SINGLE_ISSUER;
import static io.i2o2.uring.SetupFlag.SQE128;
import static io.i2o2.uring.SetupFlag.SQPOLL;
import static io.i2o2.uring.SetupFlag.SUBMIT_ALL;
import static io.i2o2.uring.SetupFlag.TASKRUN_FLAG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every setup flag combination the library offers, each set up on the real kernel and put through a NOP
 * round trip. A combination the kernel refuses is skipped with the kernel's reason; one it accepts must
 * come back with exactly the flags asked for. Runs on the test thread, which creates each ring, so
 * {@code SINGLE_ISSUER} and {@code DEFER_TASKRUN} rings are driven by their one allowed submitter.
 */
class SetupFlagsTest {

    /** A ring configuration under test. */
    record Combo(String name, Set<SetupFlag> flags, boolean startDisabled, int sqIdleMillis) {
        static Combo of(String name, SetupFlag... flags) {
            return new Combo(name, flags.length == 0 ? EnumSet.noneOf(SetupFlag.class) : EnumSet.of(flags[0], flags),
                    false, 0);
        }

        RingParams params() {
            return RingParams.builder().entries(16).require(flags.toArray(SetupFlag[]::new))
                    .startDisabled(startDisabled).sqThreadIdleMillis(sqIdleMillis).build();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> combos() {
        return Stream.of(
                Combo.of("plain"),
                Combo.of("SQE128|CQE32", SQE128, CQE32),
                Combo.of("SQPOLL", SQPOLL),
                new Combo("SQPOLL idle 5 ms", EnumSet.of(SQPOLL), false, 5),
                // IOPOLL only polls O_DIRECT files on polled block devices; a NOP needs neither.
                Combo.of("IOPOLL", IOPOLL),
                Combo.of("COOP_TASKRUN", COOP_TASKRUN),
                Combo.of("COOP_TASKRUN|TASKRUN_FLAG", COOP_TASKRUN, TASKRUN_FLAG),
                Combo.of("SINGLE_ISSUER", SINGLE_ISSUER),
                Combo.of("SINGLE_ISSUER|DEFER_TASKRUN", SINGLE_ISSUER, DEFER_TASKRUN),
                Combo.of("CLAMP", CLAMP),
                Combo.of("SUBMIT_ALL", SUBMIT_ALL),
                Combo.of("NO_SQARRAY", NO_SQARRAY),
                new Combo("R_DISABLED, enabled", EnumSet.noneOf(SetupFlag.class), true, 0),
                new Combo("R_DISABLED|SINGLE_ISSUER|DEFER_TASKRUN, enabled",
                        EnumSet.of(SINGLE_ISSUER, DEFER_TASKRUN), true, 0),
                // What the file module asks for on a current kernel: everything at once.
                Combo.of("SQE128|CQE32|SINGLE_ISSUER|DEFER_TASKRUN|NO_SQARRAY|SUBMIT_ALL|CLAMP",
                        SQE128, CQE32, SINGLE_ISSUER, DEFER_TASKRUN, NO_SQARRAY, SUBMIT_ALL, CLAMP),
                Combo.of("SQPOLL|SQE128|CQE32|NO_SQARRAY", SQPOLL, SQE128, CQE32, NO_SQARRAY))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("combos")
    void setsUpAndRoundTripsANop(Combo combo) throws Exception {
        try (Ring ring = openOrSkip(combo)) {
            assertEquals(combo.flags(), ring.flags(), "the ring reports exactly the flags asked for");
            assertTrue(ring.droppedFlags().isEmpty(), "nothing required is ever dropped: " + ring.droppedFlags());
            assertEquals(combo.flags().contains(SQE128) ? 128 : 64, ring.sqeSize());
            assertEquals(combo.flags().contains(CQE32) ? 32 : 16, ring.cqeSize());
            if (combo.startDisabled()) {
                ring.enable();
            }
            TestRing.Cqe cqe = TestRing.run(ring, 0xC0FFEEL, Sqe::prepNop);
            assertEquals(0, cqe.res(), "a NOP completes with 0");
        }
    }

    @Test
    void aDisabledRingRefusesSubmissionUntilEnabledAndLosesNothing() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(4).startDisabled(true).build())) {
            ring.sq().next().prepNop().userData(1);
            UringException e = assertThrows(UringException.class, ring::submit);
            assertEquals("EBADFD", e.errnoName(), "a disabled ring refuses io_uring_enter: " + e.getMessage());
            ring.enable();
            // The entry written before enable() is still queued and goes in with the next submit.
            assertEquals(1, TestRing.awaitCqes(ring, 1).getFirst().userData());
        }
    }

    @Test
    void capacitiesAreRoundedUpToPowersOfTwo() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(5).cqEntries(9).build())) {
            assertEquals(8, ring.sq().capacity());
            assertEquals(16, ring.cq().capacity());
        }
        try (Ring ring = Ring.open(RingParams.builder().entries(5).build())) {
            assertEquals(16, ring.cq().capacity(), "the kernel default CQ is twice the SQ");
        }
    }

    @Test
    void toStringNamesSizesAndFlags() throws Exception {
        try (Ring ring = Ring.open(RingParams.builder().entries(8).require(SQE128, CQE32).build())) {
            String s = ring.toString();
            assertTrue(s.contains("sqEntries=8") && s.contains("sqe=128B") && s.contains("cqe=32B")
                    && s.contains("SQE128|CQE32"), s);
        }
    }

    @Test
    void builderRejectsCombinationsTheKernelWouldRefuse() {
        assertThrows(IllegalArgumentException.class, () -> RingParams.builder().require(DEFER_TASKRUN).build());
        assertThrows(IllegalArgumentException.class,
                () -> RingParams.builder().require(SQPOLL, COOP_TASKRUN).build());
        assertThrows(IllegalArgumentException.class, () -> RingParams.builder().entries(8).cqEntries(4).build());
        assertThrows(IllegalArgumentException.class, () -> RingParams.builder().entries(0));
        assertThrows(IllegalArgumentException.class, () -> RingParams.builder().entries(RingParams.MAX_ENTRIES + 1));
    }

    @Test
    void flagBitsRoundTrip() {
        Set<SetupFlag> all = EnumSet.allOf(SetupFlag.class);
        assertEquals(all, SetupFlag.fromBits(SetupFlag.toBits(all)));
        assertEquals("none", SetupFlag.describe(EnumSet.noneOf(SetupFlag.class)));
        assertEquals("SQE128|CQE32", SetupFlag.describe(EnumSet.of(CQE32, SQE128)));
    }

    @Test
    void everyFlagIsCoveredByACombo() {
        EnumSet<SetupFlag> covered = EnumSet.noneOf(SetupFlag.class);
        combos().forEach(a -> covered.addAll(((Combo) a.get()[0]).flags()));
        if (!covered.equals(EnumSet.allOf(SetupFlag.class))) {
            fail("flags without a setup test: " + EnumSet.complementOf(covered));
        }
    }

    private static Ring openOrSkip(Combo combo) throws UringException {
        try {
            return Ring.open(combo.params());
        } catch (UringException e) {
            // EINVAL: this kernel lacks a flag or the combination; EPERM: SQPOLL without the privilege old
            // kernels want. Anything else is a real failure.
            if (e.errno() == Errno.EINVAL || e.errno() == Errno.EPERM) {
                Assumptions.abort("kernel " + KernelVersion.running() + " refuses " + combo + ": " + e.getMessage());
            }
            throw e;
        }
    }
}
