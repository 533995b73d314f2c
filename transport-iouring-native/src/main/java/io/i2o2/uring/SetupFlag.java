package io.i2o2.uring;

import io.i2o2.uring.gen.LinuxUring;

import java.util.Set;
import java.util.StringJoiner;

/**
 * The {@code IORING_SETUP_*} flags a ring can be created with, each with the kernel release that added it
 * (for error messages and for the fault seam's kernel profiles).
 *
 * <p>{@code CQSIZE}, {@code SQ_AFF} and {@code R_DISABLED} are not listed: {@link Ring} sets them itself from
 * {@link RingParams#cqEntries()}, {@link RingParams#sqThreadCpu()} and its own startup.
 */
public enum SetupFlag {
    /** Busy-poll for completions instead of interrupts (O_DIRECT files on polled block devices only). */
    IOPOLL(LinuxUring.IORING_SETUP_IOPOLL(), "5.1"),
    /** A kernel thread polls the SQ, so submission needs no system call while it is awake. */
    SQPOLL(LinuxUring.IORING_SETUP_SQPOLL(), "5.1"),
    /** Clamp SQ/CQ sizes to the kernel maximum instead of failing. */
    CLAMP(LinuxUring.IORING_SETUP_CLAMP(), "5.6"),
    /** Keep submitting the rest of a batch when one SQE fails to prepare. */
    SUBMIT_ALL(LinuxUring.IORING_SETUP_SUBMIT_ALL(), "5.18"),
    /** Run completion task work only when the task enters the kernel, not by interrupting it. */
    COOP_TASKRUN(LinuxUring.IORING_SETUP_COOP_TASKRUN(), "5.19"),
    /** Set {@code IORING_SQ_TASKRUN} in the SQ flags when task work is pending. */
    TASKRUN_FLAG(LinuxUring.IORING_SETUP_TASKRUN_FLAG(), "5.19"),
    /** 128-byte SQEs: the 80-byte command area that {@code IORING_OP_URING_CMD} (NVMe passthrough) needs. */
    SQE128(LinuxUring.IORING_SETUP_SQE128(), "5.19"),
    /** 32-byte CQEs: 16 extra bytes of result, used by passthrough commands. */
    CQE32(LinuxUring.IORING_SETUP_CQE32(), "5.19"),
    /** Only one thread ever submits: lets the kernel skip synchronisation. */
    SINGLE_ISSUER(LinuxUring.IORING_SETUP_SINGLE_ISSUER(), "6.0"),
    /** Defer completion work until the submitter asks for events (needs {@link #SINGLE_ISSUER}). */
    DEFER_TASKRUN(LinuxUring.IORING_SETUP_DEFER_TASKRUN(), "6.1"),
    /** SQEs are indexed directly, without the SQ index array. */
    NO_SQARRAY(LinuxUring.IORING_SETUP_NO_SQARRAY(), "6.6");

    private final int bit;
    private final String since;

    SetupFlag(int bit, String since) {
        this.bit = bit;
        this.since = since;
    }

    /**
     * The flag's bit in {@code io_uring_params.flags}.
     *
     * @return the flag's bit in {@code io_uring_params.flags}
     */
    public int bit() {
        return bit;
    }

    /**
     * The first Linux release that accepts the flag, e.g. {@code "5.19"}.
     *
     * @return the first Linux release that accepts the flag, e.g. {@code "5.19"}
     */
    public String since() {
        return since;
    }

    /**
     * The flags whose bits are set in {@code bits}, in declaration order.
     *
     * @param bits the flag bits
     * @return the flags whose bits are set in {@code bits}, in declaration order
     */
    public static Set<SetupFlag> fromBits(int bits) {
        java.util.EnumSet<SetupFlag> set = java.util.EnumSet.noneOf(SetupFlag.class);
        for (SetupFlag f : values()) {
            if ((bits & f.bit) != 0) {
                set.add(f);
            }
        }
        return set;
    }

    /**
     * All the bits of {@code flags} or'ed together.
     *
     * @param flags the flag bits
     * @return all the bits of {@code flags} or'ed together
     */
    public static int toBits(Set<SetupFlag> flags) {
        int bits = 0;
        for (SetupFlag f : flags) {
            bits |= f.bit;
        }
        return bits;
    }

    /**
     * {@code "SQE128|CQE32"}, or {@code "none"}.
     *
     * @param flags the flag bits
     * @return the names joined by {@code |}, e.g. {@code "SQE128|CQE32"}, or {@code "none"}
     */
    public static String describe(Set<SetupFlag> flags) {
        if (flags.isEmpty()) {
            return "none";
        }
        StringJoiner j = new StringJoiner("|");
        flags.forEach(f -> j.add(f.name()));
        return j.toString();
    }
}
