package io.i2o2.testsuite.reliability;

import io.i2o2.file.AlignedBuffers;
import io.i2o2.file.ClosedFileException;
import io.i2o2.file.IoCallback;
import io.i2o2.file.IoUringConfig;
import io.i2o2.file.FileIo;
import io.i2o2.file.FileIoException;
import io.i2o2.file.Groups;
import io.i2o2.file.PortableFileEventLoopGroup;
import io.i2o2.file.IoUringEventLoopGroup;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.i2o2.file.IoUringOpenOption;
import io.i2o2.file.LinkedOps;
import io.i2o2.uring.Errno;
import io.i2o2.uring.Linux;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every misuse fails fast with a clear exception and leaves the buffer's refCnt as it was: a Future-returning
 * method fails its future before returning (it never throws, except {@link NullPointerException} for a null
 * argument), an {@link IoCallback} variant throws the same exception type, and nothing reaches the loop.
 *
 * <p>One table: each row names the misuse, the exact exception type (subclasses do not count: an
 * {@code FileIoOverloadedException} is not the {@code RejectedExecutionException} of a shut-down loop), a
 * fragment of its message, the buffer it uses and the calls that misuse it.
 *
 * <p>The table runs on a ring ({@code FILE}) and on the portable engine ({@code PORTABLE}), each with fixtures of
 * its own: a misuse is refused before anything reaches an engine, so both must give the same exception type and
 * message; a row whose answer differs by design says so where it is built.
 */
class MisuseTest {
    private static final IoCallback IGNORE = (res, tag) -> fail("a refused op must never call back");

    /** Everything the rows misuse, built once. */
    static final class Fx {
        IoUringEventLoopGroup group;
        IoUringEventLoopGroup tinyRing;
        FileIo loop;
        FileIo other;
        IoUringFile file;
        IoUringFile fileOfOther;
        IoUringFile direct;
        IoUringFile closed;
        IoUringFile shutDown;
        FileIo shutDownLoop;
        Path dir;
        Arena arena;
    }

    /**
     * The engines the table runs on: a ring ({@link Groups#FILE}) and the portable engine ({@link Groups#PORTABLE}),
     * which must refuse each misuse with the same exception type and message. Each has its own fixtures.
     */
    static final List<Groups> ENGINES = List.of(Groups.FILE, Groups.PORTABLE);
    static final Map<Groups, Fx> FIXTURES = new EnumMap<>(Groups.class);

    @BeforeAll
    static void setUp() throws Exception {
        for (Groups type : ENGINES) {
            FIXTURES.put(type, fixtures(type));
        }
    }

    static Fx fixtures(Groups type) throws Exception {
        Fx fx = new Fx();
        fx.dir = Files.createTempDirectory("misuse");
        fx.arena = Arena.ofShared();
        // Two loops (a chain must not mix them) with registered buffers (readFixed must still refuse others').
        fx.group = group(type, 2, IoUringConfig.builder().fixedBuffers(2, 4096).build());
        fx.loop = fx.group.nextFileIo();
        fx.other = fx.group.nextFileIo();
        fx.tinyRing = group(type, 1, IoUringConfig.builder().ringEntries(4).build());
        Path data = Files.write(fx.dir.resolve("data"), new byte[1 << 16]);
        fx.file = Kit.await(fx.loop.open(data, READ, WRITE));
        fx.fileOfOther = Kit.await(fx.other.open(data, READ, WRITE));
        Future<IoUringFile> direct = fx.loop.open(data, READ, IoUringOpenOption.DIRECT).await();
        fx.direct = direct.isSuccess() ? direct.getNow() : null;
        fx.closed = Kit.await(fx.loop.open(data, READ, WRITE));
        Kit.await(fx.closed.close());
        IoUringEventLoopGroup dead = group(type, 1, IoUringConfig.defaults());
        fx.shutDownLoop = dead.nextFileIo();
        fx.shutDown = Kit.await(fx.shutDownLoop.open(data, READ, WRITE));
        Kit.shutdown(dead);
        return fx;
    }

    /** A group of {@code type} ({@link Groups#FILE} or {@link Groups#PORTABLE}) with {@code n} loops. */
    static IoUringEventLoopGroup group(Groups type, int n, IoUringConfig config) {
        return type == Groups.PORTABLE ? new PortableFileEventLoopGroup(n, config)
                : new IoUringFileEventLoopGroup(n, config);
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (Fx fx : FIXTURES.values()) {
            Kit.await(fx.file.close());
            Kit.await(fx.fileOfOther.close());
            if (fx.direct != null) {
                Kit.await(fx.direct.close());
            }
            Kit.shutdown(fx.group);
            Kit.shutdown(fx.tinyRing);
            fx.arena.close();
        }
    }

    /** How the Future-returning call reports the misuse. */
    enum Shape {
        /** Returns a future that is already failed. */
        FAILS_FUTURE,
        /** Throws (null arguments, misuse of a chain object itself). */
        THROWS
    }

    /** A call that misuses {@code buf} (may be null) and returns the future it got, or throws. */
    @FunctionalInterface
    interface Call {
        Future<?> call(Fx fx, ByteBuf buf) throws Exception;
    }

    /** The callback variant of the same misuse, which must throw. */
    @FunctionalInterface
    interface CallbackCall {
        void call(Fx fx, ByteBuf buf) throws Exception;
    }

    /** One row of the table. */
    /**
     * One row; {@code onPortable}, where not null, is what the portable engine does instead, by design (the row
     * misuses something only a ring has), checked in place of the refusal.
     */
    record Misuse(Class<? extends Throwable> type, String fragment, Function<Fx, ByteBuf> buffer, Shape shape,
                  Call viaFuture, CallbackCall viaCallback, CallbackCall onPortable) {
    }

    static Arguments row(String name, Class<? extends Throwable> type, String fragment, Function<Fx, ByteBuf> buffer,
                         Shape shape, Call viaFuture, CallbackCall viaCallback) {
        return ringOnlyRow(name, type, fragment, buffer, shape, viaFuture, viaCallback, null);
    }

    /** A row whose misuse only a ring refuses; {@code onPortable} checks what the portable engine does instead. */
    static Arguments ringOnlyRow(String name, Class<? extends Throwable> type, String fragment,
                                 Function<Fx, ByteBuf> buffer, Shape shape, Call viaFuture, CallbackCall viaCallback,
                                 CallbackCall onPortable) {
        return Arguments.of(Named.of(name, new Misuse(type, fragment, buffer, shape, viaFuture, viaCallback,
                onPortable)));
    }

    static ByteBuf direct(Fx fx) {
        return Kit.ALLOC.directBuffer(64);
    }

    static ByteBuf readable(Fx fx) {
        return Kit.ALLOC.directBuffer(64).writeZero(64);
    }

    static ByteBuf none(Fx fx) {
        return null;
    }

    static Stream<Arguments> misuses() {
        Shape fails = Shape.FAILS_FUTURE;
        Shape throwsAt = Shape.THROWS;
        return Stream.of(
                // ---- buffers ----
                row("read into a released buffer", IllegalReferenceCountException.class, "already released",
                        fx -> {
                            ByteBuf b = direct(fx);
                            b.release();
                            return b;
                        }, fails, (fx, b) -> fx.file.read(b, 0), (fx, b) -> fx.file.read(b, 0, IGNORE, 1)),
                row("write from a released buffer", IllegalReferenceCountException.class, "already released",
                        fx -> {
                            ByteBuf b = readable(fx);
                            b.release();
                            return b;
                        }, fails, (fx, b) -> fx.file.write(b, 0), (fx, b) -> fx.file.write(b, 0, IGNORE, 1)),
                row("read into a heap buffer", IllegalArgumentException.class, "heap buffer",
                        fx -> Unpooled.buffer(64), fails, (fx, b) -> fx.file.read(b, 0),
                        (fx, b) -> fx.file.read(b, 0, IGNORE, 1)),
                row("write from a heap buffer", IllegalArgumentException.class, "heap buffer",
                        fx -> Unpooled.buffer(64).writeZero(64), fails, (fx, b) -> fx.file.write(b, 0),
                        (fx, b) -> fx.file.write(b, 0, IGNORE, 1)),
                row("read into a read-only buffer", IllegalArgumentException.class, "read-only",
                        fx -> direct(fx).asReadOnly(), fails, (fx, b) -> fx.file.read(b, 0),
                        (fx, b) -> fx.file.read(b, 0, IGNORE, 1)),
                row("read into a buffer with no writable bytes", IllegalArgumentException.class, "no writable bytes",
                        fx -> Kit.ALLOC.directBuffer(64, 64).writeZero(64), fails, (fx, b) -> fx.file.read(b, 0),
                        (fx, b) -> fx.file.read(b, 0, IGNORE, 1)),
                row("write from a buffer with no readable bytes", IllegalArgumentException.class,
                        "no readable bytes", MisuseTest::direct, fails, (fx, b) -> fx.file.write(b, 0),
                        (fx, b) -> fx.file.write(b, 0, IGNORE, 1)),
                row("readv with no buffers", IllegalArgumentException.class, "no buffers", MisuseTest::none, fails,
                        (fx, b) -> fx.file.readv(0), null),
                // ---- offsets and lengths ----
                row("read at a negative offset", IllegalArgumentException.class, "offset must be >= 0",
                        MisuseTest::direct, fails, (fx, b) -> fx.file.read(b, -1),
                        (fx, b) -> fx.file.read(b, -1, IGNORE, 1)),
                row("write at a negative offset", IllegalArgumentException.class, "offset must be >= 0",
                        MisuseTest::readable, fails, (fx, b) -> fx.file.write(b, -4096),
                        (fx, b) -> fx.file.write(b, -4096, IGNORE, 1)),
                row("fallocate a negative length", IllegalArgumentException.class, "fallocate: offset and length",
                        MisuseTest::none, fails, (fx, b) -> fx.file.fallocate(0, 0, -1), null),
                row("syncFileRange a negative length", IllegalArgumentException.class, "sync_file_range: offset",
                        MisuseTest::none, fails,
                        (fx, b) -> fx.file.syncFileRange(0, -1, Linux.SYNC_FILE_RANGE_WRITE), null),
                row("fadvise a negative length", IllegalArgumentException.class, "fadvise: offset and length",
                        MisuseTest::none, fails, (fx, b) -> fx.file.fadvise(0, -1, Linux.POSIX_FADV_WILLNEED), null),
                row("truncate to a negative length", IllegalArgumentException.class, "length must be >= 0",
                        MisuseTest::none, fails, (fx, b) -> fx.file.truncate(-1), null),
                // ---- O_DIRECT ----
                row("O_DIRECT read into a misaligned address", IllegalArgumentException.class,
                        "O_DIRECT buffer address", fx -> alignedFor(fx).writerIndex(1), fails,
                        (fx, b) -> directFile(fx).read(b, 0), (fx, b) -> directFile(fx).read(b, 0, IGNORE, 1)),
                row("O_DIRECT read at a misaligned offset", IllegalArgumentException.class, "O_DIRECT offset 100 ",
                        MisuseTest::alignedFor, fails, (fx, b) -> directFile(fx).read(b, 100),
                        (fx, b) -> directFile(fx).read(b, 100, IGNORE, 1)),
                row("O_DIRECT read of a misaligned length", IllegalArgumentException.class, "and length 100 ",
                        fx -> AlignedBuffers.allocate(100, 4096), fails, (fx, b) -> directFile(fx).read(b, 0),
                        (fx, b) -> directFile(fx).read(b, 0, IGNORE, 1)),
                // ---- files and loops in the wrong state ----
                row("read from a closed file", ClosedFileException.class, "is closed", MisuseTest::direct, fails,
                        (fx, b) -> fx.closed.read(b, 0), (fx, b) -> fx.closed.read(b, 0, IGNORE, 1)),
                row("fsync a closed file", ClosedFileException.class, "is closed", MisuseTest::none, fails,
                        (fx, b) -> fx.closed.fsync(), null),
                row("read on a loop that was shut down", RejectedExecutionException.class, "shut",
                        MisuseTest::direct, fails, (fx, b) -> fx.shutDown.read(b, 0),
                        (fx, b) -> fx.shutDown.read(b, 0, IGNORE, 1)),
                row("nop on a loop that was shut down", RejectedExecutionException.class, "shut", MisuseTest::none,
                        fails, (fx, b) -> fx.shutDownLoop.nop(), (fx, b) -> fx.shutDownLoop.nop(IGNORE, 1)),
                row("blocking() on an event loop thread", IllegalStateException.class, "would block the event loop",
                        MisuseTest::direct, fails, (fx, b) -> onLoop(fx, () -> fx.file.blocking().read(b, 0)),
                        (fx, b) -> onLoop(fx, () -> {
                            fx.file.blocking().read(b, 0, IGNORE, 1);
                            return null;
                        })),
                // The portable engine's entries are 128 bytes, so uring_cmd as such is no misuse there; but it runs
                // only the NVMe commands that have an ioctl, and refuses any other (this one, 0) at once, naming them.
                ringOnlyRow("uring_cmd on a 64-byte loop", UnsupportedOperationException.class,
                        "IoUringPassthroughEventLoopGroup", MisuseTest::readable, fails,
                        (fx, b) -> fx.file.uringCmd(0, b, false, (cmd, addr, len) -> { }), null, (fx, b) -> {
                            Future<?> f = fx.file.uringCmd(0, b, false, (cmd, addr, len) -> { });
                            assertTrue(f.isDone(), "refused before the call returned");
                            Throwable t = assertInstanceOf(UnsupportedOperationException.class, f.cause());
                            assertTrue(t.getMessage().contains("NVME_URING_CMD_IO"), t.getMessage());
                        }),
                row("readFixed with a buffer that is not registered", IllegalArgumentException.class,
                        "not a registered buffer", MisuseTest::direct, fails, (fx, b) -> fx.file.readFixed(b, 0), null),
                // ---- opening ----
                row("open with DELETE_ON_CLOSE", UnsupportedOperationException.class, "DELETE_ON_CLOSE",
                        MisuseTest::none, fails,
                        (fx, b) -> fx.loop.open(fx.dir.resolve("x"), StandardOpenOption.DELETE_ON_CLOSE), null),
                row("open REGISTER without registered-file slots", IllegalArgumentException.class, "fixedFileSlots",
                        MisuseTest::none, fails,
                        (fx, b) -> fx.loop.open(fx.dir.resolve("data"), IoUringOpenOption.REGISTER), null),
                // ---- loop operations ----
                row("madvise with destructive advice", IllegalArgumentException.class, "not one of the safe ones",
                        MisuseTest::none, fails,
                        (fx, b) -> fx.loop.madvise(fx.arena.allocate(4096, 4096), Linux.MADV_DONTNEED), null),
                row("madvise on unaligned memory", IllegalArgumentException.class, "whole pages", MisuseTest::none,
                        fails, (fx, b) -> fx.loop.madvise(fx.arena.allocate(8192, 4096).asSlice(1, 4096),
                                Linux.MADV_WILLNEED), null),
                row("timeout with a negative delay", IllegalArgumentException.class, "delay must be >= 0",
                        MisuseTest::none, fails, (fx, b) -> fx.loop.timeout(-1, TimeUnit.MILLISECONDS), null),
                // ---- chains ----
                row("chain with a file of another loop", IllegalArgumentException.class, "belongs to",
                        MisuseTest::readable, fails, MisuseTest::chainWithForeignFile, null),
                // The portable engine has no SQ (its ring sizes are ignored): the five links run one after the other.
                ringOnlyRow("chain longer than the SQ", IllegalArgumentException.class, "cannot be longer than the SQ",
                        MisuseTest::readable, fails, MisuseTest::overLongChain, null, MisuseTest::longChainRuns),
                row("link added after the chain was submitted", IllegalStateException.class, "submitted already",
                        MisuseTest::readable, fails, (fx, b) -> {
                            LinkedOps chain = fx.loop.link();
                            chain.submit();
                            return chain.write(fx.file, b, 0);
                        }, null),
                row("chain submitted twice", IllegalStateException.class, "submitted already", MisuseTest::readable,
                        throwsAt, MisuseTest::chainSubmittedTwice, null),
                row("timeoutPrevious with no link before it", IllegalArgumentException.class, "needs a link before",
                        MisuseTest::none, fails, (fx, b) -> fx.loop.link().timeoutPrevious(1, TimeUnit.SECONDS), null),
                // ---- null arguments ----
                row("null buffer", NullPointerException.class, "dst", MisuseTest::none, throwsAt,
                        (fx, b) -> fx.file.read(null, 0), (fx, b) -> fx.file.read(null, 0, IGNORE, 1)),
                row("null path", NullPointerException.class, "path", MisuseTest::none, throwsAt,
                        (fx, b) -> fx.loop.open(null), null),
                row("null callback", NullPointerException.class, "callback", MisuseTest::direct, throwsAt,
                        null, (fx, b) -> fx.file.read(b, 0, (IoCallback) null, 1)),
                row("null promise", NullPointerException.class, "promise", MisuseTest::direct, throwsAt,
                        (fx, b) -> fx.file.read(b, 0, (Promise<Integer>) null), null),
                row("null uring_cmd writer", NullPointerException.class, "writer", MisuseTest::readable, throwsAt,
                        (fx, b) -> fx.file.uringCmd(0, b, false, null), null));
    }

    /** Every row on every engine of {@link #ENGINES}. */
    static Stream<Arguments> misusesOnEachEngine() {
        return ENGINES.stream().flatMap(type -> misuses().map(row -> Arguments.of(type, row.get()[0])));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("misusesOnEachEngine")
    void failsFastWithTheExactExceptionAndLeavesRefCntAlone(Groups type, Misuse m) throws Exception {
        Fx fx = FIXTURES.get(type);
        ByteBuf buf = m.buffer().apply(fx);
        int before = buf == null ? -1 : buf.refCnt();
        try {
            if (type.isPortable() && m.onPortable() != null) {
                // Only a ring refuses this (the row says why): what the portable engine does instead is checked.
                m.onPortable().call(fx, buf);
                assertRefCnt(before, buf, "portable engine");
                return;
            }
            if (m.viaFuture() != null) {
                Throwable failure = failureOf(fx, m, buf);
                assertSame(m.type(), failure.getClass(), "exact type: " + failure);
                assertNotNull(failure.getMessage());
                assertTrue(failure.getMessage().contains(m.fragment()), "message: " + failure.getMessage());
                assertRefCnt(before, buf, "Future variant");
            }
            if (m.viaCallback() != null) {
                Throwable thrown = thrownBy(() -> m.viaCallback().call(fx, buf));
                assertNotNull(thrown, "the callback variant must throw");
                assertSame(m.type(), thrown.getClass(), "callback variant, exact type: " + thrown);
                assertTrue(thrown.getMessage().contains(m.fragment()), "message: " + thrown.getMessage());
                assertRefCnt(before, buf, "callback variant");
            }
        } finally {
            if (buf != null && buf.refCnt() > 0) {
                buf.release();
            }
        }
    }

    /**
     * The user-error table gives the same answer on the portable engine as on a ring: for every row both
     * refuse, the same exception type and the same message, but for numbers (descriptors, addresses, loop
     * names) and the loop's own description, which names its engine.
     */
    @org.junit.jupiter.api.Test
    void portableAndRingRefuseEachMisuseWithTheSameMessage() throws Exception {
        List<String> differences = new ArrayList<>();
        int compared = 0;
        for (Arguments row : (Iterable<Arguments>) misuses()::iterator) {
            @SuppressWarnings("unchecked")
            Named<Misuse> named = (Named<Misuse>) row.get()[0];
            Misuse m = named.getPayload();
            if (m.onPortable() != null) {
                continue;       // answered otherwise on the portable engine, by design (see the row)
            }
            String ring = shape(refusal(FIXTURES.get(Groups.FILE), m));
            String portable = shape(refusal(FIXTURES.get(Groups.PORTABLE), m));
            compared++;
            if (!ring.equals(portable)) {
                differences.add(named.getName() + ":\n    ring:     " + ring + "\n    portable: " + portable);
            }
        }
        assertTrue(differences.isEmpty(), "the engines refuse differently:\n  " + String.join("\n  ", differences));
        assertTrue(compared >= 30, "rows compared: " + compared);
    }

    /** What a row's misuse fails with on {@code fx}'s engine (the Future variant, else the callback variant). */
    private static Throwable refusal(Fx fx, Misuse m) throws Exception {
        ByteBuf buf = m.buffer().apply(fx);
        try {
            if (m.viaFuture() != null) {
                return failureOf(fx, m, buf);
            }
            return thrownBy(() -> m.viaCallback().call(fx, buf));
        } finally {
            if (buf != null && buf.refCnt() > 0) {
                buf.release();
            }
        }
    }

    /**
     * An exception's class and message with what names a particular loop masked: numbers and addresses, the
     * loop's description ({@code IoUringFileEventLoop[ring fd=..]} on a ring, {@code PortableFileIo[..]} on the
     * portable engine) and its thread's name.
     */
    static String shape(Throwable t) {
        String message = String.valueOf(t.getMessage())
                .replaceAll("(IoUringFileIo|PortableFileIo|FileIoCore|\\w*EventLoop)\\[[^\\]]*\\]", "LOOP")
                .replaceAll("\\w+EventLoopGroup-\\d+-\\d+", "THREAD")
                .replaceAll("0x[0-9a-fA-F]+", "#")
                .replaceAll("\\d+", "#");
        return t.getClass().getName() + ": " + message;
    }

    private static Throwable failureOf(Fx fx, Misuse m, ByteBuf buf) throws Exception {
        Future<?>[] returned = new Future<?>[1];
        Throwable thrown = thrownBy(() -> returned[0] = m.viaFuture().call(fx, buf));
        if (m.shape() == Shape.THROWS) {
            assertNotNull(thrown, "must throw");
            return thrown;
        }
        if (thrown != null) {
            throw new AssertionError("a Future-returning method threw instead of failing its future", thrown);
        }
        Future<?> f = returned[0];
        assertTrue(f.isDone(), "failed before returning, not later on the loop: " + f);
        assertNotNull(f.cause(), "must fail: " + f);
        return f.cause();
    }

    private static void assertRefCnt(int before, ByteBuf buf, String variant) {
        if (buf != null) {
            assertEquals(before, buf.refCnt(), variant + " changed refCnt");
        }
    }

    private static Throwable thrownBy(Kit.Body body) {
        try {
            body.run();
            return null;
        } catch (Throwable t) {
            return t instanceof java.util.concurrent.ExecutionException e ? e.getCause() : t;
        }
    }

    // ---- rows that need more than one line ----

    static IoUringFile directFile(Fx fx) {
        Assumptions.assumeTrue(fx.direct != null, "this file system refuses O_DIRECT");
        return fx.direct;
    }

    static ByteBuf alignedFor(Fx fx) {
        int align = Math.max(4096, directFile(fx).directMemoryAlignment());
        Assumptions.assumeTrue(directFile(fx).directMemoryAlignment() > 1, "no address alignment to break");
        return AlignedBuffers.allocate(4096, align);
    }

    /** Runs a call on the loop thread and returns what it returned (or throws what it threw). */
    static <T> T onLoop(Fx fx, java.util.concurrent.Callable<T> call) throws Exception {
        return fx.loop.executor().submit(call).get(Kit.HANG_SECONDS, TimeUnit.SECONDS);
    }

    /** A good link, then one on another loop's file: the bad link fails, and submit fails and frees the good one. */
    static Future<?> chainWithForeignFile(Fx fx, ByteBuf buf) throws Exception {
        ByteBuf good = readable(fx);
        LinkedOps chain = fx.loop.link();
        Future<Integer> first = chain.write(fx.file, good, 0);
        Future<Integer> bad = chain.write(fx.fileOfOther, buf, 0);
        chain.submit();
        assertGoodLinkFailedAndReleased(first, good);
        return bad;
    }

    /** A 4-entry SQ: four links fit, the fifth spoils the chain. */
    static Future<?> overLongChain(Fx fx, ByteBuf buf) throws Exception {
        FileIo loop = FileIo.of(fx.tinyRing.next());
        IoUringFile file = Kit.await(loop.open(fx.dir.resolve("data"), READ, WRITE));
        try {
            ByteBuf good = readable(fx);
            LinkedOps chain = loop.link();
            List<Future<Integer>> links = new ArrayList<>();
            links.add(chain.write(file, good, 0));
            for (int i = 0; i < 3; i++) {
                links.add(chain.fdatasync(file));
            }
            Future<Integer> fifth = chain.write(file, buf, 0);
            chain.submit();
            for (Future<Integer> link : links.subList(1, links.size())) {
                assertSame(IllegalStateException.class, Kit.awaitOutcome(link).getClass());
            }
            assertGoodLinkFailedAndReleased(links.get(0), good);
            return fifth;
        } finally {
            Kit.await(file.close());
        }
    }

    /** The portable engine: the chain of five that {@link #overLongChain} builds runs whole. */
    static void longChainRuns(Fx fx, ByteBuf buf) throws Exception {
        FileIo loop = FileIo.of(fx.tinyRing.next());
        IoUringFile file = Kit.await(loop.open(fx.dir.resolve("data"), READ, WRITE));
        ByteBuf good = readable(fx);
        try {
            LinkedOps chain = loop.link();
            List<Future<Integer>> links = new ArrayList<>();
            links.add(chain.write(file, good, 0));
            for (int i = 0; i < 3; i++) {
                links.add(chain.fdatasync(file));
            }
            links.add(chain.write(file, buf, 0));
            chain.submit();
            assertEquals(List.of(64, 0, 0, 0, 64), awaitAll(links), "every link ran");
        } finally {
            good.release();
            Kit.await(file.close());
        }
    }

    private static List<Integer> awaitAll(List<Future<Integer>> links) throws Exception {
        List<Integer> results = new ArrayList<>();
        for (Future<Integer> f : links) {
            results.add(Kit.await(f));
        }
        return results;
    }

    static Future<?> chainSubmittedTwice(Fx fx, ByteBuf buf) throws Exception {
        LinkedOps chain = fx.loop.link();
        Future<Integer> write = chain.write(fx.file, buf, 0);
        chain.submit();
        assertEquals(64, Kit.await(write), "the first submit ran the chain");
        chain.submit();
        return null;
    }

    private static void assertGoodLinkFailedAndReleased(Future<Integer> link, ByteBuf good) throws Exception {
        Throwable cause = Kit.awaitOutcome(link);
        assertSame(IllegalStateException.class, cause.getClass(), "a spoiled chain fails its good links: " + cause);
        assertTrue(cause.getMessage().contains("chain not submitted"), cause.getMessage());
        assertEquals(1, good.refCnt(), "a link that never ran is not left pinned");
        good.release();
    }

    @org.junit.jupiter.api.Test
    void theTableHoldsAtLeastTwentyMisuses() {
        assertTrue(misuses().count() >= 20, "the brief asks for at least twenty rows");
    }
}
