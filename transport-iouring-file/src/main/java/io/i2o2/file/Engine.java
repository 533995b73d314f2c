package io.i2o2.file;

import io.i2o2.uring.Probe;
import io.i2o2.uring.UringException;

import java.util.concurrent.RejectedExecutionException;

/**
 * What differs between the engines that run a loop's file operations, and nothing else: the one
 * {@link FileIoCore} of the loop owns the slot table, the queues, admission, completion, failure and
 * abandonment, and calls its engine only to put an admitted op into it, cancel one, wake the loop and say
 * what the engine is. The engine calls its core back through {@link EngineHost} alone.
 *
 * <p>Three engines exist: {@link RingIoHandler}, this library's ring as the {@code IoHandler} of a Netty loop,
 * {@link NettyRingHandle}, a handle on the ring of Netty's own io_uring loop, and {@link PortableEngine}, which
 * runs the same ops as blocking system calls on worker threads and completes them on the loop thread (for
 * machines where io_uring is blocked). Each method's doc says how the portable engine implements it.
 *
 * <p>Every method but {@link #wake}, {@link #traits}, {@link #probe}, {@link #wakeMechanism} and
 * {@link #cqOverflows} runs on the loop thread.
 */
sealed interface Engine permits RingIoHandler, NettyRingHandle, PortableEngine {

    /**
     * What this engine is (the same record every time).
     *
<<<<<<< HEAD
     * <p>The portable engine: its own kind, no setup flags, chains as long as the table (one worker runs their
     * links one after the other), emulated registered buffers and file slots, and no raw SQEs
     * ({@link EngineTraits#lacking} says why).
=======
     * <p>A portable engine: its own kind, no setup flags, chains of any length it runs one link after the
     * other, and no raw SQEs nor {@code uring_cmd}s beyond NVMe's ioctl ones ({@link EngineTraits#lacking} says
     * why).
>>>>>>> fcc31f75b81247731049db5869b9f7be60370680
     */
    EngineTraits traits();

    /**
     * The opcodes the kernel behind this engine supports.
     *
     * <p>The portable engine: the opcodes it has a system call for, and NOPs and timers.
     */
    Probe probe();

    /**
     * How other threads wake this loop; null before it started.
     *
     * <p>The portable engine: {@link WakeMechanism#NETTY} (its completions come back as tasks of the loop).
     */
    WakeMechanism wakeMechanism();

    /**
     * CQEs the kernel held back because the CQ was full, or 0 where that is not known.
     *
     * <p>The portable engine: 0.
     */
    long cqOverflows();

    /**
     * Threads of the engine's own that run ops, alive now: 0 for a ring (the kernel runs them). Any thread.
     *
     * <p>A portable engine: its worker threads.
     */
    int workerThreads();

    /**
     * Makes room for a chain of {@code links} ops headed by {@code head} (1 for a lone op) and picks where it goes;
     * {@link #put} then writes its links there, one by one. False when there is no room even after submitting
     * what waits: the core keeps the chain and offers it again on its next drain.
     *
     * <p>The portable engine: true (its queue to the workers holds every slot of the table).
     */
    boolean reserve(OpSlot head, int links);

    /**
     * Puts one admitted op (a link of the chain just {@link #reserve reserved}) into the engine: an SQE on our
     * ring, an {@code IoUringIoOps} submitted to Netty's. The core marks it in flight when this returns; from
     * then on only its completion ({@link EngineHost#completed}) frees it. Throws if the op cannot go in (a raw
     * op's filler threw, Netty refused it): the op never reached the kernel and the core fails it.
     *
     * <p>The portable engine: encodes the op's SQE and, at the chain's last link, hands the chain to a worker
     * thread, which runs each link's system call and hands the result back to the loop thread, where it
     * completes as a CQE would; a lone NOP or timer completes on the loop without a worker.
     */
    void put(OpSlot op);

    /**
     * Asks the engine to stop an op in flight (the core checked that it is: its slot, its generation); the
     * op's own completion carries the outcome, and an engine that cannot stop it lets it complete.
     *
     * <p>The portable engine: stops a timer, or an op no worker has taken yet (the worker that takes it hands it
     * back with {@code -ECANCELED}); one inside its system call runs to its end (nothing interrupts it).
     */
    void cancel(OpSlot op);

    /**
     * An op was handed over from another thread (or queued on the loop thread of an engine that writes ops at
     * once): make sure the loop takes it soon, waking it if it sleeps. Any thread.
     *
     * <p>The portable engine: schedules a drain task on the loop ({@link LoopDrain}), as Netty's handle does.
     *
     * @throws RejectedExecutionException when the loop takes no more work: the core fails what waits
     */
    void wake();

    /**
     * The loop is dying: completes, without waiting, what the engine already finished, so those ops release
     * their memory. False when the engine has nothing to reap this way (the core then waits no longer).
     *
     * <p>The portable engine: completes what the workers handed back.
     */
    boolean reapAfterFailure();

    /**
     * The loop is dying: fails ({@link EngineHost#neverReached}) every op that was put into the engine but
     * that the kernel never took, so it releases its memory instead of staying pinned.
     *
     * <p>The portable engine: fails the ops no worker started, and its timers.
     */
    void failUnstarted(Throwable cause);

    /**
     * Puts {@code fd} into a free registered-file slot.
     *
     * <p>The portable engine: a slot of its descriptor table, which its workers look slots up in.
     *
     * @return the slot
     * @throws IllegalStateException if every slot is in use
     */
    int registerFile(int fd) throws UringException;

    /** Frees a registered-file slot that {@link #registerFile} gave. */
    void unregisterFile(int slot);
}
