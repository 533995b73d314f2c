package io.i2o2.testsuite.reliability;

import io.i2o2.file.AlignedBuffers;
import io.i2o2.file.BatchedOps;
import io.i2o2.file.EngineChoice;
import io.i2o2.file.FileIo;
import io.i2o2.file.FileIoException;
import io.i2o2.file.FileStat;
import io.i2o2.file.IoEngine;
import io.i2o2.file.IoUring;
import io.i2o2.file.IoUringConfig;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.i2o2.file.IoUringOpenOption;
import io.i2o2.file.LinkedOps;
import io.i2o2.file.PortableFileEventLoopGroup;
import io.i2o2.file.Resolve;
import io.i2o2.uring.Errno;
import io.i2o2.uring.Linux;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The portable engine must answer exactly as the ring does: the same random op sequences run on an io_uring loop
 * and on a portable loop, each in a fresh directory of identical content, one op at a time; each op's outcome
 * (its result, or the exception's class and, for a {@link FileIoException}, its errno; a read also what it
 * read) must match, and so must the whole tree at the end (names, types, sizes, contents, permissions, link
 * targets). The same sequences also run on the portable engine attached to a NIO loop against the portable
 * group, which must agree too (that comparison runs everywhere, io_uring or not).
 *
 * <p>Ops: open with random options (CREATE, CREATE_NEW, TRUNCATE_EXISTING, APPEND, DIRECT, NOATIME, SYNC,
 * DSYNC, REGISTER) and modes, the open beneath a directory ({@code openat2}, with and without {@link Resolve}
 * restrictions, from the root or from whatever file a slot holds), read and write at random offsets and
 * lengths (past EOF, negative, misaligned for O_DIRECT), readv and writev, reads and writes of
 * {@code CompositeByteBuf}s, fsync, fdatasync, sync_file_range, fallocate (0, KEEP_SIZE, PUNCH_HOLE|KEEP_SIZE,
 * PUNCH_HOLE alone, ZERO_RANGE, COLLAPSE_RANGE), ftruncate, fadvise (an invalid advice too), stat of a file and
 * of a path, delete, rmdir, rename (0, NOREPLACE, EXCHANGE), mkdir, close, batches of reads and syncs, and
 * linked chains of reads, writes, syncs and a link timeout (a failed or short link cancels the rest); the paths include missing ones,
 * directories, a path through a file, symlinks (one leading out of the root), so errors (ENOENT, EISDIR,
 * ENOTDIR, EEXIST, EBADF, EXDEV, ELOOP, ClosedFileException, ...) come up all the time.
 *
 * <p>Seeded: the seed of the run is printed, and a failure names it and the sequence; rerun with
 * {@code -Di2o2.diff.seed=SEED} (and {@code -Di2o2.diff.sequences}, {@code -Di2o2.diff.ops} to change the size).
 */
class EngineDifferentialTest {
    static final int SEQUENCES = Integer.getInteger("i2o2.diff.sequences", 20);
    static final int OPS = Integer.getInteger("i2o2.diff.ops", 100);
    static final long SEED = Long.getLong("i2o2.diff.seed", new Random().nextLong());
    /** File handles a sequence juggles. */
    static final int SLOTS = 5;
    /** Paths the ops pick from, relative to the root: files, directories, missing ones, one through a file. */
    static final List<String> PATHS = List.of("f0", "f1", "f2", "d0", "d0/f3", "d0/d2", "d1", "d1/f4", "link",
            "escape", "nope", "nope/f", "f0/x");
    /** Paths the open beneath a directory takes: all of the above and ways out of it. */
    static final List<String> RELATIVE = Stream.concat(PATHS.stream(),
            Stream.of("../outside", "/f0", "d0/../f1", "./f1", "d0/../../outside", "")).toList();
    static final List<Set<Resolve>> RESOLVES = List.of(Set.of(), Set.of(Resolve.BENEATH), Set.of(Resolve.IN_ROOT),
            Set.of(Resolve.NO_SYMLINKS), Set.of(Resolve.BENEATH, Resolve.NO_SYMLINKS), Set.of(Resolve.NO_MAGICLINKS));
    static final List<OpenOption> OPTIONAL = List.of(StandardOpenOption.CREATE, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.APPEND, IoUringOpenOption.DIRECT,
            IoUringOpenOption.NOATIME, StandardOpenOption.SYNC, StandardOpenOption.DSYNC, IoUringOpenOption.REGISTER);

    @TempDir
    Path tmp;

    /**
     * Ring against portable: {@link IoUringFileEventLoopGroup} forced onto io_uring against
     * {@link PortableFileEventLoopGroup}. Skipped (said aloud) where io_uring is unavailable: the ring side cannot run.
     */
    @Test
    void ringAndPortableAnswerAlike() throws Exception {
        if (!IoUring.isAvailable()) {
            System.out.println("SKIPPED EngineDifferentialTest.ringAndPortableAnswerAlike: io_uring is unavailable "
                    + "here, so the ring side cannot run: " + IoUring.unavailabilityCause());
        }
        Assumptions.assumeTrue(IoUring.isAvailable(), () -> "io_uring is unavailable here, so the ring side "
                + "cannot run: " + IoUring.unavailabilityCause());
        // Three registered-file slots on each (emulated on the portable engine), fewer than the sequences' five
        // handles, so REGISTER opens also run out of slots; two registered buffers for readFixed and writeFixed.
        compare(() -> new IoUringFileEventLoopGroup(1, IoUringConfig.builder().engine(EngineChoice.IO_URING)
                .fixedFileSlots(3).fixedBuffers(2, 16384).build()), IoEngine.RING_SQE64,
                () -> new PortableFileEventLoopGroup(1, IoUringConfig.builder().fixedFileSlots(3)
                        .fixedBuffers(2, 16384).build()), IoEngine.PORTABLE);
    }

    /**
     * The portable engine attached to a NIO loop against the portable group: runs everywhere. Both with the
     * default configuration (a NIO loop takes no other), so without registered-file slots: REGISTER is refused.
     */
    @Test
    void nioAttachedAndPortableGroupAnswerAlike() throws Exception {
        compare(() -> new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()), IoEngine.PORTABLE,
                () -> new PortableFileEventLoopGroup(1), IoEngine.PORTABLE);
    }

    /**
     * The comparison itself: a side whose starting content differs by one byte of a file and the permissions of
     * another (which no op can change) is caught, op by op or in the final trees.
     */
    @Test
    void aDifferenceIsCaught() throws Exception {
        MultiThreadIoEventLoopGroup group = new PortableFileEventLoopGroup(1);
        try {
            FileIo io = FileIo.of(group.next());
            Side b = new Side("B", io, tmp.resolve("b"));
            b.perturbed = true;
            AssertionFailedError caught = assertThrows(AssertionFailedError.class, () -> runSequence(SEED, 0,
                    new Side("A", io, tmp.resolve("a")), b, new TreeMap<>()));
            assertTrue(caught.getMessage().contains("-Di2o2.diff.seed=" + SEED), caught.getMessage());
        } finally {
            Kit.shutdown(group);
        }
    }

    interface GroupFactory {
        MultiThreadIoEventLoopGroup create();
    }

    private void compare(GroupFactory first, IoEngine firstEngine, GroupFactory second, IoEngine secondEngine)
            throws Exception {
        System.out.printf("engine differential: seed %d (-Di2o2.diff.seed=%d), %d sequences of %d ops%n", SEED, SEED,
                SEQUENCES, OPS);
        MultiThreadIoEventLoopGroup a = first.create();
        MultiThreadIoEventLoopGroup b = second.create();
        long started = System.nanoTime();
        long[] ops = new long[1];
        TreeMap<String, Integer> seen = new TreeMap<>();
        try {
            FileIo ioA = FileIo.of(a.next());
            FileIo ioB = FileIo.of(b.next());
            assertSame(firstEngine, ioA.engine(), ioA.toString());
            assertSame(secondEngine, ioB.engine(), ioB.toString());
            Random seeds = new Random(SEED);
            for (int s = 0; s < SEQUENCES; s++) {
                long seed = seeds.nextLong();
                Path dir = Files.createDirectory(tmp.resolve("seq" + s));
                ops[0] += runSequence(seed, s, new Side("A " + ioA.engine(), ioA, dir.resolve("a")),
                        new Side("B " + ioB.engine(), ioB, dir.resolve("b")), seen);
            }
        } finally {
            Kit.shutdown(a);
            Kit.shutdown(b);
        }
        System.out.printf("engine differential: %d ops on each side agreed in %d ms; outcomes: %s%n", ops[0],
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), seen);
    }

    /** Runs one sequence on both sides, op by op, and compares the trees; the count of ops. */
    private static int runSequence(long seed, int index, Side a, Side b, TreeMap<String, Integer> seen)
            throws Exception {
        a.setUp();
        b.setUp();
        Random rnd = new Random(seed);
        Deque<String> history = new ArrayDeque<>();
        String where = "seed " + SEED + " (-Di2o2.diff.seed=" + SEED + "), sequence " + index + " (its own seed "
                + seed + ")";
        try {
            for (int i = 0; i < OPS; i++) {
                Op op = next(rnd, a);
                String outA = a.apply(op);
                String outB = b.apply(op);
                seen.merge(kind(op, outA), 1, Integer::sum);
                history.addLast(i + ": " + op.name + " -> " + outA);
                if (history.size() > 25) {
                    history.removeFirst();
                }
                if (!outA.equals(outB)) {
                    fail("the engines disagree at op " + i + " of " + where + ": " + op.name + "\n  " + a.name + ": "
                            + outA + "\n  " + b.name + ": " + outB + "\nthe ops before it:\n  "
                            + String.join("\n  ", history));
                }
            }
        } finally {
            a.tearDown();
            b.tearDown();
        }
        assertEquals(tree(a.base), tree(b.base), "the trees differ at the end of " + where + "; the last ops:\n  "
                + String.join("\n  ", history));
        return OPS;
    }

    /** An op's kind and how it ended, for the tally of what the sequences covered: "read ok", "open ENOENT". */
    private static String kind(Op op, String outcome) {
        String name = op.name.substring(0, op.name.indexOf(' '));
        outcome = outcome.substring(outcome.lastIndexOf("; ") + 1).strip();     // an open's own outcome
        String end = outcome.startsWith("ok") ? "ok" : outcome.replaceAll("[:(].*", "").strip()
                .replace("FileIoException ", "").replaceAll(".*\\.", "").replace("Exception", "");
        return name + " " + end;
    }

    // ---- the ops ----

    /** One op, its parameters drawn already: applied to each side alike. */
    record Op(String name, SideOp body) {
    }

    @FunctionalInterface
    interface SideOp {
        String run(Side side) throws Exception;
    }

    /**
     * The next op, drawn from {@code rnd}; which slot it uses leans on what the first side holds (the same as the
     * other side's, or the sequence has failed already): opens go mostly to free slots, the rest mostly to open
     * files, and a read or write of an O_DIRECT file is mostly aligned, so that most ops reach the engines.
     */
    private static Op next(Random rnd, Side state) {
        List<Integer> open = new ArrayList<>();
        List<Integer> free = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            (state.slots[i] != null && state.slots[i].isOpen() ? open : free).add(i);
        }
        int pick = rnd.nextInt(100);
        List<Integer> preferred = pick < 20 ? free : open;
        int slot = !preferred.isEmpty() && rnd.nextInt(5) != 0 ? preferred.get(rnd.nextInt(preferred.size()))
                : rnd.nextInt(SLOTS);
        boolean direct = state.slots[slot] != null && state.slots[slot].isOpen() && state.slots[slot].isDirect();
        if (pick < 12) {
            String path = PATHS.get(rnd.nextInt(PATHS.size()));
            Set<OpenOption> options = options(rnd);
            int mode = rnd.nextInt(6) == 0 ? 0400 : 0640;
            return new Op("open #" + slot + " " + path + " " + options + " " + Integer.toOctalString(mode),
                    s -> s.open(slot, s.io.open(s.root.resolve(path), options, mode)));
        }
        if (pick < 20) {
            String path = RELATIVE.get(rnd.nextInt(RELATIVE.size()));
            Set<OpenOption> options = options(rnd);
            Set<Resolve> resolve = RESOLVES.get(rnd.nextInt(RESOLVES.size()));
            int from = rnd.nextInt(4) == 0 ? rnd.nextInt(SLOTS) : -1;
            return new Op("openat2 #" + slot + " from " + (from < 0 ? "root" : "#" + from) + " '" + path + "' "
                    + options + " " + resolve, s -> {
                IoUringFile dir = from < 0 ? s.rootDir : s.slots[from];
                if (dir == null) {
                    return "no directory in that slot";
                }
                return s.open(slot, s.io.open(dir, path, options, 0644, resolve));
            });
        }
        if (pick < 30) {
            IoArgs io = ioArgs(rnd, direct);
            return new Op("read #" + slot + " " + io, s -> s.withFile(slot, f -> s.read(f, io, false)));
        }
        if (pick < 42) {
            IoArgs io = ioArgs(rnd, direct);
            return new Op("write #" + slot + " " + io, s -> s.withFile(slot, f -> s.write(f, io, false)));
        }
        if (pick < 46) {
            IoArgs io = ioArgs(rnd, direct);
            return new Op("readv #" + slot + " " + io, s -> s.withFile(slot, f -> s.read(f, io, true)));
        }
        if (pick < 50) {
            IoArgs io = ioArgs(rnd, direct);
            return new Op("writev #" + slot + " " + io, s -> s.withFile(slot, f -> s.write(f, io, true)));
        }
        if (pick < 51) {
            IoArgs io = ioArgs(rnd, direct);
            boolean write = rnd.nextBoolean();
            return new Op((write ? "writeFixed #" : "readFixed #") + slot + " " + io,
                    s -> s.withFile(slot, f -> s.fixed(f, io, write)));
        }
        if (pick < 52) {
            return new Op("fsync #" + slot, s -> s.withFile(slot, f -> outcome(f.fsync())));
        }
        if (pick < 54) {
            return new Op("fdatasync #" + slot, s -> s.withFile(slot, f -> outcome(f.fdatasync())));
        }
        if (pick < 56) {
            long offset = rnd.nextInt(4) == 0 ? -1 : rnd.nextInt(1 << 16);
            int length = rnd.nextInt(1 << 15);
            int flags = List.of(Linux.SYNC_FILE_RANGE_WRITE, Linux.SYNC_FILE_RANGE_WRITE_AND_WAIT, 0, 0x80)
                    .get(rnd.nextInt(4));
            return new Op("sync_file_range #" + slot + " " + offset + "+" + length + " flags " + flags,
                    s -> s.withFile(slot, f -> outcome(f.syncFileRange(offset, length, flags))));
        }
        if (pick < 62) {
            int mode = List.of(0, Linux.FALLOC_FL_KEEP_SIZE, Linux.FALLOC_FL_PUNCH_HOLE | Linux.FALLOC_FL_KEEP_SIZE,
                    Linux.FALLOC_FL_PUNCH_HOLE, Linux.FALLOC_FL_ZERO_RANGE, Linux.FALLOC_FL_COLLAPSE_RANGE)
                    .get(rnd.nextInt(6));
            boolean aligned = rnd.nextBoolean();
            long offset = aligned ? 4096L * rnd.nextInt(20) : rnd.nextInt(80_000);
            long length = aligned ? 4096L * (1 + rnd.nextInt(4)) : rnd.nextInt(5) == 0 ? 0 : rnd.nextInt(20_000);
            return new Op("fallocate #" + slot + " mode " + mode + " " + offset + "+" + length,
                    s -> s.withFile(slot, f -> outcome(f.fallocate(mode, offset, length))));
        }
        if (pick < 66) {
            long length = rnd.nextInt(5) == 0 ? 0 : rnd.nextInt(30) == 0 ? 1L << 50 : rnd.nextInt(90_000);
            return new Op("truncate #" + slot + " " + length, s -> s.withFile(slot, f -> {
                if (!s.io.supportsOpcode("FTRUNCATE")) {
                    return "no FTRUNCATE";
                }
                return outcome(f.truncate(length));
            }));
        }
        if (pick < 68) {
            long offset = rnd.nextInt(1 << 16);
            int length = rnd.nextInt(1 << 16);
            int advice = List.of(Linux.POSIX_FADV_NORMAL, Linux.POSIX_FADV_SEQUENTIAL, Linux.POSIX_FADV_RANDOM,
                    Linux.POSIX_FADV_WILLNEED, Linux.POSIX_FADV_DONTNEED, 99).get(rnd.nextInt(6));
            return new Op("fadvise #" + slot + " " + offset + "+" + length + " " + advice,
                    s -> s.withFile(slot, f -> outcome(f.fadvise(offset, length, advice))));
        }
        if (pick < 72) {
            return new Op("stat #" + slot, s -> s.withFile(slot, f -> outcome(f.stat(), st -> stat((FileStat) st))));
        }
        if (pick < 76) {
            String path = PATHS.get(rnd.nextInt(PATHS.size()));
            return new Op("stat " + path, s -> outcome(s.io.stat(s.root.resolve(path)), st -> stat((FileStat) st)));
        }
        if (pick < 80) {
            String path = PATHS.get(rnd.nextInt(PATHS.size()));
            boolean dir = rnd.nextInt(3) == 0;
            return new Op((dir ? "rmdir " : "delete ") + path, s -> outcome(dir
                    ? s.io.deleteDirectory(s.root.resolve(path)) : s.io.delete(s.root.resolve(path))));
        }
        if (pick < 86) {
            String from = PATHS.get(rnd.nextInt(PATHS.size()));
            String to = PATHS.get(rnd.nextInt(PATHS.size()));
            int flags = List.of(0, Linux.RENAME_NOREPLACE, Linux.RENAME_EXCHANGE).get(rnd.nextInt(3));
            return new Op("rename " + from + " " + to + " flags " + flags,
                    s -> outcome(s.io.rename(s.root.resolve(from), s.root.resolve(to), flags)));
        }
        if (pick < 88 && !open.isEmpty()) {
            List<Link> links = new ArrayList<>();
            for (int n = 2 + rnd.nextInt(3); links.size() < n; ) {
                // Link timeouts anywhere, also first or right after another: both engines refuse those alike
                // (LinkedOps, before the kernel's EINVAL; EngineAgreementsTest).
                int kind = rnd.nextInt(5);
                int on = open.get(rnd.nextInt(open.size()));
                IoArgs args = ioArgs(rnd, state.slots[on].isDirect());
                // Composite buffers too: a short READV or WRITEV breaks a chain on both engines (EngineAgreementsTest).
                links.add(new Link(kind, on, args));
            }
            if (rnd.nextBoolean()) {
                return new Op("chain " + links, s -> s.chain(links));
            }
            // A batch of the same links, each on its own: reads and syncs only, whose outcomes do not depend on
            // the order the engine runs them in (writes beside reads of the same bytes would).
            List<Link> batched = links.stream().filter(l -> l.kind() != 1 && l.kind() != 4).toList();
            return new Op("batch " + batched, s -> s.batch(batched));
        }
        if (pick < 91) {
            String path = PATHS.get(rnd.nextInt(PATHS.size()));
            int mode = rnd.nextBoolean() ? 0755 : 0700;
            return new Op("mkdir " + path + " " + Integer.toOctalString(mode),
                    s -> outcome(s.io.createDirectory(s.root.resolve(path), mode)));
        }
        return new Op("close #" + slot, s -> s.withFile(slot, f -> outcome(f.close())));
    }

    /**
     * A link of a chain: a read (0) or write (1) of {@code io} on the file in {@code slot}, an fsync (2) or
     * fdatasync (3) of it, or (4) a timeout of 10 s on the link before, which that link always beats (its result
     * is then ECANCELED on both engines).
     */
    record Link(int kind, int slot, IoArgs io) {
        @Override
        public String toString() {
            return List.of("read", "write", "fsync", "fdatasync", "timeoutPrevious").get(kind)
                    + (kind == 4 ? "" : " #" + slot) + (kind < 2 ? " " + io : "");
        }
    }

    private static Set<OpenOption> options(Random rnd) {
        Set<OpenOption> options = new HashSet<>();
        switch (rnd.nextInt(4)) {
            case 0 -> options.add(StandardOpenOption.READ);
            case 1 -> options.add(StandardOpenOption.WRITE);
            case 2 -> {
                options.add(StandardOpenOption.READ);
                options.add(StandardOpenOption.WRITE);
            }
            default -> { }
        }
        for (OpenOption o : OPTIONAL) {
            if (rnd.nextInt(o == StandardOpenOption.CREATE ? 2 : 6) == 0) {
                options.add(o);
            }
        }
        return options;
    }

    /**
     * Where and how much a read or write moves: {@code aligned} ones are whole 4 KiB blocks (what O_DIRECT
     * takes), others any offset (negative ones too) and any length (0 too); {@code pieces} buffers (readv,
     * writev, or the components of a composite buffer); the bytes a write sends are drawn from {@code data}.
     */
    record IoArgs(long offset, int length, int pieces, boolean composite, long data) {
        @Override
        public String toString() {
            return offset + "+" + length + (pieces > 1 ? " in " + pieces + (composite ? " components" : " buffers")
                    : "");
        }
    }

    private static IoArgs ioArgs(Random rnd, boolean direct) {
        boolean aligned = rnd.nextInt(direct ? 5 : 3) < (direct ? 4 : 1);
        long offset;
        int length;
        if (aligned) {
            offset = 4096L * rnd.nextInt(24);
            length = 4096 * (1 + rnd.nextInt(4));
        } else {
            int far = rnd.nextInt(40);
            // Now and then a negative offset, one past the largest file (EFBIG for a write, EOF for a read), or
            // one whose end overflows.
            offset = far == 0 ? -1 - rnd.nextInt(4096) : far == 1 ? 1L << 50 : far == 2 ? Long.MAX_VALUE - 100
                    : rnd.nextInt(90_000);
            length = rnd.nextInt(40) == 0 ? 0 : 1 + rnd.nextInt(rnd.nextBoolean() ? 600 : 20_000);
        }
        int pieces = rnd.nextInt(3) == 0 ? 2 + rnd.nextInt(2) : 1;
        pieces = Math.max(1, Math.min(pieces, aligned ? length / 4096 : length));   // no piece left empty
        return new IoArgs(offset, length, pieces, rnd.nextBoolean(), rnd.nextLong());
    }

    // ---- outcomes ----

    private static String outcome(Future<?> f) throws InterruptedException {
        return outcome(f, String::valueOf);
    }

    private static String outcome(Future<?> f, Function<Object, String> value) throws InterruptedException {
        if (!f.await(Kit.HANG_SECONDS, TimeUnit.SECONDS)) {
            fail("hang: not complete after " + Kit.HANG_SECONDS + " s: " + f);
        }
        return f.isSuccess() ? "ok " + value.apply(f.getNow()) : failure(f.cause());
    }

    /**
     * A failure as the engines must agree on it: a {@link FileIoException}'s errno first, then (as for any other
     * exception) its class and message with what names a particular loop or descriptor masked
     * ({@link MisuseTest#shape}).
     */
    static String failure(Throwable t) {
        return t instanceof FileIoException e ? "FileIoException " + Errno.name(e.errno()) + " (" + MisuseTest.shape(t)
                + ")" : MisuseTest.shape(t);
    }

    /** What a stat must agree on: all but the inode and times, which differ between the sides' own files. */
    private static String stat(FileStat st) {
        return "mode " + Integer.toOctalString(st.mode()) + " nlink " + st.nlink() + " size " + st.size() + " uid "
                + st.uid() + " gid " + st.gid() + " blksize " + st.blockSize() + " dio " + st.dioMemAlign() + "/"
                + st.dioOffsetAlign() + " birth " + (st.birthTime() != null);
    }

    private static String crc(ByteBuf buf) {
        CRC32 crc = new CRC32();
        crc.update(buf.nioBuffer());
        return buf.readableBytes() + " bytes crc " + Long.toHexString(crc.getValue());
    }

    /** One engine's side of a sequence: its loop, its directory, its open files. */
    static final class Side {
        final String name;
        final FileIo io;
        /** The side's own directory: the root and a file beside it that a way out of the root reaches. */
        final Path base;
        final Path root;
        final IoUringFile[] slots = new IoUringFile[SLOTS];
        IoUringFile rootDir;
        /** Starts from slightly different content: for the test of the comparison. */
        boolean perturbed;

        Side(String name, FileIo io, Path base) {
            this.name = name;
            this.io = io;
            this.base = base;
            this.root = base.resolve("root");
        }

        /** The starting content, the same on every side. */
        void setUp() throws Exception {
            Files.createDirectories(root.resolve("d0"));
            Files.createDirectory(root.resolve("d1"));
            Random content = new Random(42);
            Files.write(root.resolve("f0"), bytes(content, 8192));
            Files.write(root.resolve("f1"), bytes(content, 100));
            Files.write(root.resolve("d0/f3"), bytes(content, 5000));
            Files.setPosixFilePermissions(root.resolve("f1"), PosixFilePermissions.fromString("rw-------"));
            Files.createSymbolicLink(root.resolve("link"), Path.of("f0"));
            Files.createSymbolicLink(root.resolve("escape"), Path.of("../outside"));
            Files.write(base.resolve("outside"), bytes(content, 300));
            if (perturbed) {
                byte[] f0 = Files.readAllBytes(root.resolve("f0"));
                f0[100]++;
                Files.write(root.resolve("f0"), f0);
                Files.setPosixFilePermissions(base.resolve("outside"), PosixFilePermissions.fromString("rw-------"));
            }
            rootDir = Kit.await(io.open(root));
        }

        void tearDown() throws Exception {
            for (int i = 0; i < SLOTS; i++) {
                if (slots[i] != null) {
                    Kit.awaitOutcome(slots[i].close());
                    slots[i] = null;
                }
            }
            Kit.await(rootDir.close());
        }

        /** The op's outcome on this side, the side's own directory named BASE in messages (numbers masked too). */
        String apply(Op op) {
            String out;
            try {
                out = op.body.run(this);
            } catch (Throwable t) {
                out = "threw " + failure(t);
            }
            return out.replace(base.toString().replaceAll("\\d+", "#"), "BASE");
        }

        String open(int slot, Future<IoUringFile> opening) throws Exception {
            String closedBefore = slots[slot] != null && slots[slot].isOpen() ? "closed the old: "
                    + outcome(slots[slot].close()) + "; " : "";
            String out = outcome(opening, f -> "direct " + ((IoUringFile) f).isDirect());
            slots[slot] = opening.isSuccess() ? opening.getNow() : null;
            return closedBefore + out;
        }

        String withFile(int slot, SideFileOp body) throws Exception {
            IoUringFile f = slots[slot];
            return f == null ? "empty slot" : body.run(f);
        }

        String read(IoUringFile f, IoArgs io, boolean vectored) throws Exception {
            List<ByteBuf> bufs = buffers(io, false);
            ByteBuf[] array = bufs.toArray(ByteBuf[]::new);
            ByteBuf composite = !vectored && array.length > 1 ? composite(array, false) : null;
            try {
                Future<?> r = vectored ? f.readv(io.offset(), array)
                        : f.read(composite != null ? composite : array[0], io.offset());
                String out = outcome(r);
                if (!r.isSuccess()) {
                    return out;
                }
                // What was read: the composite's bytes, or each buffer's in order.
                ByteBuf all = Kit.ALLOC.directBuffer();
                try {
                    for (ByteBuf b : composite != null ? List.of(composite) : bufs) {
                        all.writeBytes(b, b.readerIndex(), b.readableBytes());
                    }
                    return out + " " + crc(all);
                } finally {
                    all.release();
                }
            } finally {
                release(bufs, composite);
            }
        }

        String write(IoUringFile f, IoArgs io, boolean vectored) throws Exception {
            List<ByteBuf> bufs = buffers(io, true);
            ByteBuf[] array = bufs.toArray(ByteBuf[]::new);
            ByteBuf composite = !vectored && array.length > 1 ? composite(array, true) : null;
            try {
                return outcome(vectored ? f.writev(io.offset(), array)
                        : f.write(composite != null ? composite : array[0], io.offset()));
            } finally {
                release(bufs, composite);
            }
        }

        /**
         * A read or write through a registered buffer of the loop (up to its 16 KiB), or what the loop says when it
         * has none (NIO and the portable group with the default configuration).
         */
        String fixed(IoUringFile f, IoArgs args, boolean write) throws Exception {
            ByteBuf b;
            try {
                b = io.fixedBuffers().tryAcquire();
            } catch (RuntimeException none) {
                return "no registered buffers: " + failure(none);
            }
            if (b == null) {
                return "every registered buffer in use";
            }
            try {
                int n = Math.min(Math.max(args.length(), 1), b.capacity());
                if (write) {
                    b.writeBytes(bytes(new Random(args.data()), n));
                    return outcome(f.writeFixed(b, args.offset()));
                }
                int start = b.capacity() - n;       // n writable bytes at the end (a block boundary for whole blocks)
                b.writerIndex(start).readerIndex(start);
                Future<Integer> r = f.readFixed(b, args.offset());
                String out = outcome(r);
                return r.isSuccess() ? out + " " + crc(b) : out;
            } finally {
                b.release();
            }
        }

        /** A chain of links, submitted at once; each link's outcome in order (a read's with what it read). */
        String chain(List<Link> links) throws Exception {
            LinkedOps chain = io.link();
            List<Future<?>> futures = new ArrayList<>();
            List<ByteBuf> reads = new ArrayList<>();
            List<ByteBuf> all = new ArrayList<>();
            for (Link l : links) {
                IoUringFile f = slots[l.slot()];
                ByteBuf b = l.kind() < 2 ? buffers(l.io(), l.kind() == 1).get(0) : null;
                if (b != null) {
                    all.add(b);
                }
                reads.add(l.kind() == 0 ? b : null);
                futures.add(switch (l.kind()) {
                    case 0 -> chain.read(f, b, l.io().offset());
                    case 1 -> chain.write(f, b, l.io().offset());
                    case 2 -> chain.fsync(f);
                    case 3 -> chain.fdatasync(f);
                    default -> chain.timeoutPrevious(10, TimeUnit.SECONDS);
                });
            }
            chain.submit();
            try {
                List<String> outcomes = new ArrayList<>();
                for (int i = 0; i < futures.size(); i++) {
                    String out = outcome(futures.get(i));
                    outcomes.add(reads.get(i) != null && futures.get(i).isSuccess() ? out + " " + crc(reads.get(i))
                            : out);
                }
                return String.join(" | ", outcomes);
            } finally {
                release(all, null);
            }
        }

        /**
         * A batch of reads and syncs, submitted at once; each op's outcome in order (a read's with what it read), and
         * the batch's.
         */
        String batch(List<Link> ops) throws Exception {
            BatchedOps batch = io.batch();
            List<Future<?>> futures = new ArrayList<>();
            List<ByteBuf> reads = new ArrayList<>();
            for (Link l : ops) {
                IoUringFile f = slots[l.slot()];
                ByteBuf b = l.kind() == 0 ? buffers(l.io(), false).get(0) : null;
                reads.add(b);
                futures.add(switch (l.kind()) {
                    case 0 -> batch.read(f, b, l.io().offset());
                    case 2 -> batch.fsync(f);
                    default -> batch.fdatasync(f);
                });
            }
            Future<Void> all = batch.submit();
            try {
                List<String> outcomes = new ArrayList<>();
                for (int i = 0; i < futures.size(); i++) {
                    String out = outcome(futures.get(i));
                    outcomes.add(reads.get(i) != null && futures.get(i).isSuccess() ? out + " " + crc(reads.get(i))
                            : out);
                }
                outcomes.add("batch " + outcome(all));
                return String.join(" | ", outcomes);
            } finally {
                release(reads.stream().filter(java.util.Objects::nonNull).toList(), null);
            }
        }

        /**
         * The buffers of a read or write, none empty (but for a length of 0): 4 KiB-aligned memory, and for an
         * aligned op whole blocks each, so that it suits O_DIRECT.
         */
        private static List<ByteBuf> buffers(IoArgs io, boolean filled) {
            Random data = new Random(io.data());
            List<ByteBuf> bufs = new ArrayList<>();
            int left = io.length();
            boolean blocks = io.length() % 4096 == 0;
            for (int i = 0; i < io.pieces(); i++) {
                int share = left / (io.pieces() - i);
                int n = i == io.pieces() - 1 ? left : blocks ? share / 4096 * 4096 : share;
                left -= n;
                ByteBuf b = AlignedBuffers.allocate(Math.max(n, 1), 4096);
                if (n == 0) {
                    b.writeByte(0).readerIndex(1);  // neither readable nor writable bytes: refused by both
                } else if (filled) {
                    b.writeBytes(bytes(data, n));
                }
                bufs.add(b);
            }
            return bufs;
        }

        /**
         * The parts as one {@code CompositeByteBuf}: to write, their readable bytes; to read into, their whole
         * capacity, writable (a component's length is what it holds readable when added, so each goes in full and
         * the composite's writer index is put back to 0).
         */
        private static ByteBuf composite(ByteBuf[] parts, boolean toWrite) {
            CompositeByteBuf c = Kit.ALLOC.compositeDirectBuffer(parts.length);
            for (ByteBuf p : parts) {
                c.addComponent(toWrite, toWrite ? p.retainedSlice() : p.retainedSlice(0, p.capacity()));
            }
            return c;
        }

        private static void release(List<ByteBuf> bufs, ByteBuf composite) {
            for (ByteBuf b : bufs) {
                b.release();
            }
            if (composite != null) {
                composite.release();
            }
        }
    }

    @FunctionalInterface
    interface SideFileOp {
        String run(IoUringFile file) throws Exception;
    }

    static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    /**
     * Everything under {@code base}, sorted: each entry's relative path, type, permissions and, for a file,
     * its size and a checksum of its content; for a link, its target.
     */
    static TreeMap<String, String> tree(Path base) throws IOException {
        TreeMap<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(base)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = base.relativize(p).toString();
                String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(p,
                        LinkOption.NOFOLLOW_LINKS));
                String entry;
                if (Files.isSymbolicLink(p)) {
                    entry = "link -> " + Files.readSymbolicLink(p);
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    entry = "dir " + perms;
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    byte[] content = readAll(p);
                    CRC32 crc = new CRC32();
                    crc.update(content);
                    entry = "file " + perms + " " + content.length + " bytes crc " + Long.toHexString(crc.getValue());
                } else {
                    entry = "other " + perms;
                }
                entries.put(rel, entry);
            }
        }
        return entries;
    }

    /** A file's bytes, even one created without read permission for us (mode 0200 and such). */
    private static byte[] readAll(Path p) throws IOException {
        var before = Files.getPosixFilePermissions(p);
        if (!Files.isReadable(p)) {
            var readable = EnumSet.copyOf(before);
            readable.add(java.nio.file.attribute.PosixFilePermission.OWNER_READ);
            Files.setPosixFilePermissions(p, readable);
        }
        try {
            return Files.readAllBytes(p);
        } finally {
            Files.setPosixFilePermissions(p, before);
        }
    }
}
