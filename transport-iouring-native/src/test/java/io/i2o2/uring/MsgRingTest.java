package io.i2o2.uring;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code IORING_OP_MSG_RING} through an SQE: a request on one ring makes a CQE appear on another, with the
 * {@code res} and {@code user_data} the sender chose; the sender gets its own CQE with the result.
 */
class MsgRingTest {

    @Test
    void aMessageLandsOnTheTargetRing() throws Exception {
        try (Ring sender = Ring.open(RingParams.builder().entries(4).build());
             Ring target = Ring.open(RingParams.builder().entries(4).require(SetupFlag.SQE128, SetupFlag.CQE32)
                     .build())) {
            assertEquals(0, TestRing.run(sender, 1, s -> s.prepMsgRing(target.fd(), 4242, 0xFEED_BEEFL, 0)).ok());
            List<TestRing.Cqe> got = TestRing.awaitCqes(target, 1);
            assertEquals(1, got.size());
            assertEquals(0xFEED_BEEFL, got.getFirst().userData());
            assertEquals(4242, got.getFirst().res());
        }
    }

    @Test
    void skipSuccessLeavesTheSenderSilent() throws Exception {
        try (Ring sender = Ring.open(RingParams.builder().entries(4).build());
             Ring target = Ring.open(RingParams.builder().entries(4).build())) {
            sender.sq().next().prepMsgRing(target.fd(), 1, 77, 0).flags(SqeFlags.CQE_SKIP_SUCCESS).userData(1);
            sender.sq().next().prepNop().userData(2);
            List<TestRing.Cqe> own = TestRing.awaitCqes(sender, 1);
            assertEquals(77, TestRing.awaitCqes(target, 1).getFirst().userData());
            own.addAll(TestRing.reapReady(sender));
            assertEquals(List.of(2L), own.stream().map(TestRing.Cqe::userData).toList(),
                    "only the NOP completed on the sender: CQE_SKIP_SUCCESS reached the kernel");
        }
    }

    @Test
    void aMessageToSomethingThatIsNotARingFails() throws Exception {
        try (Ring sender = Ring.open(RingParams.builder().entries(4).build())) {
            int res = TestRing.run(sender, 1, s -> s.prepMsgRing(0, 1, 2, 0)).res();
            assertTrue(res < 0 && Set.of("EBADFD", "EBADF").contains(Errno.name(res)), "stdin is no ring: " + res);
        }
    }
}
