package io.i2o2.file;

import io.i2o2.uring.Errno;
import io.i2o2.uring.Opcode;
import io.i2o2.uring.SetupFlag;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.i2o2.file.FileOpsTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The neutral names ({@link FileIo}, {@link FileIoException}, {@link FileIoOverloadedException}) and the typed
 * engine facts, on every ring, with the deprecated old names still meaning the same objects and exceptions.
 */
@SuppressWarnings("deprecation")    // the old names are under test here, beside the new ones
class NamesTest {
    @TempDir
    Path dir;
    MultiThreadIoEventLoopGroup group;

    @AfterEach
    void shutdown() {
        if (group != null) {
            Groups.shutdown(group);
        }
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void oldAndNewNameAreOneObject(Groups type) {
        group = type.create();
        FileIo io = FileIo.of(group.next());
        assertSame(io, IoUringFileIo.of(group.next()), "FileIo.of and IoUringFileIo.of give the same object");
        assertInstanceOf(IoUringFileIo.class, io, "every file API handed out is still an IoUringFileIo");
        assertTrue(FileIo.isSupported(group.next()));
        assertTrue(IoUringFileIo.isSupported(group.next()));
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void aKernelFailureIsAFileIoExceptionAndStillAnIoUringIoException(Groups type) throws Exception {
        group = type.create();
        FileIo io = FileIo.of(group.next());
        Throwable cause = io.open(dir.resolve("missing")).await().cause();
        FileIoException e = assertInstanceOf(FileIoException.class, cause);
        assertInstanceOf(IoUringIOException.class, e, "catch blocks on the old name keep catching it");
        assertEquals(Errno.ENOENT, e.errno());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void anOverloadRefusalIsAFileIoOverloadedException(Groups type) throws Exception {
        group = type.create(IoUringConfig.builder().maxInFlight(4).build());
        FileIo io = FileIo.of(group.next());
        // Fill what the loop holds (Netty's loop ignores the configuration and holds more), then one more.
        List<Future<Void>> timers = new ArrayList<>();
        for (int i = 0; i < io.maxInFlight(); i++) {
            timers.add(io.timeout(1, TimeUnit.HOURS));
        }
        Throwable refused = io.nop().await().cause();
        assertInstanceOf(FileIoOverloadedException.class, refused);
        assertInstanceOf(IoUringOverloadedException.class, refused, "catch blocks on the old name keep catching it");
        for (Future<Void> t : timers) {
            t.cancel(false);
        }
        for (Future<Void> t : timers) {
            assertTrue(t.await(10, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void engineFactsAreTyped(Groups type) throws Exception {
        group = type.create();
        FileIo io = FileIo.of(group.next());
        await(io.nop());    // the loop has run: its wake mechanism is set
        IoEngine expected = switch (type) {
            case FILE -> IoEngine.RING_SQE64;
            case PASSTHROUGH -> IoEngine.RING_SQE128;
            case NETTY -> IoEngine.NETTY_RING;
            case PORTABLE, NIO -> IoEngine.PORTABLE;
        };
        assertEquals(expected, io.engine());
        assertEquals(type == Groups.PASSTHROUGH || type.isPortable(), io.isPassthrough());
        assertEquals(type == Groups.NETTY, io.isNettyRing());

        EngineFacts facts = io.engineFacts();
        assertEquals(expected, facts.engine());
        assertEquals(type == Groups.PASSTHROUGH, facts.setupFlags().contains(SetupFlag.SQE128));
        assertNotNull(facts.wake(), "set once the loop ran");
        assertEquals(type == Groups.NETTY || type.isPortable(), facts.wake() == WakeMechanism.NETTY);
        assertThrows(UnsupportedOperationException.class, () -> facts.setupFlags().add(SetupFlag.CLAMP));
        assertThrows(UnsupportedOperationException.class, () -> facts.droppedSetupFlags().add(SetupFlag.CLAMP));

        // The deprecated string forms say the same.
        assertEquals(facts.wake().name().toLowerCase(Locale.ROOT), io.wakeMechanism());
        assertEquals(facts.setupFlags().stream().map(Enum::name).collect(Collectors.toSet()),
                io.ringFlags());
        assertEquals(facts.droppedSetupFlags().stream().map(Enum::name).collect(Collectors.toSet()),
                io.droppedRingFlags());

        assertTrue(io.supportsOpcode(Opcode.NOP));
        assertTrue(io.supportsOpcode("NOP"));
    }

    @Test
    void engineFactsCopyTheirSets() {
        EnumSet<SetupFlag> flags = EnumSet.of(SetupFlag.SQE128);
        EngineFacts facts = new EngineFacts(IoEngine.RING_SQE128, flags, Set.of(), null);
        flags.clear();
        assertTrue(facts.setupFlags().contains(SetupFlag.SQE128), "a copy, not a view");
        assertFalse(facts.droppedSetupFlags().iterator().hasNext());
    }
}
