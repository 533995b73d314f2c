package io.i2o2.uring;

/**
 * How this library packs an SQE's {@code user_data}: {@code kind(4) | generation(28) | index(32)}.
 *
 * <p>The kernel hands {@code user_data} back untouched in the CQE. The kind tells an operation's CQE from
 * the loop's own (wake-ups, cancellation requests); the index names the operation's slot; the generation,
 * bumped on every reuse of a slot, makes a CQE for an earlier use of the slot recognisable.
 */
public final class UserData {
    /** An operation's CQE. */
    public static final int KIND_OP = 1;
    /** The CQE of a wake-up (MSG_RING or the eventfd read). */
    public static final int KIND_WAKE = 2;
    /** The CQE of a cancellation request itself (the cancelled op has its own). */
    public static final int KIND_CANCEL = 3;
    /** Generations wrap at 28 bits. */
    public static final int GENERATION_MASK = 0x0fff_ffff;

    private UserData() {
    }

    /**
     * The {@code user_data} of an operation.
     *
     * @param generation the slot's generation (only its low 28 bits are kept)
     * @param index the slot's index, {@code >= 0}
     * @return the packed value
     */
    public static long op(int generation, int index) {
        return (long) KIND_OP << 60 | (long) (generation & GENERATION_MASK) << 32 | (index & 0xffff_ffffL);
    }

    /**
     * The {@code user_data} of one of the loop's own entries.
     *
     * @param kind {@link #KIND_WAKE} or {@link #KIND_CANCEL}
     * @return the packed value
     */
    public static long ofKind(int kind) {
        return (long) kind << 60;
    }

    /**
     * The kind of a packed value.
     *
     * @param userData a value made by this class
     * @return one of the {@code KIND_*} constants (0 for a value this class did not make)
     */
    public static int kind(long userData) {
        return (int) (userData >>> 60);
    }

    /**
     * The slot index of an operation's value.
     *
     * @param userData a value made by {@link #op}
     * @return the index
     */
    public static int index(long userData) {
        return (int) userData;
    }

    /**
     * The slot generation of an operation's value.
     *
     * @param userData a value made by {@link #op}
     * @return the generation (28 bits)
     */
    public static int generation(long userData) {
        return (int) (userData >>> 32) & GENERATION_MASK;
    }

    /**
     * The next generation after {@code generation}, wrapping at 28 bits.
     *
     * @param generation a generation
     * @return the one after it
     */
    public static int nextGeneration(int generation) {
        return (generation + 1) & GENERATION_MASK;
    }
}
