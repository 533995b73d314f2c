package io.i2o2.file;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;

import org.junit.jupiter.params.provider.Arguments;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The loops the file API runs on: this library's two group types (64- and 128-byte rings) and Netty's own
 * io_uring transport (its ring shared with channels), for tests that must hold on all of them alike.
 */
public enum Groups {
    /** {@link IoUringFileEventLoopGroup}: 64-byte SQEs. */
    FILE(config -> new IoUringFileEventLoopGroup(1, config)),
    /** {@link IoUringPassthroughEventLoopGroup}: 128-byte SQEs, 32-byte CQEs. */
    PASSTHROUGH(config -> new IoUringPassthroughEventLoopGroup(1, config)),
    /** Netty's own io_uring loop ({@code IoUringIoHandler}); the configuration does not apply to it. */
    NETTY(config -> new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory())),
    /** {@link PortableFileEventLoopGroup}: no io_uring, blocking system calls on worker threads. */
    PORTABLE(config -> new PortableFileEventLoopGroup(1, config)),
    /**
     * A loop of Netty's NIO transport, whose file API is the portable engine attached to it: a channel handler's
     * loop on a transport without io_uring; the configuration does not apply to it.
     */
    NIO(config -> new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()));

    private final Function<IoUringConfig, MultiThreadIoEventLoopGroup> factory;

    Groups(Function<IoUringConfig, MultiThreadIoEventLoopGroup> factory) {
        this.factory = factory;
    }

    /** A one-loop group of this type. */
    public MultiThreadIoEventLoopGroup create(IoUringConfig config) {
        return factory.apply(config);
    }

    /**
     * A one-loop group of this type whose ring has {@code config}'s SQ and CQ sizes: on {@link #NETTY} through
     * Netty's own {@link IoUringIoHandlerConfig} (the only part of an {@code IoUringConfig} with a counterpart
     * there; a CQ left at 0 is sized for {@code maxInFlight} as on our rings), elsewhere {@link #create}.
     */
    public MultiThreadIoEventLoopGroup createWithRingSizes(IoUringConfig config) {
        if (this != NETTY) {
            return create(config);
        }
        return new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory(new IoUringIoHandlerConfig()
                .setRingSize(config.ringEntries()).setCqSize(config.effectiveCqEntries())));
    }

    /** This library's group of this type ({@link #FILE}, {@link #PASSTHROUGH} or {@link #PORTABLE}). */
    public IoUringEventLoopGroup createOwn(IoUringConfig config) {
        if (this == NETTY || this == NIO) {
            throw new IllegalArgumentException(this + " is not one of this library's groups");
        }
        return (IoUringEventLoopGroup) factory.apply(config);
    }

    /** A one-loop group of this type with the default configuration. */
    public MultiThreadIoEventLoopGroup create() {
        return create(IoUringConfig.defaults());
    }

    /**
     * This library's two ring group types, as parameters: for tests of what only our rings have (their
     * {@code IoUringConfig} flags, registered buffers and files, linked chains, the {@code KernelFaults} seam,
     * the wake-up mechanism); each such test says at its source why {@link #NETTY} is left out.
     */
    public static Stream<Arguments> both() {
        return Stream.of(Arguments.of(FILE), Arguments.of(PASSTHROUGH));
    }

    /**
     * This library's own group types, as parameters: our two rings and the portable group, for tests of what an
     * {@code IoUringConfig} sets up and the portable engine has too (registered buffers and files, emulated there;
     * linked chains; the per-group bound; a shutdown that waits for its ops). {@link #NETTY} and {@link #NIO} take
     * no configuration, and a test that leaves them out says why at its source.
     */
    public static Stream<Arguments> configurable() {
        // Where this library may not use io_uring, FILE and PASSTHROUGH run the portable engine: PORTABLE says it.
        return io.i2o2.file.IoUring.isAvailable()
                ? Stream.of(Arguments.of(FILE), Arguments.of(PASSTHROUGH), Arguments.of(PORTABLE))
                : Stream.of(Arguments.of(PORTABLE));
    }

    /**
     * Every loop whose engine is this library's own, as parameters: our rings, and the portable engine on its
     * group and attached to a NIO loop (all but {@link #NETTY}, which refuses what it cannot do through Netty's
     * public API: chains, registration); for tests of such features that need no {@code IoUringConfig}.
     */
    public static Stream<Arguments> ownEngines() {
        return all().filter(a -> a.get()[0] != NETTY);
    }

    /**
     * Every loop the file API runs on, as parameters: our rings and Netty's (where io_uring is available), the
     * portable engine as a group of its own and attached to a NIO loop (everywhere).
     */
    public static Stream<Arguments> all() {
        // Where this library may not use io_uring its groups and Netty's loops run the portable engine: only the
        // portable loops are then what they say they are.
        return Stream.concat(io.i2o2.file.IoUring.isAvailable() ? rings() : Stream.empty(), portable());
    }

    /**
     * The loops with an io_uring ring, as parameters (Netty's only where its io_uring transport loads): for tests
     * of what only a ring does, which a class that runs without io_uring marks {@link io.i2o2.uring.NeedsIoUring}.
     */
    public static Stream<Arguments> rings() {
        return IoUring.isAvailable() ? Stream.of(Arguments.of(FILE), Arguments.of(PASSTHROUGH), Arguments.of(NETTY))
                : both();
    }

    /**
     * The portable engine's two ways to run, as parameters: its own group, and attached to a NIO loop
     * ({@code -Di2o2.test.portableGroups=PORTABLE} keeps the first alone: the 6.1 guest's run, whose point is the
     * kernel's system calls, which both make alike).
     */
    public static Stream<Arguments> portable() {
        String only = System.getProperty("i2o2.test.portableGroups", "PORTABLE,NIO");
        return Stream.of(PORTABLE, NIO).filter(g -> only.contains(g.name())).map(Arguments::of);
    }

    /**
     * Whether an {@code IoUringConfig} reaches this loop: not on another transport's loop ({@link #NETTY},
     * {@link #NIO}), which take the process-wide defaults ({@code -Dio.i2o2.*}).
     */
    public boolean takesConfig() {
        return this != NETTY && this != NIO;
    }

    /** Whether this loop runs the portable engine. */
    public boolean isPortable() {
        return this == PORTABLE || this == NIO;
    }

    /** Shuts a group down and waits, failing the test if it does not terminate in time. */
    public static void shutdown(MultiThreadIoEventLoopGroup group) {
        if (!group.shutdownGracefully(0, 10, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS)) {
            throw new AssertionError(group + " did not terminate within 30 s");
        }
    }
}
