package io.i2o2.testsuite;

import io.i2o2.file.ClosedFileException;
import io.i2o2.file.FileIo;
import io.i2o2.file.FileIoException;
import io.i2o2.file.GroupFile;
import io.i2o2.file.IntFuture;
import io.i2o2.file.IoCallback;
import io.i2o2.file.IoUringConfig;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.i2o2.file.IoUringOpenOption;
import io.i2o2.file.PortableFileEventLoopGroup;
import io.i2o2.uring.Errno;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GroupFile}: one file's ops spread over the loops of a group, on every kind of loop the file API runs on
 * (this library's ring group and portable group; Netty's io_uring loops and NIO loops, where the file API
 * attaches itself), with real files and real loops.
 */
class GroupFileTest {
    private static final int BLOCK = 4096;
    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path dir;
    private final List<EventLoopGroup> groups = new ArrayList<>();

    /** The groups a test runs on: {@code n} loops of one kind. */
    enum Kind {
        /** {@link IoUringFileEventLoopGroup}: a ring per loop. */
        RING((n, config) -> new IoUringFileEventLoopGroup(n, config)),
        /** {@link PortableFileEventLoopGroup}: the portable engine, whatever the machine. */
        PORTABLE((n, config) -> new PortableFileEventLoopGroup(n, config)),
        /** Netty's own io_uring loops, the file API on their rings; the configuration does not apply. */
        NETTY((n, config) -> new MultiThreadIoEventLoopGroup(n, IoUringIoHandler.newFactory())),
        /** Netty's NIO loops, the portable engine attached to each; the configuration does not apply. */
        NIO((n, config) -> new MultiThreadIoEventLoopGroup(n, NioIoHandler.newFactory()));

        private final BiFunction<Integer, IoUringConfig, MultiThreadIoEventLoopGroup> factory;

        Kind(BiFunction<Integer, IoUringConfig, MultiThreadIoEventLoopGroup> factory) {
            this.factory = factory;
        }

        /** Whether an {@link IoUringConfig} reaches its loops. */
        boolean takesConfig() {
            return this == RING || this == PORTABLE;
        }
    }

    /** Every kind that is what it says here: the rings only where this library (and Netty) may use io_uring. */
    static Stream<Kind> kinds() {
        boolean uring = io.i2o2.file.IoUring.isAvailable();
        return Stream.of(Kind.values()).filter(k -> switch (k) {
            case RING -> uring;
            case NETTY -> uring && io.netty.channel.uring.IoUring.isAvailable();
            case PORTABLE, NIO -> true;
        });
    }

    /** Every kind, with 2 and with 4 loops. */
    static Stream<Arguments> kindsAndLoops() {
        return kinds().flatMap(k -> Stream.of(Arguments.of(k, 2), Arguments.of(k, 4)));
    }

    /** The kinds an {@link IoUringConfig} reaches (registered-file slots). */
    static Stream<Kind> configurable() {
        return kinds().filter(Kind::takesConfig);
    }

    @AfterEach
    void shutdown() {
        for (EventLoopGroup g : groups) {
            assertTrue(g.shutdownGracefully(0, 10, TimeUnit.SECONDS).awaitUninterruptibly(WAIT_SECONDS, TimeUnit.SECONDS),
                    g + " did not terminate");
        }
    }

    private MultiThreadIoEventLoopGroup group(Kind kind, int loops, IoUringConfig config) {
        MultiThreadIoEventLoopGroup g = kind.factory.apply(loops, config);
        groups.add(g);
        return g;
    }

    private MultiThreadIoEventLoopGroup group(Kind kind, int loops) {
        return group(kind, loops, IoUringConfig.defaults());
    }

    @ParameterizedTest(name = "{0} x{1}")
    @MethodSource("kindsAndLoops")
    void opsFromAnotherThreadRunOnEveryLoopInTurn(Kind kind, int loops) throws Exception {
        MultiThreadIoEventLoopGroup group = group(kind, loops);
        Path path = dir.resolve("spread");
        GroupFile file = await(GroupFile.open(group, path, Set.of(READ, WRITE, CREATE_NEW), 0600));
        assertEquals(loops, file.loops());
        List<EventExecutor> members = members(group);
        Map<Thread, EventExecutor> loopOf = new HashMap<>();
        for (EventExecutor loop : members) {
            loopOf.put(loop.submit(Thread::currentThread).get(WAIT_SECONDS, TimeUnit.SECONDS), loop);
            assertSame(loop, file.fileOn(loop).io().executor(), "each loop's own file");
        }
        Map<EventExecutor, Long> completedBefore = completed(members);

        int blocks = 2 * loops;
        List<IntFuture> writes = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            ByteBuf src = PooledByteBufAllocator.DEFAULT.directBuffer(BLOCK).writeBytes(pattern(b));
            IntFuture written = file.write(src, (long) b * BLOCK);
            written.addListener(f -> src.release());
            writes.add(written);
        }
        for (IntFuture w : writes) {
            assertEquals(BLOCK, await(w));
        }
        assertEquals(0, await(file.fdatasync()));

        // Reads through the callback form: the callback runs on the thread of the loop that ran the read.
        Map<Thread, Integer> readsOn = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Integer> results = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(blocks);
        ByteBuf[] dsts = new ByteBuf[blocks];
        IoCallback callback = (result, tag) -> {
            readsOn.merge(Thread.currentThread(), 1, Integer::sum);
            results.add(result);
            done.countDown();
        };
        for (int b = 0; b < blocks; b++) {
            dsts[b] = PooledByteBufAllocator.DEFAULT.directBuffer(BLOCK);
            file.read(dsts[b], (long) b * BLOCK, callback, b);
        }
        assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS), "reads not all complete");
        for (int b = 0; b < blocks; b++) {
            byte[] seen = new byte[BLOCK];
            dsts[b].readBytes(seen);
            dsts[b].release();
            assertArrayEquals(pattern(b), seen, "block " + b + " reads back what was written to it");
        }
        assertTrue(results.stream().allMatch(r -> r == BLOCK), "every read read a whole block: " + results);
        assertEquals(loops, readsOn.size(), "the reads ran on every loop: " + readsOn);
        for (Map.Entry<Thread, Integer> e : readsOn.entrySet()) {
            assertTrue(loopOf.containsKey(e.getKey()), e.getKey() + " is one of the group's loops");
            assertEquals(2, e.getValue(), "in turn: each loop ran 2 of the " + blocks + " reads: " + readsOn);
        }
        Map<EventExecutor, Long> completedAfter = completed(members);
        for (EventExecutor loop : members) {
            // 2 writes and 2 reads each, and the fdatasync on one of them.
            long ran = completedAfter.get(loop) - completedBefore.get(loop);
            assertTrue(ran == 4 || ran == 5, loop + " completed " + ran + " ops of this file");
        }
        await(file.close());
        byte[] onDisk = Files.readAllBytes(path);
        assertEquals(blocks * BLOCK, onDisk.length);
        for (int b = 0; b < blocks; b++) {
            assertArrayEquals(pattern(b), Arrays.copyOfRange(onDisk, b * BLOCK, (b + 1) * BLOCK),
                    "block " + b + " on disk");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void opsCalledOnOneOfTheLoopsRunOnThatLoop(Kind kind) throws Exception {
        MultiThreadIoEventLoopGroup group = group(kind, 2);
        Path path = Files.write(dir.resolve("local"), pattern(3));
        GroupFile file = await(GroupFile.open(group, path));
        for (EventExecutor loop : members(group)) {
            Thread loopThread = loop.submit(Thread::currentThread).get(WAIT_SECONDS, TimeUnit.SECONDS);
            Map<EventExecutor, Long> before = completed(members(group));
            List<Thread> ranOn = new CopyOnWriteArrayList<>();    // appended on whichever loop ran the op
            CountDownLatch done = new CountDownLatch(4);
            List<IntFuture> reads = new ArrayList<>();
            List<ByteBuf> dsts = new ArrayList<>();
            loop.submit(() -> {
                for (int i = 0; i < 4; i++) {       // 4 ops: in turn, they would go to both loops
                    ByteBuf dst = PooledByteBufAllocator.DEFAULT.directBuffer(BLOCK);
                    dsts.add(dst);
                    if (i % 2 == 0) {
                        file.read(dst, 0, (result, tag) -> {
                            ranOn.add(Thread.currentThread());
                            done.countDown();
                        }, i);
                    } else {
                        IntFuture read = file.read(dst, 0);
                        read.addListener(f -> {
                            ranOn.add(Thread.currentThread());
                            done.countDown();
                        });
                        reads.add(read);
                    }
                }
            }).get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS), "reads not all complete");
            for (IntFuture r : reads) {
                assertEquals(BLOCK, await(r));
            }
            assertEquals(List.of(loopThread, loopThread, loopThread, loopThread), ranOn,
                    "every op called on " + loop + " ran there, none on another loop");
            Map<EventExecutor, Long> after = completed(members(group));
            for (EventExecutor other : members(group)) {
                assertEquals(other == loop ? 4 : 0, after.get(other) - before.get(other),
                        "ops completed on " + other + " while calling on " + loop);
            }
            for (ByteBuf dst : dsts) {
                byte[] seenBytes = new byte[BLOCK];
                dst.readBytes(seenBytes);
                dst.release();
                assertArrayEquals(pattern(3), seenBytes);
            }
        }
        await(file.close());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void anOpenThatFailsOnEveryLoopFailsTheWhole(Kind kind) throws Exception {
        MultiThreadIoEventLoopGroup group = group(kind, 2);
        Path directory = Files.createDirectory(dir.resolve("a-directory"));
        long before = descriptorsOf(directory);
        Throwable failed = failure(GroupFile.open(group, directory, WRITE));
        FileIoException e = assertInstanceOf(FileIoException.class, failed);
        assertEquals(Errno.EISDIR, e.errno(), e.getMessage());
        assertEquals(before, descriptorsOf(directory), "no descriptor of it is left open");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configurable")
    void anOpenThatFailsOnOneLoopClosesWhatTheOthersOpened(Kind kind) throws Exception {
        // One registered-file slot per loop, and loop 1's taken: the file opens on loop 0, not on loop 1.
        MultiThreadIoEventLoopGroup group = group(kind, 2, IoUringConfig.builder().fixedFileSlots(1).build());
        List<EventExecutor> members = members(group);
        Path other = Files.write(dir.resolve("other"), pattern(1));
        IoUringFile taking = await(FileIo.of(members.get(1)).open(other, READ, IoUringOpenOption.REGISTER));
        assertTrue(taking.isRegistered());
        Path path = Files.write(dir.resolve("registered"), pattern(2));

        Throwable failed = failure(GroupFile.open(group, path, READ, IoUringOpenOption.REGISTER));
        assertInstanceOf(IllegalStateException.class, failed, "loop 1's open was refused: " + failed);
        assertTrue(failed.getMessage().contains("registered-file slots in use"), failed.getMessage());
        assertEquals(0, descriptorsOf(path), "no descriptor of it is left open");
        IoUringFile again = await(FileIo.of(members.get(0)).open(path, READ, IoUringOpenOption.REGISTER));
        assertTrue(again.isRegistered(), "loop 0's only slot came back: its file was closed");
        await(again.close());
        await(taking.close());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void closeIsIdempotentAndOpsAfterItAreRefused(Kind kind) throws Exception {
        MultiThreadIoEventLoopGroup group = group(kind, 2);
        Path path = Files.write(dir.resolve("closing"), pattern(4));
        GroupFile file = await(GroupFile.open(group, path));
        assertTrue(file.isOpen());
        Future<Void> closed = file.close();
        assertSame(closed, file.close(), "every close returns the same future");
        await(closed);
        assertFalse(file.isOpen());
        for (EventExecutor loop : members(group)) {
            assertFalse(file.fileOn(loop).isOpen(), "closed on " + loop);
        }
        assertEquals(0, descriptorsOf(path), "every loop's descriptor is closed");

        ByteBuf dst = PooledByteBufAllocator.DEFAULT.directBuffer(BLOCK);
        ByteBuf src = PooledByteBufAllocator.DEFAULT.directBuffer(BLOCK).writeBytes(pattern(4));
        for (int i = 0; i < 2; i++) {      // on both loops in turn
            assertInstanceOf(ClosedFileException.class, failure(file.read(dst, 0)));
            assertThrows(ClosedFileException.class, () -> file.read(dst, 0, (result, tag) -> { }, 0));
            assertInstanceOf(ClosedFileException.class, failure(file.write(src, 0)));
            assertThrows(ClosedFileException.class, () -> file.write(src, 0, (result, tag) -> { }, 0));
            assertInstanceOf(ClosedFileException.class, failure(file.fsync()));
            assertInstanceOf(ClosedFileException.class, failure(file.fdatasync()));
        }
        assertEquals(1, dst.refCnt(), "a refused op holds nothing");
        assertEquals(1, src.refCnt(), "a refused op holds nothing");
        assertEquals(BLOCK, src.readableBytes(), "nor moves the buffer's indexes");
        dst.release();
        src.release();
        assertSame(closed, file.close());
    }

    @Test
    void badInputIsRefusedClearly() throws Exception {
        MultiThreadIoEventLoopGroup group = group(Kind.PORTABLE, 2);
        Path path = Files.write(dir.resolve("input"), pattern(5));
        assertThrows(NullPointerException.class, () -> GroupFile.open(null, path));
        assertThrows(NullPointerException.class, () -> GroupFile.open(group, null));
        assertThrows(NullPointerException.class, () -> GroupFile.open(group, path, null, 0644));

        DefaultEventLoopGroup plain = new DefaultEventLoopGroup(2);
        groups.add(plain);
        Throwable refused = failure(GroupFile.open(plain, path));
        assertInstanceOf(IllegalArgumentException.class, refused);
        EventExecutor first = plain.iterator().next();
        assertTrue(refused.getMessage().contains(first.toString()), "names the loop: " + refused.getMessage());

        GroupFile file = await(GroupFile.open(group, path));
        assertThrows(NullPointerException.class, () -> file.fileOn(null));
        assertThrows(IllegalArgumentException.class, () -> file.fileOn(plain.next()));
        assertThrows(NullPointerException.class, () -> file.read(null, 0));
        await(file.close());
    }

    // ---- helpers ----

    private static List<EventExecutor> members(EventLoopGroup group) {
        List<EventExecutor> out = new ArrayList<>();
        group.forEach(out::add);
        return out;
    }

    /** Each loop's completed-op count, read on the loop itself: after every completion it has run. */
    private static Map<EventExecutor, Long> completed(List<EventExecutor> loops) throws Exception {
        Map<EventExecutor, Long> out = new HashMap<>();
        for (EventExecutor loop : loops) {
            FileIo io = FileIo.of(loop);
            out.put(loop, loop.submit(() -> io.metrics().completed()).get(WAIT_SECONDS, TimeUnit.SECONDS));
        }
        return out;
    }

    /** This process's open descriptors of {@code path}. */
    private static long descriptorsOf(Path path) throws Exception {
        long n = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).equals(path)) {
                        n++;
                    }
                } catch (java.io.IOException gone) {
                    // closed since the listing (the listing's own descriptor, say)
                }
            }
        }
        return n;
    }

    /** {@code BLOCK} bytes that differ from block to block. */
    private static byte[] pattern(int block) {
        byte[] b = new byte[BLOCK];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (block * 31 + i);
        }
        return b;
    }

    private static <T> T await(Future<T> f) throws Exception {
        assertTrue(f.await(WAIT_SECONDS, TimeUnit.SECONDS), "not complete: " + f);
        if (!f.isSuccess()) {
            throw new AssertionError("failed: " + f.cause(), f.cause());
        }
        return f.getNow();
    }

    private static Throwable failure(Future<?> f) throws Exception {
        assertTrue(f.await(WAIT_SECONDS, TimeUnit.SECONDS), "not complete: " + f);
        assertFalse(f.isSuccess(), "should have failed: " + f);
        return f.cause();
    }
}
