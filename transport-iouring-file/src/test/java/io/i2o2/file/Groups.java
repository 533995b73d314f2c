package io.i2o2.file;

import org.junit.jupiter.params.provider.Arguments;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

/** Both group types, for tests that must hold on 64- and 128-byte rings alike. */
public enum Groups {
    /** {@link IoUringFileEventLoopGroup}: 64-byte SQEs. */
    FILE(config -> new IoUringFileEventLoopGroup(1, config)),
    /** {@link IoUringPassthroughEventLoopGroup}: 128-byte SQEs, 32-byte CQEs. */
    PASSTHROUGH(config -> new IoUringPassthroughEventLoopGroup(1, config));

    private final Function<IoUringConfig, IoUringEventLoopGroup> factory;

    Groups(Function<IoUringConfig, IoUringEventLoopGroup> factory) {
        this.factory = factory;
    }

    /** A one-loop group of this type. */
    public IoUringEventLoopGroup create(IoUringConfig config) {
        return factory.apply(config);
    }

    /** A one-loop group of this type with the default configuration. */
    public IoUringEventLoopGroup create() {
        return create(IoUringConfig.defaults());
    }

    /** Both types, as parameters. */
    public static Stream<Arguments> both() {
        return Stream.of(Arguments.of(FILE), Arguments.of(PASSTHROUGH));
    }

    /** Shuts a group down and waits, failing the test if it does not terminate in time. */
    public static void shutdown(IoUringEventLoopGroup group) {
        if (!group.shutdownGracefully(0, 10, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS)) {
            throw new AssertionError(group + " did not terminate within 30 s");
        }
    }
}
