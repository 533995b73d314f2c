package io.i2o2.testsuite.nvme;

import io.i2o2.uring.Errno;
import io.i2o2.uring.KernelVersion;
import io.i2o2.uring.Linux;
import io.i2o2.uring.NvmeUringCmd;
import io.i2o2.uring.Ring;
import io.i2o2.uring.RingParams;
import io.i2o2.uring.RingWaker;
import io.i2o2.uring.SetupFlag;
import io.i2o2.uring.Sqe;
import io.i2o2.uring.UringException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code IORING_SETUP_IOPOLL} rings and NVMe passthrough, at the ring level, on polled NVMe queues (the guest
 * loads the driver with {@code poll_queues=1}: {@code run-in-guest.sh -q 1}). What a loop on a polled ring has to
 * live with, each shown on the real kernel:
 * <ul>
 *   <li>a polled ring takes only pollable requests: {@code openat} is refused with {@code -EINVAL}
 *       (io_uring's {@code io_init_req}: an opcode without {@code iopoll} support on an IOPOLL ring);</li>
 *   <li>a read of an eventfd (the wake-up of kernels before 6.13) is refused at once with {@code -EOPNOTSUPP}
 *       (a polled read needs O_DIRECT on a file with {@code ->iopoll});</li>
 *   <li>that failed read starves the polled command: {@code io_uring_enter(GETEVENTS)} does not poll while any
 *       CQE is pending ({@code io_iopoll_check}: "don't enter poll loop if we already have events pending"), so
 *       a loop that re-arms the read each time it parks never polls, and its first {@code uring_cmd} never
 *       completes;</li>
 *   <li>waiting on a polled ring with nothing polled in flight returns at once: it cannot sleep there;</li>
 *   <li>the design that works: polled commands alone on the polled ring, reaped by {@code GETEVENTS} while they
 *       are in flight; the wake-up, opens and closes on a companion plain ring, where the thread sleeps when
 *       nothing polled is in flight.</li>
 * </ul>
 *
 * <p>Ring only, no portable variant: {@code IORING_SETUP_IOPOLL} is a property of an io_uring ring; the portable
 * engine has no polled completions (its ioctls go to the driver's interrupt-driven queues).
 */
@EnabledIfEnvironmentVariable(named = "I2O2_GUEST", matches = "1",
        disabledReason = "needs the NVMe guest with polled queues: run NvmeGuestIT")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NvmeIopollGuestTest {
    private static final int NSID = 1;
    private static final int PAGE = 4096;
    private static final long WAKE = 0x57A4EL;
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private Arena arena;
    /** A plain SQE128|CQE32 ring: opens, closes, the wake-up. */
    private Ring companion;
    /** An IOPOLL|SQE128|CQE32 ring: polled uring_cmd only. */
    private Ring polled;
    private int ngFd = -1;
    private int ctrlFd = -1;
    private MemorySegment buffer;

    @BeforeAll
    void open() throws Exception {
        String pollQueues = Files.readString(Path.of("/sys/module/nvme/parameters/poll_queues")).trim();
        System.out.println("guest kernel " + KernelVersion.running() + ", nvme poll_queues=" + pollQueues);
        Assumptions.assumeTrue(!pollQueues.equals("0"), "the nvme driver has no polled queues (run-in-guest.sh -q 1)");
        arena = Arena.ofShared();
        buffer = arena.allocate(PAGE, PAGE);
        companion = Ring.open(RingParams.builder().entries(16).require(SetupFlag.SQE128, SetupFlag.CQE32).build());
        polled = Ring.open(RingParams.builder().entries(64)
                .require(SetupFlag.IOPOLL, SetupFlag.SQE128, SetupFlag.CQE32).build());
        MemorySegment path = arena.allocateFrom(GuestNamespaces.generic(1).toString());
        ngFd = one(companion, s -> s.prepOpenat(Linux.AT_FDCWD, path.address(), Linux.O_RDWR | Linux.O_CLOEXEC, 0));
        assertTrue(ngFd >= 0, "openat on the plain ring: " + Errno.format(-ngFd));
        MemorySegment ctrl = arena.allocateFrom("/dev/nvme0");
        ctrlFd = one(companion, s -> s.prepOpenat(Linux.AT_FDCWD, ctrl.address(), Linux.O_RDWR | Linux.O_CLOEXEC, 0));
        assertTrue(ctrlFd >= 0, "openat on the plain ring: " + Errno.format(-ctrlFd));
    }

    @AfterAll
    void close() throws Exception {
        for (int fd : new int[] {ngFd, ctrlFd}) {
            if (fd >= 0) {
                one(companion, s -> s.prepClose(fd));
            }
        }
        for (Ring r : new Ring[] {polled, companion}) {
            if (r != null) {
                r.close();
            }
        }
        if (arena != null) {
            arena.close();
        }
    }

    @Test
    void openatIsRefusedOnThePolledRing() throws Exception {
        MemorySegment path = arena.allocateFrom(GuestNamespaces.generic(1).toString());
        int res = one(polled, s -> s.prepOpenat(Linux.AT_FDCWD, path.address(), Linux.O_RDWR | Linux.O_CLOEXEC, 0));
        System.out.println("openat on the IOPOLL ring: " + Errno.format(res));
        assertEquals(-Errno.EINVAL, res, "openat is not pollable: " + Errno.format(res));
    }

    /** Admin commands go to the admin queue, which is never polled: they belong on the companion ring. */
    @Test
    void anAdminCommandIsRefusedOnThePolledRingAndRunsOnTheCompanion() throws Exception {
        MemorySegment id = arena.allocate(NvmeUringCmd.IDENTIFY_SIZE, PAGE);
        Prep identify = s -> NvmeUringCmd.over(s.prepUringCmd(NvmeUringCmd.CMD_ADMIN, ctrlFd).commandArea())
                .identify(NvmeUringCmd.CNS_CONTROLLER, 0, id.address());
        int onPolled = one(polled, identify);
        System.out.println("Identify Controller on the IOPOLL ring: " + (onPolled < 0 ? Errno.format(onPolled)
                : NvmeUringCmd.describe(onPolled)));
        assertEquals(-Errno.EOPNOTSUPP, onPolled, "the controller device has no uring_cmd_iopoll");
        assertEquals(0, one(companion, identify), "the same command on the plain ring");
    }

    @Test
    void aPolledReadCommandCompletesWhenPolled() throws Exception {
        int res = one(polled, this::prepRead);
        assertEquals(0, res, NvmeUringCmd.describe(res));
    }

    @Test
    void theEventfdWakeUpReadIsRefusedAtOnce() throws Exception {
        try (RingWaker waker = RingWaker.eventFd(WAKE)) {
            assertTrue(waker.arm(polled.sq()));
            List<long[]> cqes = reapUntil(polled, 1);
            System.out.println("eventfd read on the IOPOLL ring, no wake-up sent: " + Errno.format((int) cqes.get(0)[1]));
            assertEquals(WAKE, cqes.get(0)[0]);
            assertEquals(-Errno.EOPNOTSUPP, (int) cqes.get(0)[1], "a polled read needs O_DIRECT and ->iopoll");
            waker.onWakeCompletion();
        }
    }

    /** The first-uring_cmd hang of an IOPOLL loop before 6.13, reproduced on the bare ring. */
    @Test
    void reArmingTheEventfdEachParkStarvesThePolledCommand() throws Exception {
        Sqe sqe = polled.sq().next();
        prepRead(sqe);
        sqe.userData(1);
        int parks = 200;
        int refusedWakes = 0;
        int nvme = Integer.MIN_VALUE;
        try (RingWaker waker = RingWaker.eventFd(WAKE)) {
            // What the library's loop does each time it has nothing else to do: arm the wake-up, then wait for 1.
            for (int i = 0; i < parks && nvme == Integer.MIN_VALUE; i++) {
                assertTrue(waker.arm(polled.sq()));
                polled.submitAndWait(1);
                for (long[] c : reapReady(polled)) {
                    if (c[0] == WAKE) {
                        assertEquals(-Errno.EOPNOTSUPP, (int) c[1]);
                        refusedWakes++;
                        waker.onWakeCompletion();
                    } else {
                        nvme = (int) c[1];
                    }
                }
            }
        }
        System.out.println("parks with a re-armed eventfd read: " + refusedWakes + " refused wake-up reads, polled"
                + " command " + (nvme == Integer.MIN_VALUE ? "still not completed" : "completed: " + nvme));
        // Without the read, the next wait polls and the command completes.
        if (nvme == Integer.MIN_VALUE) {
            nvme = (int) reapUntil(polled, 1).get(0)[1];
        }
        assertEquals(0, nvme, NvmeUringCmd.describe(nvme));
        assertEquals(parks, refusedWakes, "every park's GETEVENTS found the refused read pending and did not poll:"
                + " the polled command completed only once nothing else was pending");
    }

    @Test
    void waitingOnAPolledRingWithNothingPolledInFlightDoesNotSleep() throws Exception {
        long t0 = System.nanoTime();
        polled.submitAndWait(1, TimeUnit.SECONDS.toNanos(2));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("submitAndWait(1, 2 s) on an idle IOPOLL ring returned after " + ms + " ms");
        assertTrue(ms < 1000, "returned after " + ms + " ms: an idle polled ring is no place to sleep");
        assertEquals(0, polled.cq().ready());
    }

    /** The design: polled commands on the polled ring, the wake-up on the companion ring, sleep only there. */
    @Test
    void aCompanionRingCarriesTheWakeUpWhileThePolledRingPolls() throws Exception {
        int total = 64;
        int depth = 8;
        CompletableFuture<Void> woken = new CompletableFuture<>();
        try (RingWaker waker = RingWaker.eventFd(WAKE)) {
            int next = 0;
            int done = 0;
            int inFlight = 0;
            long deadline = System.nanoTime() + DEADLINE_NANOS;
            while (done < total) {
                while (inFlight < depth && next < total) {
                    Sqe sqe = polled.sq().next();
                    prepRead(sqe);
                    sqe.userData(100 + next++);
                    inFlight++;
                }
                // Polled ops in flight: submit and poll (GETEVENTS, min_complete 1 spins in the kernel until one
                // completes), never sleep; the companion ring's CQ is only looked at.
                polled.submitAndWait(1);
                for (long[] c : reapReady(polled)) {
                    assertEquals(0, (int) c[1], NvmeUringCmd.describe((int) c[1]));
                    done++;
                    inFlight--;
                }
                assertEquals(0, reapReady(companion).size());
                if (System.nanoTime() > deadline) {
                    fail(done + " of " + total + " polled reads in 60 s");
                }
            }
            // Nothing polled in flight: sleep on the companion ring, where the eventfd read is armed.
            assertTrue(waker.arm(companion.sq()));
            companion.submit();
            Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(200);
                    waker.wake();
                } catch (Exception e) {
                    woken.completeExceptionally(e);
                }
            });
            long t0 = System.nanoTime();
            List<long[]> cqes = reapUntil(companion, 1);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(WAKE, cqes.get(0)[0]);
            assertEquals(8, (int) cqes.get(0)[1], "the eventfd counter read: " + Errno.format((int) cqes.get(0)[1]));
            waker.onWakeCompletion();
            assertTrue(ms >= 100, "slept until woken: " + ms + " ms");
            System.out.println(total + " polled reads at depth " + depth + ", then slept " + ms
                    + " ms on the companion ring until the eventfd wake-up");
        }
    }

    // ---- plumbing ----

    private void prepRead(Sqe sqe) {
        NvmeUringCmd.over(sqe.prepUringCmd(NvmeUringCmd.CMD_IO, ngFd).commandArea())
                .readWrite(NvmeUringCmd.OPC_READ, NSID, buffer.address(), PAGE, 0, PAGE / 512);
    }

    private interface Prep {
        void fill(Sqe sqe);
    }

    private int one(Ring ring, Prep prep) throws UringException {
        Sqe sqe = ring.sq().next();
        prep.fill(sqe);
        sqe.userData(42);
        return (int) reapUntil(ring, 1).get(0)[1];
    }

    private static List<long[]> reapReady(Ring ring) throws UringException {
        List<long[]> out = new ArrayList<>();
        ring.reap((u, r, f, x0, x1) -> out.add(new long[] {u, r}), Integer.MAX_VALUE);
        return out;
    }

    /** Submits and waits (polls, on the polled ring) until {@code count} CQEs arrived, for up to 60 s. */
    private static List<long[]> reapUntil(Ring ring, int count) throws UringException {
        List<long[]> out = new ArrayList<>();
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (out.size() < count) {
            if (System.nanoTime() > deadline) {
                fail("only " + out.size() + " of " + count + " CQEs in 60 s");
            }
            ring.submitAndWait(1, TimeUnit.MILLISECONDS.toNanos(200));
            out.addAll(reapReady(ring));
        }
        return out;
    }
}
