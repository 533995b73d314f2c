package io.i2o2.file;

import io.i2o2.uring.SetupFlag;

import java.util.Map;
import java.util.Set;

/**
 * What an engine is, fixed when it is made: the facts the API reports and decides by, typed, so that no code
 * asks which class an engine is. What is only known once the loop runs (the wake-up mechanism) and what is
 * costly to learn (the kernel's opcode probe) the {@link Engine} answers itself.
 *
 * @param engine which engine this is
 * @param setupFlags the ring's setup flags; empty where they are not known (Netty's ring keeps them to itself)
 * @param droppedSetupFlags preferred flags the kernel lacks, which the ring runs without
 * @param maxChainLength the longest linked chain the engine takes (1: no chains)
 * @param fixedBuffers the loop's registered buffers, or null (none configured, or the engine cannot have them)
 * @param fixedFileSlots how many registered-file slots the loop has
 * @param lacking what the engine cannot do, each with the refusal's message (naming what to use instead)
 * @param raiseBound how to raise the loop's bound on operations, for the overload refusal
 */
record EngineTraits(IoEngine engine, Set<SetupFlag> setupFlags, Set<SetupFlag> droppedSetupFlags, int maxChainLength,
                   FixedBufferPool fixedBuffers, int fixedFileSlots, Map<EngineFeature, String> lacking,
                   String raiseBound) {

    EngineTraits {
        setupFlags = Set.copyOf(setupFlags);
        droppedSetupFlags = Set.copyOf(droppedSetupFlags);
        lacking = Map.copyOf(lacking);
    }

    /** Whether this is Netty's own io_uring loop rather than this library's ring. */
    boolean isNettyRing() {
        return engine == IoEngine.NETTY_RING;
    }

    /** Whether the engine runs {@code uring_cmd} (NVMe passthrough): a ring with 128-byte SQEs, or the portable engine's ioctls. */
    boolean isPassthrough() {
        return engine == IoEngine.RING_SQE128 || engine == IoEngine.PORTABLE;
    }

    /**
     * Whether the engine takes each op through its cancellation gate ({@link Target#enterRing}) itself, when it
     * starts running it, rather than the core when it admits it: the portable engine, whose queue to its workers
     * is not yet the kernel, so {@code cancel()} stays true until a worker takes the op.
     */
    boolean gatesAtStart() {
        return engine == IoEngine.PORTABLE;
    }

    /** Whether the engine cannot do {@code feature}. */
    boolean lacks(EngineFeature feature) {
        return lacking.containsKey(feature);
    }
}
