package io.i2o2.uring;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * How to set up a {@link Ring}: sizes, the flags it must have, and the flags it would like to have.
 *
 * <p>A <em>required</em> flag the kernel refuses fails {@link Ring#open} with an error that names it;
 * an <em>optional</em> one is dropped (see {@link Ring#droppedFlags()}), newest first, so one configuration
 * runs on old and new kernels alike. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * RingParams params = RingParams.builder()
 *         .entries(256)
 *         .require(SetupFlag.SQE128, SetupFlag.CQE32)
 *         .prefer(SetupFlag.SINGLE_ISSUER, SetupFlag.DEFER_TASKRUN)
 *         .build();
 * }</pre>
 */
public final class RingParams {
    /** The largest SQ the kernel accepts ({@code IORING_MAX_ENTRIES}). */
    public static final int MAX_ENTRIES = 32768;

    private final int entries;
    private final int cqEntries;
    private final Set<SetupFlag> required;
    private final Set<SetupFlag> optional;
    private final int sqThreadIdleMillis;
    private final int sqThreadCpu;
    private final boolean startDisabled;
    private final KernelFaults faults;

    private RingParams(Builder b) {
        this.entries = b.entries;
        this.cqEntries = b.cqEntries;
        this.required = Collections.unmodifiableSet(EnumSet.copyOf(b.required));
        EnumSet<SetupFlag> opt = EnumSet.copyOf(b.optional);
        opt.removeAll(b.required);
        this.optional = Collections.unmodifiableSet(opt);
        this.sqThreadIdleMillis = b.sqThreadIdleMillis;
        this.sqThreadCpu = b.sqThreadCpu;
        this.startDisabled = b.startDisabled;
        this.faults = b.faults;
    }

    /**
     * A builder with the defaults: 128 entries, a CQ twice as large, no flags.
     *
     * @return this builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * SQ entries asked for (the kernel rounds up to a power of two).
     *
     * @return the SQ entries asked for (the kernel rounds up to a power of two)
     */
    public int entries() {
        return entries;
    }

    /**
     * CQ entries asked for; 0 lets the kernel pick twice the SQ size.
     *
     * @return the CQ entries asked for; 0 lets the kernel pick twice the SQ size
     */
    public int cqEntries() {
        return cqEntries;
    }

    /**
     * Flags the ring must have.
     *
     * @return the flags the ring must have
     */
    public Set<SetupFlag> required() {
        return required;
    }

    /**
     * Flags the ring gets when the kernel has them.
     *
     * @return the flags the ring gets when the kernel has them
     */
    public Set<SetupFlag> optional() {
        return optional;
    }

    /**
     * SQPOLL thread idle time before it sleeps, in milliseconds; 0 for the kernel default.
     *
     * @return the SQPOLL thread's idle time before it sleeps, in milliseconds; 0 for the kernel default
     */
    public int sqThreadIdleMillis() {
        return sqThreadIdleMillis;
    }

    /**
     * CPU the SQPOLL thread is pinned to, or -1 for none.
     *
     * @return the CPU the SQPOLL thread is pinned to, or -1 for none
     */
    public int sqThreadCpu() {
        return sqThreadCpu;
    }

    /**
     * Whether the ring starts disabled ({@code IORING_SETUP_R_DISABLED}) until {@link Ring#enable()}: with
     * {@link SetupFlag#SINGLE_ISSUER}, the thread that enables it becomes its one submitter.
     *
     * @return whether the ring starts disabled ({@code IORING_SETUP_R_DISABLED}) until {@link Ring#enable()}
     */
    public boolean startDisabled() {
        return startDisabled;
    }

    /**
     * The fault plan the ring's system calls go through; {@link KernelFaults#none()} in production.
     *
     * @return this plan
     */
    public KernelFaults faults() {
        return faults;
    }

    /** Builds {@link RingParams}. */
    public static final class Builder {
        private int entries = 128;
        private int cqEntries;
        private final EnumSet<SetupFlag> required = EnumSet.noneOf(SetupFlag.class);
        private final EnumSet<SetupFlag> optional = EnumSet.noneOf(SetupFlag.class);
        private int sqThreadIdleMillis;
        private int sqThreadCpu = -1;
        private boolean startDisabled;
        private KernelFaults faults = KernelFaults.none();

        private Builder() {
        }

        /**
         * SQ entries, 1 to {@link #MAX_ENTRIES}; rounded up to a power of two by the kernel.
         *
         * @param entries the number of SQ entries
         * @return the SQ entries asked for (the kernel rounds up to a power of two)
         */
        public Builder entries(int entries) {
            if (entries < 1 || entries > MAX_ENTRIES) {
                throw new IllegalArgumentException("entries must be 1.." + MAX_ENTRIES + ": " + entries);
            }
            this.entries = entries;
            return this;
        }

        /**
         * CQ entries, at least the SQ entries; 0 for twice the SQ size.
         *
         * @param cqEntries the number of CQ entries
         * @return the CQ entries asked for; 0 lets the kernel pick twice the SQ size
         */
        public Builder cqEntries(int cqEntries) {
            if (cqEntries < 0 || cqEntries > 2 * MAX_ENTRIES) {
                throw new IllegalArgumentException("cqEntries must be 0.." + 2 * MAX_ENTRIES + ": " + cqEntries);
            }
            this.cqEntries = cqEntries;
            return this;
        }

        /**
         * Flags the ring must have: setup fails, naming the flag, when the kernel lacks one.
         *
         * @param flags the flag bits
         * @return this builder
         */
        public Builder require(SetupFlag... flags) {
            for (SetupFlag f : flags) {
                required.add(Objects.requireNonNull(f, "flag"));
            }
            return this;
        }

        /**
         * Flags the ring should have when the kernel supports them; dropped otherwise.
         *
         * @param flags the flag bits
         * @return this builder
         */
        public Builder prefer(SetupFlag... flags) {
            for (SetupFlag f : flags) {
                optional.add(Objects.requireNonNull(f, "flag"));
            }
            return this;
        }

        /**
         * SQPOLL idle time in milliseconds before the poller sleeps (0: kernel default).
         *
         * @param millis the time in milliseconds
         * @return the SQPOLL thread's idle time before it sleeps, in milliseconds; 0 for the kernel default
         */
        public Builder sqThreadIdleMillis(int millis) {
            if (millis < 0) {
                throw new IllegalArgumentException("sqThreadIdleMillis must be >= 0: " + millis);
            }
            this.sqThreadIdleMillis = millis;
            return this;
        }

        /**
         * Pin the SQPOLL thread to a CPU (-1: no pinning).
         *
         * @param cpu the CPU number
         * @return the CPU the SQPOLL thread is pinned to, or -1 for none
         */
        public Builder sqThreadCpu(int cpu) {
            if (cpu < -1) {
                throw new IllegalArgumentException("sqThreadCpu must be >= -1: " + cpu);
            }
            this.sqThreadCpu = cpu;
            return this;
        }

        /**
         * Start the ring disabled; {@link Ring#enable()} on the submitting thread turns it on.
         *
         * @param startDisabled whether the ring starts disabled ({@code IORING_SETUP_R_DISABLED})
         * @return this builder
         */
        public Builder startDisabled(boolean startDisabled) {
            this.startDisabled = startDisabled;
            return this;
        }

        /**
         * Route the ring's system calls through a fault plan (tests only).
         *
         * @param faults the fault plan
         * @return this builder
         */
        public Builder faults(KernelFaults faults) {
            this.faults = Objects.requireNonNull(faults, "faults");
            return this;
        }

        /**
         * The immutable parameters.
         *
         * @return the immutable parameters
         */
        public RingParams build() {
            if (cqEntries != 0 && cqEntries < entries) {
                throw new IllegalArgumentException("cqEntries (" + cqEntries + ") must be >= entries (" + entries + ")");
            }
            if (required.contains(SetupFlag.DEFER_TASKRUN) && !required.contains(SetupFlag.SINGLE_ISSUER)) {
                throw new IllegalArgumentException("DEFER_TASKRUN requires SINGLE_ISSUER");
            }
            if (required.contains(SetupFlag.SQPOLL) && (required.contains(SetupFlag.DEFER_TASKRUN)
                    || required.contains(SetupFlag.COOP_TASKRUN))) {
                throw new IllegalArgumentException("SQPOLL cannot be combined with DEFER_TASKRUN or COOP_TASKRUN");
            }
            return new RingParams(this);
        }
    }
}
