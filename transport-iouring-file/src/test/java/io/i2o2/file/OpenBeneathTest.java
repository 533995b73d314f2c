package io.i2o2.file;

import io.i2o2.uring.Errno;
import io.i2o2.uring.KernelFaults;
import io.i2o2.uring.Opcode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.i2o2.file.FileOpsTest.ALLOC;
import static io.i2o2.file.FileOpsTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The open beneath a directory ({@code openat2}, {@link FileIo#open(IoUringFile, String, Set, int, Set)}) on
 * every loop type: what each {@link Resolve} restriction lets through and what it refuses, with the kernel's
 * errno; what it refuses before submitting; the directory's op reference.
 */
class OpenBeneathTest {
    private static final Set<Resolve> BENEATH = Set.of(Resolve.BENEATH);

    @TempDir
    Path root;
    MultiThreadIoEventLoopGroup group;
    FileIo loop;
    IoUringFile dir;

    @BeforeEach
    void tree() throws Exception {
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/a.txt"), "hello");
        Files.writeString(root.resolveSibling(root.getFileName() + "-outside.txt"), "secret");
        Files.createSymbolicLink(root.resolve("link"), Path.of("sub/a.txt"));
    }

    @AfterEach
    void shutdown() throws Exception {
        if (dir != null) {
            await(dir.close());
        }
        if (group != null) {
            Groups.shutdown(group);
        }
        Files.deleteIfExists(root.resolveSibling(root.getFileName() + "-outside.txt"));
    }

    private void start(Groups type, IoUringConfig config) throws Exception {
        group = type.create(config);
        loop = FileIo.of(group.next());
        dir = await(loop.open(root));
    }

    private void start(Groups type) throws Exception {
        start(type, IoUringConfig.defaults());
    }

    private Future<IoUringFile> open(String path, Set<Resolve> resolve) {
        return loop.open(dir, path, Set.of(), 0, resolve);
    }

    private static String contents(IoUringFile file) throws Exception {
        ByteBuf buf = ALLOC.directBuffer(64);
        try {
            await(file.read(buf, 0));
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
            await(file.close());
        }
    }

    private static int errno(Future<?> f) throws InterruptedException {
        assertTrue(f.await(10, TimeUnit.SECONDS), "open did not complete in 10 s");
        assertFalse(f.isSuccess(), "open succeeded: " + f.getNow());
        return assertInstanceOf(FileIoException.class, f.cause()).errno();
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void opensBeneathTheDirectory(Groups type) throws Exception {
        start(type);
        assertEquals("hello", contents(await(open("sub/a.txt", BENEATH))));
        assertEquals("hello", contents(await(open("sub/../sub/./a.txt", BENEATH))), "'..' that stays inside");
        assertEquals("hello", contents(await(open("link", BENEATH))), "a link that stays inside");
        assertEquals("hello", contents(await(open("sub/a.txt", Set.of()))), "no restriction at all");
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void waysOutAreRefusedWithExdev(Groups type) throws Exception {
        start(type);
        String outside = "../" + root.getFileName() + "-outside.txt";
        assertEquals("secret", contents(await(open(outside, Set.of()))), "without BENEATH '..' leads out");
        assertEquals(Errno.EXDEV, errno(open(outside, BENEATH)), "'..' out of the directory");
        String absolute = root.resolve("sub/a.txt").toString();
        assertEquals(Errno.EXDEV, errno(open(absolute, BENEATH)), "an absolute path, even to a file inside");
        Files.createSymbolicLink(root.resolve("out"), root.resolveSibling(root.getFileName() + "-outside.txt"));
        assertEquals(Errno.EXDEV, errno(open("out", BENEATH)), "a link out");
        FileIoException e = assertInstanceOf(FileIoException.class, open(outside, BENEATH).await().cause());
        assertEquals("openat2", e.op());
        assertTrue(e.getMessage().contains(outside), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void linksAreRefusedWithEloopUnderNoSymlinks(Groups type) throws Exception {
        start(type);
        Set<Resolve> noLinks = Set.of(Resolve.BENEATH, Resolve.NO_SYMLINKS);
        assertEquals(Errno.ELOOP, errno(open("link", noLinks)));
        assertEquals("hello", contents(await(open("sub/a.txt", noLinks))), "no link on the way: opens");
        assertEquals("hello", contents(await(open("link", Set.of(Resolve.BENEATH, Resolve.NO_MAGICLINKS)))),
                "a plain link is no magic link");
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void inRootTreatsSlashAsTheDirectory(Groups type) throws Exception {
        start(type);
        Set<Resolve> inRoot = Set.of(Resolve.IN_ROOT);
        assertEquals("hello", contents(await(open("/sub/a.txt", inRoot))));
        assertEquals("hello", contents(await(open("../../../sub/a.txt", inRoot))), "'..' stops at the root");
        assertEquals(Errno.ENOENT, errno(open("/" + root.getFileName() + "-outside.txt", inRoot)));
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void missingIsEnoentAndCreateUsesTheMode(Groups type) throws Exception {
        start(type);
        assertEquals(Errno.ENOENT, errno(open("sub/missing", BENEATH)));
        // Without CREATE the mode is not sent (the kernel refuses one with EINVAL); with it, it is the new file's.
        await(loop.open(dir, "sub/a.txt", Set.of(), 0644, BENEATH)).close();
        IoUringFile made = await(loop.open(dir, "sub/new", Set.of(StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW), 0600, BENEATH));
        ByteBuf three = ALLOC.directBuffer(3).writeBytes(new byte[] {1, 2, 3});
        assertEquals(3, await(made.write(three, 0)));
        three.release();
        await(made.close());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("sub/new"))));
        assertEquals(Errno.EEXIST, errno(loop.open(dir, "sub/new", Set.of(StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW), 0600, BENEATH)));
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void badArgumentsAreRefusedBeforeSubmission(Groups type) throws Exception {
        start(type);
        assertEquals("directory", assertThrows(NullPointerException.class,
                () -> loop.open(null, "a", Set.of(), 0, BENEATH)).getMessage());
        assertEquals("relativePath", assertThrows(NullPointerException.class,
                () -> loop.open(dir, null, Set.of(), 0, BENEATH)).getMessage());
        assertEquals("options", assertThrows(NullPointerException.class,
                () -> loop.open(dir, "a", null, 0, BENEATH)).getMessage());
        assertEquals("resolve", assertThrows(NullPointerException.class,
                () -> loop.open(dir, "a", Set.of(), 0, null)).getMessage());
        assertInstanceOf(IllegalArgumentException.class, open("sub\0a.txt", BENEATH).await().cause());
        assertInstanceOf(UnsupportedOperationException.class,
                loop.open(dir, "sub/a.txt", Set.of(StandardOpenOption.DELETE_ON_CLOSE), 0, BENEATH).await().cause());
        Future<IoUringFile> register = loop.open(dir, "sub/a.txt", Set.of(IoUringOpenOption.REGISTER), 0, BENEATH);
        // Netty's ring has no registered files; ours were configured without slots.
        Class<? extends RuntimeException> refused = type == Groups.NETTY ? UnsupportedOperationException.class
                : IllegalArgumentException.class;
        assertInstanceOf(refused, register.await().cause());
        assertEquals(0, loop.pendingOps());
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void aClosedDirectoryIsRefusedAndOneClosedMeanwhileStaysOpenForTheOpen(Groups type) throws Exception {
        start(type);
        IoUringFile closing = await(loop.open(root));
        int fd = closing.fd();
        // The open holds a reference from its submission: the close waits for it.
        Future<IoUringFile> inFlight = loop.open(closing, "sub/a.txt", Set.of(), 0, BENEATH);
        Future<IoUringFile> cancelled = loop.open(closing, "sub/a.txt", Set.of(), 0, BENEATH);
        Future<Void> closed = closing.close();
        if (!cancelled.cancel(false)) {
            await(cancelled).close();   // too late to drop: the file it opened is ours to close
        }
        assertEquals("hello", contents(await(inFlight)));
        await(closed);
        assertFalse(root.toRealPath().equals(readLink(fd)),
                "the directory's descriptor is closed once the open is done");
        long refused = loop.metrics().refusedShutdown();
        assertInstanceOf(ClosedFileException.class, loop.open(closing, "sub/a.txt", Set.of(), 0, BENEATH).await()
                .cause());
        assertEquals(refused + 1, loop.metrics().refusedShutdown(), "counted as a claim on a closed file is");
        assertEquals(0, loop.pendingOps());
        assertEquals(java.util.List.of(), LeakDetection.collect());
    }

    private static Path readLink(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd));
        } catch (Exception gone) {
            return null;
        }
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void aListenerGetsAFileItCanRead(Groups type) throws Exception {
        start(type);
        CompletableFuture<String> read = new CompletableFuture<>();
        Promise<IoUringFile> promise = loop.newPromise();
        loop.open(dir, "sub/a.txt", Set.of(), 0, BENEATH, promise).addListener((Future<IoUringFile> f) -> {
            IoUringFile file = f.getNow();
            ByteBuf buf = ALLOC.directBuffer(16);
            file.read(buf, 0).addListener(r -> {
                read.complete(buf.toString(StandardCharsets.UTF_8) + (loop.executor().inEventLoop() ? "@loop" : ""));
                buf.release();
                file.close();
            });
        });
        assertEquals("hello@loop", read.get(10, TimeUnit.SECONDS));
    }

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void theDirectoryMayBeAFileOfAnotherLoop(Groups type) throws Exception {
        start(type);
        MultiThreadIoEventLoopGroup other = type.create();
        try {
            FileIo there = FileIo.of(other.next());
            IoUringFile file = await(there.open(dir, "sub/a.txt", Set.of(), 0, BENEATH));
            assertEquals(other.next(), file.io().executor(), "the file is of the loop that opened it");
            assertEquals("hello", contents(file));
            assertEquals(Errno.EXDEV, errno(there.open(dir, "../x", Set.of(), 0, BENEATH)));
        } finally {
            Groups.shutdown(other);
        }
    }

    // Not NETTY: the KernelFaults seam and registered files are our rings' own.
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#both")
    void aKernelWithoutOpenat2FailsWithTheRingsEinval(Groups type) throws Exception {
        start(type, IoUringConfig.builder().faults(KernelFaults.plan().hideOpcode(Opcode.OPENAT2)).build());
        FileIoException e = assertInstanceOf(FileIoException.class, open("sub/a.txt", BENEATH).await().cause());
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("IORING_OP_OPENAT2"), e.getMessage());
        assertEquals(0, loop.pendingOps());
    }

    // Not NETTY (registration needs the ring's descriptor), not NIO (it takes no IoUringConfig to ask for slots);
    // on PORTABLE the slots are emulated, a table of descriptors.
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#configurable")
    void registerPutsTheFileInASlot(Groups type) throws Exception {
        start(type, IoUringConfig.builder().fixedFileSlots(2).build());
        IoUringFile file = await(loop.open(dir, "sub/a.txt", Set.of(IoUringOpenOption.REGISTER), 0, BENEATH));
        assertTrue(file.isRegistered());
        assertEquals("hello", contents(file));
    }

    @SuppressWarnings("deprecation")
    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void openat2KeepsWorkingOverTheNewOp(Groups type) throws Exception {
        start(type);
        Promise<Integer> raw = loop.newPromise();
        int fd = await(Openat2.open(loop, dir.fd(), "sub/a.txt", Openat2.O_RDONLY | Openat2.O_CLOEXEC, 0,
                Openat2.RESOLVE_BENEATH, raw));
        assertEquals("hello", contents(IoUringFile.wrap(loop, fd, true)), "the descriptor stayed open, and is ours");
        Promise<IoUringFile> file = loop.newPromise();
        assertEquals("hello", contents(await(Openat2.openFile(loop, dir.fd(), "link", Openat2.O_RDONLY,
                Openat2.RESOLVE_BENEATH, file))));
        assertEquals(Errno.ELOOP, errno(Openat2.openFile(loop, dir.fd(), "link", Openat2.O_RDONLY,
                Openat2.RESOLVE_NO_SYMLINKS, loop.newPromise())));
    }
}
