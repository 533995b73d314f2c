package io.i2o2.file;

import io.i2o2.uring.KernelFaults;
import io.i2o2.uring.RingParams;
import io.i2o2.uring.SetupFlag;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * How the loops of an {@link IoUringFileEventLoopGroup} or {@link IoUringPassthroughEventLoopGroup} set up
 * their rings. Immutable; {@link #defaults()} just works, {@link #builder()} changes what you need.
 *
 * <pre>{@code
 * IoUringConfig config = IoUringConfig.builder()
 *         .ringEntries(512)
 *         .maxInFlight(8192)
 *         .fixedBuffers(64, 128 * 1024)
 *         .build();
 * IoUringFileEventLoopGroup group = new IoUringFileEventLoopGroup(2, config);
 * }</pre>
 *
 * <p>Flags are <em>preferred</em> by default: a kernel that lacks one runs without it (see
 * {@link FileIo#engineFacts()}). {@link Builder#requireAllFlags(boolean)} turns every asked flag
 * into a requirement that fails loop creation with a message naming it.
 *
 * <p>The defaults of ring entries, {@code maxInFlight}, the idle spin, the wake-up mechanism and the
 * shutdown timeout can be set without code, as system properties: {@code -Dio.i2o2.ringEntries=512},
 * {@code -Dio.i2o2.maxInFlight=8192}, {@code -Dio.i2o2.spinMicros=0}, {@code -Dio.i2o2.wakeup=eventfd},
 * {@code -Dio.i2o2.shutdownTimeoutMillis=5000}. They are read once, logged at debug level, and overridden by
 * the builder's methods; a bad value is ignored with a warning.
 */
public final class IoUringConfig {
    /** The default {@link Builder#spin}: long enough to catch a submitter's next op, short against a sleep. */
    public static final long SPIN_DEFAULT_NANOS = 20_000;
    private static final IoUringConfig DEFAULTS = builder().build();

    private final int ringEntries;
    private final int cqEntries;
    private final int maxInFlight;
    private final boolean sqPoll;
    private final int sqPollIdleMillis;
    private final int sqPollCpu;
    private final boolean ioPoll;
    private final boolean coopTaskrun;
    private final boolean singleIssuer;
    private final boolean requireAllFlags;
    private final int fixedBufferCount;
    private final int fixedBufferSize;
    private final int fixedFileSlots;
    private final ThreadFactory threadFactory;
    private final int[] cpuAffinity;
    private final boolean eventFdWakeup;
    private final long spinNanos;
    private final long shutdownTimeoutNanos;
    private final KernelFaults faults;
    private final EngineChoice engine;
    private final int portableWorkers;

    private IoUringConfig(Builder b) {
        this.ringEntries = b.ringEntries;
        this.cqEntries = b.cqEntries;
        this.maxInFlight = b.maxInFlight;
        this.sqPoll = b.sqPoll;
        this.sqPollIdleMillis = b.sqPollIdleMillis;
        this.sqPollCpu = b.sqPollCpu;
        this.ioPoll = b.ioPoll;
        this.coopTaskrun = b.coopTaskrun;
        this.singleIssuer = b.singleIssuer;
        this.requireAllFlags = b.requireAllFlags;
        this.fixedBufferCount = b.fixedBufferCount;
        this.fixedBufferSize = b.fixedBufferSize;
        this.fixedFileSlots = b.fixedFileSlots;
        this.threadFactory = b.threadFactory;
        this.cpuAffinity = b.cpuAffinity.clone();
        this.eventFdWakeup = b.eventFdWakeup;
        this.spinNanos = b.spinNanos;
        this.shutdownTimeoutNanos = b.shutdownTimeoutNanos;
        this.faults = b.faults;
        this.engine = b.engine;
        this.portableWorkers = b.portableWorkers;
    }

    /**
     * Which engine the loops run: io_uring where available (the default), io_uring or fail, or the portable one.
     *
     * @return the engine choice
     */
    public EngineChoice engine() {
        return engine;
    }

    /**
     * The most worker threads one portable loop runs its blocking system calls on (started as needed).
     *
     * @return the worker bound of a portable loop
     */
    public int portableWorkers() {
        return portableWorkers;
    }

    /**
     * Whether a setting that only a ring has was asked for: SQPOLL, IOPOLL, a CQ size, registered-ring wake-ups
     * by eventfd, CPU pinning of an SQ thread. The portable engine ignores them (or refuses them under
     * {@code requireAllFlags}).
     */
    java.util.List<String> ringOnlySettings() {
        java.util.List<String> asked = new java.util.ArrayList<>();
        if (sqPoll) {
            asked.add("sqPoll");
        }
        if (ioPoll) {
            asked.add("ioPoll");
        }
        if (cqEntries != 0) {
            asked.add("cqEntries");
        }
        if (ringEntries != ConfigProperties.RING_ENTRIES) {
            asked.add("ringEntries");
        }
        if (eventFdWakeup != ConfigProperties.EVENTFD_WAKEUP) {
            asked.add("eventFdWakeup");
        }
        return asked;
    }

    /** Whether every asked ring flag is a requirement ({@link Builder#requireAllFlags}). */
    boolean requireAllFlags() {
        return requireAllFlags;
    }

    /**
     * The defaults: 256-entry rings, 4096 operations per loop, SINGLE_ISSUER + DEFER_TASKRUN where available.
     *
     * @return the default configuration (one shared instance)
     */
    public static IoUringConfig defaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * SQ entries per ring.
     *
     * @return the SQ size of each loop's ring
     */
    public int ringEntries() {
        return ringEntries;
    }

    /**
     * CQ entries per ring as configured; 0 (the default) sizes the CQ for {@link #maxInFlight()}: at least
     * twice the SQ, and enough that every op in flight has room for its CQE. A CQ smaller than the ops in
     * flight makes the kernel keep the extra CQEs in an allocated overflow list, which measured here cost
     * half of the loop's time under load.
     *
     * @return the configured CQ size, or 0
     */
    public int cqEntries() {
        return cqEntries;
    }

    /** The CQ size a ring gets: the configured one, or room for every op in flight. */
    int effectiveCqEntries() {
        if (cqEntries != 0) {
            return cqEntries;
        }
        int forInFlight = Integer.highestOneBit(Math.max(maxInFlight, 1) - 1) << 1;
        return Math.min(2 * RingParams.MAX_ENTRIES, Math.max(2 * ringEntries, Math.max(forInFlight, 1)));
    }

    /**
     * The most operations one loop holds at once, queued or in flight; more fail with an overload error.
     *
     * @return the per-loop bound beyond which submissions fail with {@link FileIoOverloadedException}
     */
    public int maxInFlight() {
        return maxInFlight;
    }

    /**
     * Number of registered buffers per loop (0: none).
     *
     * @return the count of registered buffers per loop, 0 for none
     */
    public int fixedBufferCount() {
        return fixedBufferCount;
    }

    /**
     * Size of each registered buffer in bytes.
     *
     * @return the size of each registered buffer in bytes (0 when there are none)
     */
    public int fixedBufferSize() {
        return fixedBufferSize;
    }

    /**
     * Registered-file slots per loop (0: none).
     *
     * @return the count of registered-file slots per loop, 0 for none
     */
    public int fixedFileSlots() {
        return fixedFileSlots;
    }

    /**
     * Creates the loop threads.
     *
     * @return the configured factory, or null for Netty's default one named after the group
     */
    public ThreadFactory threadFactory() {
        return threadFactory;
    }

    /**
     * CPUs the loop threads are pinned to, round robin (empty: no pinning).
     *
     * @return a copy of the CPU numbers, empty for no pinning
     */
    public int[] cpuAffinity() {
        return cpuAffinity.clone();
    }

    /**
     * Whether loops are woken through an eventfd even where {@code MSG_RING} wake-ups exist.
     *
     * @return whether {@code MSG_RING} wake-ups are bypassed for an eventfd
     */
    public boolean eventFdWakeup() {
        return eventFdWakeup;
    }

    /**
     * How long an idle loop watches for new work before it sleeps in the kernel, in nanoseconds.
     *
     * @return the idle spin in nanoseconds, 0 for none
     */
    public long spinNanos() {
        return spinNanos;
    }

    /**
     * How long a shutting-down loop lets accepted operations finish before it asks the kernel to cancel
     * them, when the shutdown itself gives no timeout (a loop of a plain {@code MultiThreadIoEventLoopGroup}).
     *
     * @return nanoseconds
     */
    public long shutdownTimeoutNanos() {
        return shutdownTimeoutNanos;
    }

    /** Whether loops poll for completions ({@code IORING_SETUP_IOPOLL}, with a plain companion ring). */
    boolean ioPoll() {
        return ioPoll;
    }

    /** The ring parameters for one loop; {@code passthrough} adds {@code SQE128|CQE32} as requirements. */
    RingParams ringParams(boolean passthrough) {
        return ringParams(passthrough, ioPoll);
    }

    /**
     * The parameters of an IOPOLL loop's companion ring: the same, without polling (it takes every op that
     * cannot be polled, and the wake-ups).
     */
    RingParams companionParams(boolean passthrough) {
        return ringParams(passthrough, false);
    }

    private RingParams ringParams(boolean passthrough, boolean polled) {
        RingParams.Builder p = RingParams.builder().entries(ringEntries).cqEntries(effectiveCqEntries()).faults(faults)
                .startDisabled(true);
        if (passthrough) {
            p.require(SetupFlag.SQE128, SetupFlag.CQE32);
        }
        want(p, SetupFlag.CLAMP);
        want(p, SetupFlag.SUBMIT_ALL);
        if (sqPoll) {
            want(p, SetupFlag.SQPOLL);
            p.sqThreadIdleMillis(sqPollIdleMillis).sqThreadCpu(sqPollCpu);
        } else {
            if (coopTaskrun) {
                want(p, SetupFlag.COOP_TASKRUN);
                want(p, SetupFlag.TASKRUN_FLAG);
            }
            if (singleIssuer) {
                want(p, SetupFlag.SINGLE_ISSUER);
                want(p, SetupFlag.DEFER_TASKRUN);
            }
        }
        if (polled) {
            want(p, SetupFlag.IOPOLL);
        }
        want(p, SetupFlag.NO_SQARRAY);
        return p.build();
    }

    private void want(RingParams.Builder p, SetupFlag flag) {
        if (requireAllFlags) {
            p.require(flag);
        } else {
            p.prefer(flag);
        }
    }

    /** Builds an {@link IoUringConfig}. */
    public static final class Builder {
        private int ringEntries = ConfigProperties.RING_ENTRIES;
        private int cqEntries;
        private int maxInFlight = ConfigProperties.MAX_IN_FLIGHT;
        private long shutdownTimeoutNanos = ConfigProperties.SHUTDOWN_TIMEOUT_NANOS;
        private boolean sqPoll;
        private int sqPollIdleMillis;
        private int sqPollCpu = -1;
        private boolean ioPoll;
        private boolean coopTaskrun = true;
        private boolean singleIssuer = true;
        private boolean requireAllFlags;
        private int fixedBufferCount;
        private int fixedBufferSize;
        private int fixedFileSlots;
        private ThreadFactory threadFactory;
        private int[] cpuAffinity = new int[0];
        private boolean eventFdWakeup = ConfigProperties.EVENTFD_WAKEUP;
        private long spinNanos = ConfigProperties.SPIN_NANOS;
        private KernelFaults faults = KernelFaults.none();
        private EngineChoice engine = ConfigProperties.ENGINE;
        private int portableWorkers = ConfigProperties.PORTABLE_WORKERS;

        private Builder() {
        }

        /**
         * Which engine the loops run (default {@link EngineChoice#AUTO}: io_uring where this JVM may use it, else
         * the portable engine; {@code -Dio.i2o2.engine} sets the default).
         *
         * @param choice the engine choice
         * @return this builder
         */
        public Builder engine(EngineChoice choice) {
            this.engine = java.util.Objects.requireNonNull(choice, "choice");
            return this;
        }

        /**
         * The most worker threads a portable loop runs blocking system calls on, 1 to 4096 (default 256, or
         * {@code -Dio.i2o2.portableWorkers}): threads start as ops need them and end after a minute without work.
         * Each blocking call holds one, so this is the most ops of one loop in the kernel at once: the default
         * matches the default SQ size, so O_DIRECT at that depth is not starved. Ignored by io_uring loops.
         *
         * @param workers the most worker threads per portable loop
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder portableWorkers(int workers) {
            this.portableWorkers = checkRange("portableWorkers", workers, 1, 4096);
            return this;
        }

        /**
         * SQ entries per ring, 1 to 32768 (default 256).
         *
         * @param entries the SQ size, 1 to 32768
         * @return this builder
         * @throws IllegalArgumentException if {@code entries} is out of range
         */
        public Builder ringEntries(int entries) {
            this.ringEntries = checkRange("ringEntries", entries, 1, RingParams.MAX_ENTRIES);
            return this;
        }

        /**
         * CQ entries per ring, at least {@code ringEntries} (default 0: twice the SQ).
         *
         * @param entries the CQ size, 0 to 65536 (0: sized by {@link IoUringConfig#cqEntries()}'s rule);
         *        {@link #build()} fails if it is nonzero and below {@code ringEntries}
         * @return this builder
         * @throws IllegalArgumentException if {@code entries} is out of range
         */
        public Builder cqEntries(int entries) {
            this.cqEntries = checkRange("cqEntries", entries, 0, 2 * RingParams.MAX_ENTRIES);
            return this;
        }

        /**
         * The bound of each loop: operations queued from other threads plus those in flight (default 4096).
         * Beyond it submissions fail at once with {@link FileIoOverloadedException}.
         *
         * @param max the bound, 1 to 4194304
         * @return this builder
         * @throws IllegalArgumentException if {@code max} is out of range
         */
        public Builder maxInFlight(int max) {
            this.maxInFlight = checkRange("maxInFlight", max, 1, 1 << 22);
            return this;
        }

        /**
         * Let a kernel thread poll the SQ ({@code SQPOLL}), sleeping after {@code idleMillis} without work.
         *
         * @param idleMillis how long the SQ thread polls without work before it sleeps, {@code >= 0}
         * @param cpu the CPU the SQ thread is pinned to, or -1 to leave it unpinned
         * @return this builder
         * @throws IllegalArgumentException if {@code idleMillis} is negative or {@code cpu} below -1
         */
        public Builder sqPoll(int idleMillis, int cpu) {
            this.sqPoll = true;
            this.sqPollIdleMillis = checkRange("idleMillis", idleMillis, 0, Integer.MAX_VALUE);
            this.sqPollCpu = checkRange("cpu", cpu, -1, Integer.MAX_VALUE);
            return this;
        }

        /**
         * Busy-poll for completions ({@code IOPOLL}): only for O_DIRECT reads and writes on devices with poll
         * queues (NVMe with {@code nvme.poll_queues}) and NOPs; the kernel fails other operations on such a
         * loop with {@code EINVAL}, so open files on another loop and {@link IoUringFile#wrap} their fds.
         *
         * @param ioPoll whether the rings poll for completions (default off)
         * @return this builder
         */
        public Builder ioPoll(boolean ioPoll) {
            this.ioPoll = ioPoll;
            return this;
        }

        /**
         * Use {@code COOP_TASKRUN|TASKRUN_FLAG} (default on; superseded by DEFER_TASKRUN where available).
         *
         * @param coopTaskrun whether to ask for the flags
         * @return this builder
         */
        public Builder coopTaskrun(boolean coopTaskrun) {
            this.coopTaskrun = coopTaskrun;
            return this;
        }

        /**
         * Use {@code SINGLE_ISSUER|DEFER_TASKRUN} (default on): the loop thread is the ring's one submitter.
         *
         * @param singleIssuer whether to ask for the flags
         * @return this builder
         */
        public Builder singleIssuer(boolean singleIssuer) {
            this.singleIssuer = singleIssuer;
            return this;
        }

        /**
         * Fail loop creation when the kernel lacks an asked flag, instead of running without it.
         *
         * @param require whether every asked flag is a requirement (default off: preferred)
         * @return this builder
         */
        public Builder requireAllFlags(boolean require) {
            this.requireAllFlags = require;
            return this;
        }

        /**
         * Register {@code count} buffers of {@code size} bytes per loop ({@link FileIo#fixedBuffers()}).
         *
         * @param count buffers per loop, 0 (none, the default) to 16384
         * @param size bytes per buffer, 1 to 1 GiB (0 allowed when {@code count} is 0)
         * @return this builder
         * @throws IllegalArgumentException if {@code count} or {@code size} is out of range
         */
        public Builder fixedBuffers(int count, int size) {
            this.fixedBufferCount = checkRange("count", count, 0, 16384);
            this.fixedBufferSize = checkRange("size", size, count == 0 ? 0 : 1, 1 << 30);
            return this;
        }

        /**
         * Reserve {@code slots} registered-file slots per loop ({@link IoUringOpenOption#REGISTER}).
         *
         * @param slots slots per loop, 0 (none, the default) to 1048576
         * @return this builder
         * @throws IllegalArgumentException if {@code slots} is out of range
         */
        public Builder fixedFileSlots(int slots) {
            this.fixedFileSlots = checkRange("fixedFileSlots", slots, 0, 1 << 20);
            return this;
        }

        /**
         * Creates the loop threads (default: daemon-less Netty threads named after the group).
         *
         * @param factory creates one thread per loop
         * @return this builder
         */
        public Builder threadFactory(ThreadFactory factory) {
            this.threadFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Pin loop thread i to {@code cpus[i % cpus.length]}.
         *
         * @param cpus CPU numbers, 0 to 4095 (copied; none: no pinning, the default)
         * @return this builder
         * @throws IllegalArgumentException if a CPU number is out of range
         */
        public Builder cpuAffinity(int... cpus) {
            for (int cpu : cpus) {
                checkRange("cpu", cpu, 0, 4095);
            }
            this.cpuAffinity = cpus.clone();
            return this;
        }

        /**
         * Wake loops through an eventfd even where {@code MSG_RING} wake-ups exist (tests both paths).
         *
         * @param eventFd whether to wake loops through an eventfd
         * @return this builder
         */
        public Builder eventFdWakeup(boolean eventFd) {
            this.eventFdWakeup = eventFd;
            return this;
        }

        /**
         * How long a loop that ran out of work keeps looking for more before it sleeps in
         * {@code io_uring_enter} (default {@value #SPIN_DEFAULT_NANOS} ns; 0: sleep at once). Work handed over
         * during the spin costs its submitter no wake-up system call and the loop no sleep and wake; the price
         * is that much CPU each time the loop goes idle.
         *
         * @param time the spin, 0 to 10 ms
         * @param unit its unit
         * @return this builder
         * @throws IllegalArgumentException if the spin is negative or longer than 10 ms
         */
        public Builder spin(long time, TimeUnit unit) {
            long nanos = unit.toNanos(time);
            if (nanos < 0 || nanos > TimeUnit.MILLISECONDS.toNanos(10)) {
                throw new IllegalArgumentException("spin must be 0..10 ms: " + time + " " + unit);
            }
            this.spinNanos = nanos;
            return this;
        }

        /**
         * How long a shutting-down loop lets accepted operations finish before it cancels them, when the
         * shutdown gives no timeout of its own (default 15 s; a group's {@code shutdownGracefully(quiet,
         * timeout, unit)} uses its {@code timeout}).
         *
         * @param time the time, {@code >= 0}
         * @param unit its unit
         * @return this builder
         */
        public Builder shutdownTimeout(long time, TimeUnit unit) {
            long nanos = unit.toNanos(time);
            if (nanos < 0) {
                throw new IllegalArgumentException("shutdownTimeout must be >= 0: " + time + " " + unit);
            }
            this.shutdownTimeoutNanos = nanos;
            return this;
        }

        /**
         * Route the rings' system calls through a fault plan. Not configuration: the test seam, reached by
         * tests through {@code FaultSeam} (this module's test jar).
         */
        Builder faults(KernelFaults faults) {
            this.faults = Objects.requireNonNull(faults, "faults");
            return this;
        }

        /**
         * The immutable configuration.
         *
         * @return a configuration with this builder's settings (later changes to the builder do not affect it)
         * @throws IllegalArgumentException if {@code cqEntries} is nonzero and below {@code ringEntries}
         */
        public IoUringConfig build() {
            if (cqEntries != 0 && cqEntries < ringEntries) {
                throw new IllegalArgumentException("cqEntries (" + cqEntries + ") must be >= ringEntries ("
                        + ringEntries + ")");
            }
            return new IoUringConfig(this);
        }

        private static int checkRange(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be " + min + ".." + max + ": " + value);
            }
            return value;
        }
    }

    /** The thread factory to use for a group, the configured one or Netty's default named after the group. */
    ThreadFactory threadFactoryFor(Class<?> groupType) {
        return threadFactory != null ? threadFactory : new DefaultThreadFactory(groupType);
    }
}
