package io.i2o2.uring;

import io.i2o2.uring.gen.LinuxUring;
import io.i2o2.uring.gen.io_uring_sqe;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Wakes a thread that waits in {@code io_uring_enter} on a ring, from any other thread, by making a CQE
 * with a chosen {@code user_data} appear on that ring.
 *
 * <p>Two mechanisms, picked by {@link #open}: on 6.13+ kernels a {@code MSG_RING} posted through
 * {@code IORING_REGISTER_SEND_MSG_RING} (one system call, no source ring, nothing to re-arm); elsewhere an
 * eventfd that the ring keeps a read pending on ({@link #arm}), which a write completes. Which one is in
 * use is {@link #mechanism()}. Deciding <em>when</em> to wake (only when the ring's thread asked) is the
 * caller's business; this class only delivers.
 *
 * <p><b>Never wake an {@link SetupFlag#IOPOLL} ring with it; wake a companion ring.</b> On a polled ring the
 * eventfd read is refused at once ({@code -EOPNOTSUPP}: a polled read needs O_DIRECT and {@code ->iopoll}), and
 * while that CQE is pending {@code io_uring_enter(GETEVENTS)} returns without polling ({@code io_iopoll_check}),
 * so a thread that arms the read each time it waits never polls, and its polled commands never complete. An
 * idle polled ring cannot be slept on either: its wait ignores the timeout and returns at once when nothing
 * polled is in flight, so even a {@code MSG_RING} waker (6.13+) leaves such a thread spinning. Shown on 6.1 and
 * 6.12 by {@code NvmeIopollGuestTest}. A thread that owns a polled ring therefore also owns a plain companion
 * ring, and:
 * <ul>
 *   <li>puts on the polled ring only pollable requests: {@code uring_cmd} I/O on an NVMe generic device
 *       ({@code NVME_URING_CMD_IO}, 6.1+), O_DIRECT reads and writes on a block device with poll queues, NOPs;
 *       everything else (open, close, statx, fsync, timeouts, cancel, admin commands, this waker) goes to the
 *       companion ring, where the kernel would refuse it with {@code -EINVAL} or {@code -EOPNOTSUPP};</li>
 *   <li>while polled requests are in flight, never sleeps: it submits and reaps the polled ring with
 *       {@code GETEVENTS} and {@code min_complete} 0 (one poll pass) when other work waits (hand-over queue,
 *       tasks, the companion ring's CQEs), or between 1 and the number in flight (the kernel spins until that
 *       many complete, a signal or a reschedule; never more than are in flight), and checks the companion
 *       ring's CQ without waiting; producers need not wake it;</li>
 *   <li>with nothing polled in flight, arms this waker on the companion ring (or targets the companion ring
 *       with {@code MSG_RING}) and sleeps there with {@code min_complete} 1 and its timeout, as on any ring.</li>
 * </ul>
 */
public abstract sealed class RingWaker implements AutoCloseable {
    /** The value every eventfd wake-up writes; the kernel only reads it. */
    private static final MemorySegment ONE = Arena.global().allocate(JAVA_LONG);

    static {
        ONE.set(JAVA_LONG, 0, 1L);
    }

    final long wakeUserData;
    /**
     * Wake-ups hold the read side, close the write side: a wake-up never writes to a descriptor number
     * that close has released and the process may have reused for another file.
     */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private RingWaker(long wakeUserData) {
        this.wakeUserData = wakeUserData;
    }

    /**
     * The best waker this kernel offers for {@code ring}. Call it on the ring's thread, after the ring is
     * enabled; a {@code MSG_RING} test message with {@code wakeUserData} may land on the ring.
     *
     * @param ring the ring
     * @param wakeUserData the {@code user_data} of the CQE the target ring gets
     * @param faults the fault plan
     * @return the best waker this kernel offers for {@code ring}
     * @throws UringException when the kernel refuses the call (it carries the errno)
     */
    public static RingWaker open(Ring ring, long wakeUserData, KernelFaults faults) throws UringException {
        MsgRing msgRing = new MsgRing(ring.fd(), wakeUserData, faults);
        int ret = msgRing.send();
        if (ret >= 0) {
            return msgRing;
        }
        msgRing.close();
        if (-ret != Errno.EINVAL && -ret != Errno.EOPNOTSUPP) {
            throw new UringException("io_uring_register(-1, SEND_MSG_RING, target=" + ring.fd() + ")", -ret, null);
        }
        return eventFd(wakeUserData);
    }

    /**
     * An eventfd waker, whatever the kernel: works on every kernel io_uring runs on.
     *
     * @param wakeUserData the {@code user_data} of the CQE the target ring gets
     * @return an eventfd waker, whatever the kernel
     * @throws UringException when the kernel refuses the call (it carries the errno)
     */
    public static RingWaker eventFd(long wakeUserData) throws UringException {
        return new EventFd(wakeUserData);
    }

    /**
     * The {@code user_data} of the CQEs this waker makes.
     *
     * @return the {@code user_data} of the CQEs this waker makes
     */
    public long wakeUserData() {
        return wakeUserData;
    }

    /**
     * {@code "msg_ring"} or {@code "eventfd"}.
     *
     * @return {@code "msg_ring"} or {@code "eventfd"}
     */
    public abstract String mechanism();

    /**
     * Wakes the ring. Safe from any thread, any number of times.
     *
     * @throws UringException if the waker is closed or the kernel refused: the waiter will not wake from this
     */
    public final void wake() throws UringException {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new UringException("wake(" + mechanism() + ")", Errno.EBADF, "the waker is closed");
            }
            deliver();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Makes the wake-up CQE appear; the waker is open for the whole call. */
    abstract void deliver() throws UringException;

    /**
     * Makes sure a wake-up can complete: for the eventfd mechanism, puts a read of the eventfd on the
     * ring if none is pending. Call on the ring's thread before waiting.
     *
     * @param sq the submission queue
     * @return false if an entry was needed and the SQ had no room (submit, then call again)
     */
    public abstract boolean arm(SubmissionQueue sq);

    /** Tells the waker its CQE arrived (the eventfd read is no longer pending). */
    public abstract void onWakeCompletion();

    /** Releases the waker's resources, after any wake-up in progress. The ring stays its owner's. */
    @Override
    public final void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                release();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** Frees what the mechanism holds; called once. */
    abstract void release();

    /** {@code MSG_RING} sent with {@code IORING_REGISTER_SEND_MSG_RING}: no state in the target ring. */
    private static final class MsgRing extends RingWaker {
        private final MemorySegment sqe;
        private final KernelFaults faults;
        private final Arena arena = Arena.ofShared();

        MsgRing(int ringFd, long wakeUserData, KernelFaults faults) {
            super(wakeUserData);
            this.faults = faults;
            // One prepared SQE: the kernel copies it on each call, so concurrent wakers can share it.
            this.sqe = arena.allocate(io_uring_sqe.layout());
            Sqe writer = new Sqe(sqe, (int) io_uring_sqe.sizeof());
            writer.moveTo(0);
            writer.prepMsgRing(ringFd, 0, wakeUserData, 0);
        }

        int send() {
            int fault = faults.onRegister(RegisterOp.SEND_MSG_RING);
            return fault != 0 ? -fault : Syscalls.ioUringRegister(Syscalls.threadCallState(), -1,
                    RegisterOp.SEND_MSG_RING, sqe.address(), 1);
        }

        @Override
        public String mechanism() {
            return "msg_ring";
        }

        @Override
        void deliver() throws UringException {
            int ret = send();
            if (ret < 0) {
                throw new UringException("io_uring_register(-1, SEND_MSG_RING)", -ret, "the ring did not wake");
            }
        }

        @Override
        public boolean arm(SubmissionQueue sq) {
            return true;
        }

        @Override
        public void onWakeCompletion() {
            // Nothing to re-arm.
        }

        @Override
        void release() {
            arena.close();
        }
    }

    /** An eventfd the ring keeps a read pending on; a write completes the read. */
    private static final class EventFd extends RingWaker {
        private final int efd;
        /**
         * Where the pending read lands. Global memory, never freed: the kernel may still complete the read
         * while a closed ring is torn down, and must never write into memory the JVM has reused.
         */
        private final MemorySegment readBuffer = Arena.global().allocate(JAVA_LONG);
        private boolean armed;

        EventFd(long wakeUserData) throws UringException {
            super(wakeUserData);
            int fd = Syscalls.eventfd(Syscalls.threadCallState(), LinuxUring.EFD_CLOEXEC() | LinuxUring.EFD_NONBLOCK());
            if (fd < 0) {
                throw new UringException("eventfd(0, EFD_CLOEXEC|EFD_NONBLOCK)", -fd, null);
            }
            this.efd = fd;
        }

        @Override
        public String mechanism() {
            return "eventfd";
        }

        @Override
        void deliver() throws UringException {
            int ret = Syscalls.write(Syscalls.threadCallState(), efd, ONE, Long.BYTES);
            // EAGAIN: the counter is at its maximum, so a wake-up is pending anyway.
            if (ret < 0 && -ret != Errno.EAGAIN) {
                throw new UringException("write(eventfd=" + efd + ")", -ret, "the ring did not wake");
            }
        }

        @Override
        public boolean arm(SubmissionQueue sq) {
            if (armed) {
                return true;
            }
            Sqe sqe = sq.next();
            if (sqe == null) {
                return false;
            }
            sqe.prepRead(efd, readBuffer.address(), Long.BYTES, 0).userData(wakeUserData);
            armed = true;
            return true;
        }

        @Override
        public void onWakeCompletion() {
            armed = false;
        }

        @Override
        void release() {
            Syscalls.close(Syscalls.threadCallState(), efd);
        }
    }
}
