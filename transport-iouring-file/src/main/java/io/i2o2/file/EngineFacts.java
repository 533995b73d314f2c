package io.i2o2.file;

import io.i2o2.uring.SetupFlag;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What runs one loop's file IO, read with {@link FileIo#engineFacts()}: the engine, the io_uring setup flags
 * its ring runs with and those it had to drop, and how other threads wake it.
 *
 * @param engine            which engine runs the loop's file IO
 * @param setupFlags        the setup flags the ring runs with (unmodifiable); empty on
 *                          {@link IoEngine#NETTY_RING}, whose flags Netty does not make public
 * @param droppedSetupFlags the preferred flags this kernel lacks, which the ring runs without (unmodifiable)
 * @param wake              how other threads wake the loop; null before the loop started
 */
public record EngineFacts(IoEngine engine, Set<SetupFlag> setupFlags, Set<SetupFlag> droppedSetupFlags,
                          WakeMechanism wake) {
    /**
     * The facts, the sets copied so that later changes to the arguments do not show.
     *
     * @param engine            which engine runs the loop's file IO
     * @param setupFlags        the setup flags the ring runs with
     * @param droppedSetupFlags the preferred flags the ring runs without
     * @param wake              how other threads wake the loop, or null before it started
     */
    public EngineFacts {
        Objects.requireNonNull(engine, "engine");
        setupFlags = copy(setupFlags);
        droppedSetupFlags = copy(droppedSetupFlags);
    }

    private static Set<SetupFlag> copy(Set<SetupFlag> flags) {
        EnumSet<SetupFlag> copy = EnumSet.noneOf(SetupFlag.class);    // copyOf(Collection) refuses an empty one
        copy.addAll(flags);
        return java.util.Collections.unmodifiableSet(copy);
    }
}
