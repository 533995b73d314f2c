package io.i2o2.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.i2o2.uring.SetupFlag;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each engine says what it is through its typed facts, and the public answers are read from them alone. */
class EngineFactsTest {

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void theFactsSayWhichEngineRunsAndWhatItLacks(Groups type) throws Exception {
        MultiThreadIoEventLoopGroup group = type.create(IoUringConfig.builder().build());
        try {
            FileIo io = FileIo.of(group.next());
            FileOpsTest.await(io.nop());                        // the loop runs: its wake-up mechanism is known
            EngineTraits facts = io.core().traits();
            IoEngine expected = switch (type) {
                case FILE -> IoEngine.RING_SQE64;
                case PASSTHROUGH -> IoEngine.RING_SQE128;
                case NETTY -> IoEngine.NETTY_RING;
                case PORTABLE, NIO -> IoEngine.PORTABLE;
            };
            assertEquals(expected, facts.engine());
            assertEquals(type == Groups.NETTY, io.isNettyRing());
            assertEquals(type == Groups.PASSTHROUGH || type.isPortable(), io.isPassthrough());
            Set<EngineFeature> lacking = switch (type) {
                case FILE -> EnumSet.of(EngineFeature.URING_CMD);
                case PASSTHROUGH -> EnumSet.noneOf(EngineFeature.class);
                // ANY_URING_CMD is moot where URING_CMD is lacking: uringCmdRefusal asks URING_CMD first.
                case NETTY -> EnumSet.complementOf(EnumSet.of(EngineFeature.RAW_SQES, EngineFeature.ANY_URING_CMD));
                case PORTABLE, NIO -> EnumSet.of(EngineFeature.RAW_SQES, EngineFeature.ANY_URING_CMD);
            };
            assertEquals(lacking, facts.lacking().keySet());
            for (EngineFeature f : lacking) {
                assertNotNull(io.core().refusal(f).getMessage(), f.name());
            }
            WakeMechanism wake = io.core().wakeMechanism();
            assertNotNull(wake);
            assertEquals(wake.label(), io.wakeMechanism());
            assertEquals(type == Groups.NETTY || type.isPortable(), wake == WakeMechanism.NETTY);
            assertEquals(type == Groups.NETTY || type.isPortable() ? Set.of() : names(facts.setupFlags()),
                    io.ringFlags());
            assertEquals(!type.isPortable() || facts.setupFlags().isEmpty(), true, "a portable loop has no ring flags");
            assertEquals(type != Groups.NETTY, facts.maxChainLength() >= 2, "chains: " + facts.maxChainLength());
        } finally {
            Groups.shutdown(group);
        }
    }

    private static Set<String> names(Set<SetupFlag> flags) {
        Set<String> names = new java.util.TreeSet<>();
        flags.forEach(f -> names.add(f.name()));
        return names;
    }
}
