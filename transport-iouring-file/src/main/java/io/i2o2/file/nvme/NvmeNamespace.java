package io.i2o2.file.nvme;

import io.i2o2.file.AlignedBuffers;
import io.i2o2.file.FileIo;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.UringCmdResult;
import io.i2o2.file.UringCmdWriter;
import io.i2o2.uring.NvmeUringCmd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An NVMe namespace through its generic character device ({@code /dev/ngXnY}): block reads and writes by
 * LBA straight to the device ({@code NVME_URING_CMD_IO}), bypassing the block layer's queues and the page
 * cache, plus flush, write-zeroes and deallocate ("trim").
 *
 * <pre>{@code
 * IoUringPassthroughEventLoopGroup nvme = new IoUringPassthroughEventLoopGroup(1);
 * NvmeNamespace ns = NvmeNamespace.open(nvme.next(), Path.of("/dev/ng0n1")).get();
 * ByteBuf block = AlignedBuffers.allocate(ns.lbaSize(), 4096);
 * ns.read(0, 1, block).get();   // the first logical block, into block's writable bytes
 * }</pre>
 *
 * <p>Geometry comes from Identify (sent to the controller device), never assumed. Requests outside the
 * namespace, buffers smaller than {@code blocks * lbaSize} or not 4-byte aligned (NVMe's PRP rule), and
 * transfers beyond the controller's limit fail before submission. Device errors fail the future with a
 * decoded {@link NvmeStatusException}. Buffers are pinned until the command completes.
 *
 * <p>Data in several memory regions (several buffers, a {@code CompositeByteBuf}) goes as one vectored command
 * ({@code NVME_URING_CMD_IO_VEC}, Linux 6.1+) over an iovec array that lives as long as the command; data in one
 * of the loop's {@link FileIo#fixedBuffers()} goes as a registered buffer ({@code IORING_URING_CMD_FIXED},
 * 6.1+), which spares the kernel pinning and mapping its pages each time. {@link #withTimeout} gives a view
 * whose commands carry a timeout.
 *
 * <p>Metadata: this class moves none. On a format with metadata ({@link NvmeNamespaceInfo#hasMetadata()}:
 * separate or extended LBAs, with or without protection information) every data command (read, write,
 * compare, zone append, vectored or not) fails before submission with {@link UnsupportedOperationException}
 * naming the format, rather than misreading the blocks (an extended block is {@code lbaSize + metadataSize}
 * bytes on the wire); commands that move no data (flush, write-zeroes, trim, verify, copy, zone management)
 * still go.
 *
 * <p><b>Engines.</b> It runs on any passthrough loop ({@link FileIo#isPassthrough()}): a ring with 128-byte SQEs
 * ({@code IoUringPassthroughEventLoopGroup}, its IOPOLL variant included), or the portable engine
 * ({@code PortableFileEventLoopGroup}, and the passthrough group by itself where io_uring is unavailable). There
 * each command is the same 72-byte {@code struct nvme_uring_cmd}, sent from a worker thread as the head of the
 * NVMe driver's {@code NVME_IOCTL_IO64_CMD}, {@code NVME_IOCTL_IO64_CMD_VEC} (vectored) or
 * {@code NVME_IOCTL_ADMIN64_CMD} ({@link #controller()}) on the same device, with the same NVMe status, result
 * dword and {@code timeout_ms}; nothing here differs. What the ring does and the portable engine does not: it has
 * no polled completions (a loop's IOPOLL setting is ignored there) and registered buffers are plain memory (a
 * buffer of {@link FileIo#fixedBuffers()} still works, the driver pins it as any other); a command cannot be
 * cancelled once its worker is inside the ioctl (a shutdown waits for it, or for the driver's timeout).
 */
public final class NvmeNamespace {
    private static final Pattern GENERIC_DEVICE = Pattern.compile("ng(\\d+)n(\\d+)");
    private static final int MAX_BLOCKS_PER_COMMAND = 65536;
    private static final int DSM_RANGE_BYTES = 16;
    private static final int DSM_DEALLOCATE = 1 << 2;
    /** Dataset Management takes up to 256 ranges (NR is 0-based, 8 bits). */
    private static final int MAX_DSM_RANGES = 256;
    private static final int OPC_COMPARE = 0x05;
    private static final int OPC_ZONE_MGMT_SEND = 0x79;
    private static final int OPC_ZONE_MGMT_RECV = 0x7a;
    private static final int OPC_ZONE_APPEND = 0x7d;
    private static final int OPC_VERIFY = 0x0c;
    private static final int OPC_COPY = 0x19;
    private static final int COPY_RANGE_BYTES = 32;
    /** Copy's NR is 0-based and 8 bits. */
    private static final int MAX_COPY_RANGES = 256;
    /** Force Unit Access, CDW12 bit 30 of Read and Write. */
    private static final int FUA = 1 << 30;
    private static final int OPC_WRITE_ZEROES = 0x08;
    private static final int OPC_DATASET_MANAGEMENT = 0x09;

    /** {@code timeout_ms} is an unsigned 32-bit count of milliseconds. */
    private static final long MAX_TIMEOUT_MS = 0xFFFF_FFFFL;

    private final IoUringFile device;
    private final NvmeController controller;
    private final NvmeControllerInfo controllerInfo;
    private final NvmeNamespaceInfo info;
    /** {@code nvme_uring_cmd.timeout_ms} of every command this view sends (unsigned bits); 0: the driver's. */
    private final int timeoutMs;

    NvmeNamespace(IoUringFile device, NvmeController controller, NvmeControllerInfo controllerInfo,
                  NvmeNamespaceInfo info) {
        this(device, controller, controllerInfo, info, 0);
    }

    private NvmeNamespace(IoUringFile device, NvmeController controller, NvmeControllerInfo controllerInfo,
                          NvmeNamespaceInfo info, int timeoutMs) {
        this.device = device;
        this.controller = controller;
        this.controllerInfo = controllerInfo;
        this.info = info;
        this.timeoutMs = timeoutMs;
    }

    /**
     * A view of this namespace whose commands carry {@code timeout} ({@code nvme_uring_cmd.timeout_ms}): the
     * kernel aborts a command still outstanding after it (the controller may then be reset, as for the driver's
     * own timeout) and the future fails. Without one, commands get the driver's default (the nvme module's
     * {@code io_timeout}, 30 s). The view shares the devices with this namespace: closing either closes both.
     * Admin commands ({@link #controller()}) are not affected.
     *
     * @param timeout how long each command may take, more than 0 and at most 2^32-1 ms (about 49.7 days); a
     *                part of a millisecond counts as a whole one
     * @return a view sending every command with this timeout
     * @throws IllegalArgumentException for a zero, negative or over-long timeout
     */
    public NvmeNamespace withTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("an NVMe command timeout must be positive: " + timeout);
        }
        long ms;
        try {
            ms = timeout.toMillis();
        } catch (ArithmeticException e) {
            ms = Long.MAX_VALUE;
        }
        if (ms < MAX_TIMEOUT_MS && timeout.minusMillis(ms).isPositive()) {
            ms++;    // round a partial millisecond up: 0.5 ms must not become "no timeout"
        }
        if (ms > MAX_TIMEOUT_MS) {
            throw new IllegalArgumentException("an NVMe command timeout is at most " + MAX_TIMEOUT_MS
                    + " ms (timeout_ms is 32 bits): " + timeout);
        }
        return new NvmeNamespace(device, controller, controllerInfo, info, (int) ms);
    }

    /**
     * A view of this namespace whose commands carry no timeout of their own (the driver's default).
     *
     * @return a view without a per-command timeout; this one if it has none
     */
    public NvmeNamespace withoutTimeout() {
        return timeoutMs == 0 ? this : new NvmeNamespace(device, controller, controllerInfo, info, 0);
    }

    /**
     * The per-command timeout of this view.
     *
     * @return the timeout {@link #withTimeout} set, whole milliseconds; empty for the driver's default
     */
    public Optional<Duration> timeout() {
        return timeoutMs == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(Integer.toUnsignedLong(timeoutMs)));
    }

    /**
     * Opens {@code /dev/ngXnY}, identifying it through its controller as its namespace: both found through sysfs
     * ({@link NvmeSysfs}: right with native multipath too), else by the name ({@code /dev/nvmeX}, namespace Y).
     * {@code loop} must be a passthrough loop.
     *
     * @param loop          a passthrough loop ({@link FileIo#isPassthrough()}: 128-byte SQEs and CQEs, or the
     *                      portable engine)
     * @param genericDevice the namespace's generic character device, {@code /dev/ngXnY}
     * @return the opened namespace, its geometry identified; fails with {@link IllegalArgumentException} for a
     *         name that is not {@code ngXnY}, or as {@link #open(FileIo, Path, Path, int)} fails
     */
    public static Future<NvmeNamespace> open(FileIo loop, Path genericDevice) {
        Matcher m = GENERIC_DEVICE.matcher(genericDevice.getFileName().toString());
        if (!m.matches()) {
            return loop.newFailedFuture(new IllegalArgumentException("not an NVMe generic device name (ngXnY): "
                    + genericDevice + "; use open(loop, device, controllerDevice, nsid)"));
        }
        NvmeSysfs where = NvmeSysfs.locate(genericDevice).orElse(new NvmeSysfs(
                genericDevice.resolveSibling("nvme" + m.group(1)), Integer.parseInt(m.group(2))));
        return open(loop, genericDevice, where.controllerDevice(), where.nsid());
    }

    /**
     * Opens namespace {@code nsid} at {@code genericDevice}, identified through {@code controllerDevice}.
     *
     * @param loop             a passthrough loop ({@link FileIo#isPassthrough()}: 128-byte SQEs and CQEs, or the
     *                         portable engine)
     * @param genericDevice    the namespace's generic character device, e.g. {@code /dev/ng0n1}
     * @param controllerDevice its controller's character device, e.g. {@code /dev/nvme0}
     * @param nsid             the namespace id, at least 1
     * @return the opened namespace; fails as {@link NvmeController#open(FileIo, Path)} or Identify fails,
     *         or with the open's error (the controller is then closed)
     */
    public static Future<NvmeNamespace> open(FileIo loop, Path genericDevice, Path controllerDevice, int nsid) {
        Objects.requireNonNull(genericDevice, "genericDevice");
        CompletableFuture<NvmeNamespace> opened = NvmeCommands.stage(NvmeController.open(loop, controllerDevice))
                .thenCompose(ctrl -> identifyAndOpen(loop, ctrl, genericDevice, nsid)
                        .whenComplete((ns, error) -> {
                            if (error != null) {
                                ctrl.close();
                            }
                        }));
        return NvmeCommands.settle(opened, loop.newPromise());
    }

    private static CompletableFuture<NvmeNamespace> identifyAndOpen(FileIo loop, NvmeController ctrl,
                                                                    Path genericDevice, int nsid) {
        return NvmeCommands.stage(ctrl.identify()).thenCompose(ctrlInfo ->
                NvmeCommands.stage(ctrl.identifyNamespace(nsid)).thenCompose(nsInfo ->
                        NvmeCommands.stage(loop.open(genericDevice, StandardOpenOption.READ, StandardOpenOption.WRITE))
                                .thenApply(dev -> new NvmeNamespace(dev, ctrl, ctrlInfo, nsInfo))));
    }

    /**
     * Identify data of this namespace.
     *
     * @return what Identify Namespace said when the namespace was opened
     */
    public NvmeNamespaceInfo info() {
        return info;
    }

    /**
     * Its controller, for admin commands (log pages, features); closed with the namespace.
     *
     * @return the open controller this namespace was identified through
     */
    public NvmeController controller() {
        return controller;
    }

    /**
     * Identify data of its controller.
     *
     * @return what Identify Controller said when the namespace was opened
     */
    public NvmeControllerInfo controllerInfo() {
        return controllerInfo;
    }

    /**
     * Bytes per logical block.
     *
     * @return the formatted LBA format's block size, e.g. 512 or 4096
     */
    public int lbaSize() {
        return info.lbaSize();
    }

    /**
     * Size in logical blocks.
     *
     * @return the namespace size (NSZE); valid LBAs are 0 to this minus 1
     */
    public long lbaCount() {
        return info.lbaCount();
    }

    /**
     * The generic device this namespace is read and written through.
     *
     * @return the open {@code /dev/ngXnY} file
     */
    public IoUringFile device() {
        return device;
    }

    /**
     * Reads {@code blocks} logical blocks from {@code lba} into {@code dst}'s writable bytes; completes with the
     * byte count and advances {@code dst}'s writer index by it. A {@code dst} of several memory regions (a
     * {@code CompositeByteBuf}) is read with one vectored command ({@code NVME_URING_CMD_IO_VEC}, 6.1+); a
     * buffer of the loop's {@link FileIo#fixedBuffers()} goes as a registered buffer
     * ({@code IORING_URING_CMD_FIXED}, 6.1+).
     *
     * @param lba    the first logical block
     * @param blocks how many blocks, 1 to 65536
     * @param dst    the buffer, with at least {@code blocks * lbaSize()} writable bytes, each memory region at a
     *               4-byte aligned address
     * @return the bytes read, {@code blocks * lbaSize()}; fails with {@link IllegalArgumentException} before
     *         submission for a range outside the namespace, a short or misaligned buffer or a transfer beyond
     *         MDTS, with {@link UnsupportedOperationException} on a format with metadata
     *         ({@link NvmeNamespaceInfo#hasMetadata()}), with {@link NvmeStatusException} on an NVMe error status
     */
    public Future<Integer> read(long lba, int blocks, ByteBuf dst) {
        Objects.requireNonNull(dst, "dst");
        RuntimeException bad = refuseMetadata("nvme read");
        if (bad == null) {
            bad = checkRange(lba, blocks);
        }
        long bytes = (long) blocks * lbaSize();
        if (bad == null && dst.writableBytes() < bytes) {
            bad = new IllegalArgumentException("buffer has " + dst.writableBytes() + " writable bytes, " + blocks
                    + " blocks need " + bytes);
        }
        if (bad != null) {
            return device.io().newFailedFuture(bad);
        }
        // Only the blocks' bytes: a vectored read covers every writable byte it is given.
        ByteBuf target = dst.nioBufferCount() > 1 && dst.writableBytes() > bytes
                ? dst.slice(dst.writerIndex(), (int) bytes).clear() : dst;
        return transfer("nvme read", NvmeUringCmd.OPC_READ, 0, lba, blocks, new ByteBuf[] {target}, true, r -> {
            dst.writerIndex(dst.writerIndex() + (int) bytes);
            return (int) bytes;
        });
    }

    /**
     * Reads whole blocks from {@code lba} into the writable bytes of {@code dsts}, in order, with one command: a
     * vectored one ({@code NVME_URING_CMD_IO_VEC}, 6.1+) when they are more than one memory region. Completes
     * with the byte count and advances each buffer's writer index past what it received (all its writable bytes).
     *
     * @param lba  the first logical block
     * @param dsts the buffers, their writable bytes together a whole number of blocks (1 to 65536), each memory
     *             region 4-byte aligned, at most 1024 regions; the array is copied
     * @return the bytes read, every writable byte of {@code dsts}; fails before submission, holding nothing, as
     *         {@link #read(long, int, ByteBuf)} does, or with {@link IllegalArgumentException} for writable bytes
     *         that are no whole number of blocks
     */
    public Future<Integer> read(long lba, ByteBuf... dsts) {
        ByteBuf[] bufs = copyOf(dsts, "dsts");
        int[] lengths = new int[bufs.length];
        long bytes = 0;
        for (int i = 0; i < bufs.length; i++) {
            lengths[i] = bufs[i].writableBytes();
            bytes += lengths[i];
        }
        RuntimeException bad = refuseMetadata("nvme read");
        if (bad == null) {
            bad = bufs.length == 0 ? new IllegalArgumentException("no buffers") : wholeBlocks("read", bytes);
        }
        if (bad != null) {
            return device.io().newFailedFuture(bad);
        }
        int total = (int) bytes;
        return transfer("nvme read", NvmeUringCmd.OPC_READ, 0, lba, total / lbaSize(), bufs, true, r -> {
            for (int i = 0; i < bufs.length; i++) {
                bufs[i].writerIndex(bufs[i].writerIndex() + lengths[i]);
            }
            return total;
        });
    }

    /**
     * Writes {@code src}'s readable bytes, a whole number of blocks, from {@code lba}; completes with the byte
     * count and advances {@code src}'s reader index by it. Several memory regions (a {@code CompositeByteBuf})
     * go as one vectored command; a buffer of the loop's fixed buffers as a registered one (see
     * {@link #read(long, int, ByteBuf)}).
     *
     * @param lba the first logical block
     * @param src the data, a whole number of blocks (1 to 65536), each memory region at a 4-byte aligned address
     * @return the bytes written; fails with {@link IllegalArgumentException} before submission for a partial
     *         block, a range outside the namespace, a misaligned buffer or a transfer beyond MDTS, with
     *         {@link UnsupportedOperationException} on a format with metadata, with {@link NvmeStatusException}
     *         on an NVMe error status
     */
    public Future<Integer> write(long lba, ByteBuf src) {
        return write(lba, src, false);
    }

    /**
     * Like {@link #write(long, ByteBuf)}, with Force Unit Access when {@code fua}: the command completes only once
     * the data is on stable media (CDW12 bit 30), so no flush is needed for it.
     *
     * @param lba the first logical block
     * @param src the data, as {@link #write(long, ByteBuf)} takes it
     * @param fua whether to set Force Unit Access; false is a plain {@link #write(long, ByteBuf)}
     * @return the bytes written; fails as {@link #write(long, ByteBuf)} fails
     */
    public Future<Integer> write(long lba, ByteBuf src, boolean fua) {
        Objects.requireNonNull(src, "src");
        return writeAll(fua ? "nvme write fua" : "nvme write", lba, new ByteBuf[] {src}, fua);
    }

    /**
     * Writes the readable bytes of {@code srcs}, in order, a whole number of blocks together, from {@code lba}
     * with one command: a vectored one ({@code NVME_URING_CMD_IO_VEC}, 6.1+) when they are more than one
     * memory region. Completes with the byte count and advances each buffer's reader index past all its
     * readable bytes.
     *
     * @param lba  the first logical block
     * @param srcs the data, their readable bytes together a whole number of blocks (1 to 65536), each memory
     *             region 4-byte aligned, at most 1024 regions; the array is copied
     * @return the bytes written; fails as {@link #write(long, ByteBuf)} fails
     */
    public Future<Integer> write(long lba, ByteBuf... srcs) {
        ByteBuf[] bufs = copyOf(srcs, "srcs");
        if (bufs.length == 0) {
            return device.io().newFailedFuture(new IllegalArgumentException("no buffers"));
        }
        return writeAll("nvme write", lba, bufs, false);
    }

    private Future<Integer> writeAll(String name, long lba, ByteBuf[] srcs, boolean fua) {
        int[] lengths = new int[srcs.length];
        long bytes = 0;
        for (int i = 0; i < srcs.length; i++) {
            lengths[i] = srcs[i].readableBytes();
            bytes += lengths[i];
        }
        RuntimeException bad = refuseMetadata(name);
        if (bad == null) {
            bad = wholeBlocks("write", bytes);
        }
        if (bad != null) {
            return device.io().newFailedFuture(bad);
        }
        int total = (int) bytes;
        return transfer(name, NvmeUringCmd.OPC_WRITE, fua ? FUA : 0, lba, total / lbaSize(), srcs, false, r -> {
            for (ByteBuf b : srcs) {
                b.skipBytes(b.readableBytes());
            }
            return total;
        });
    }

    /**
     * Dataset Management with Deallocate over several ranges in one command (1 to 256): the device may forget
     * them all. Each range is checked as {@link #trim(long, int)} checks its one.
     *
     * @param ranges the ranges to deallocate, 1 to 256, each 1 to 65536 blocks inside the namespace
     * @return completes when the device took the command; fails with {@link IllegalArgumentException} for a bad
     *         count or range, {@link UnsupportedOperationException} without ONCS Dataset Management,
     *         {@link NvmeStatusException} on an NVMe error status
     */
    public Future<Void> trim(List<NvmeLbaRange> ranges) {
        Objects.requireNonNull(ranges, "ranges");
        RuntimeException bad = ranges.isEmpty() || ranges.size() > MAX_DSM_RANGES
                ? new IllegalArgumentException("1.." + MAX_DSM_RANGES + " ranges: " + ranges.size()) : null;
        for (int i = 0; bad == null && i < ranges.size(); i++) {
            bad = checkRange(ranges.get(i).lba(), ranges.get(i).blocks());
        }
        if (bad == null && !controllerInfo.datasetManagement()) {
            bad = new UnsupportedOperationException("this controller does not support Dataset Management (ONCS)");
        }
        if (bad != null) {
            return device.io().newFailedFuture(bad);
        }
        ByteBuf list = Unpooled.directBuffer(DSM_RANGE_BYTES * ranges.size());
        for (NvmeLbaRange r : ranges) {
            list.writeIntLE(0).writeIntLE(r.blocks()).writeLongLE(r.lba());
        }
        Future<Void> done = command("nvme trim", ranges.getFirst().lba(),
                list, false, (cmd, addr, len) -> NvmeUringCmd.over(cmd).opcode(OPC_DATASET_MANAGEMENT)
                        .nsid(info.nsid()).data(addr, len).cdw(10, ranges.size() - 1).cdw(11, DSM_DEALLOCATE),
                r -> null);
        done.addListener(f -> list.release());
        return done;
    }

    /**
     * Compare: the device reads {@code expected}'s readable bytes' worth of blocks from {@code lba} and compares
     * them with it, moving nothing back. Completes with true when they match, false on a Compare Failure
     * (status 0x285); other errors fail the future. Needs ONCS Compare.
     *
     * @param lba      the first logical block
     * @param expected the data to compare with, a whole number of blocks readable at a 4-byte aligned address
     * @return whether the blocks equal {@code expected}; fails with {@link IllegalArgumentException} as
     *         {@link #write(long, ByteBuf)} checks its buffer, {@link UnsupportedOperationException} without
     *         ONCS Compare, {@link NvmeStatusException} on another NVMe error status
     */
    public Future<Boolean> compare(long lba, ByteBuf expected) {
        Objects.requireNonNull(expected, "expected");
        int bytes = expected.readableBytes();
        RuntimeException bad = refuseMetadata("nvme compare");
        if (bad == null) {
            bad = wholeBlocks("compare", bytes);
        }
        if (bad == null && !controllerInfo.compare()) {
            bad = new UnsupportedOperationException("this controller does not support Compare (ONCS)");
        }
        if (bad != null) {
            return device.io().newFailedFuture(bad);
        }
        Promise<Boolean> result = device.io().newPromise();
        transfer("nvme compare", OPC_COMPARE, 0, lba, bytes / lbaSize(), new ByteBuf[] {expected}, false,
                r -> Boolean.TRUE).addListener((Future<Boolean> f) -> {
                    if (f.isSuccess()) {
                        result.trySuccess(true);
                    } else if (f.cause() instanceof NvmeStatusException e && e.statusCodeType() == 2
                            && e.statusCode() == 0x85) {
                        result.trySuccess(false);
                    } else {
                        result.tryFailure(f.cause());
                    }
                });
        return result;
    }

    /**
     * Verify: the device checks that {@code blocks} blocks from {@code lba} can be read (and their protection
     * information, if any), returning no data. Needs ONCS Verify.
     *
     * @param lba    the first logical block
     * @param blocks how many blocks, 1 to 65536
     * @return completes when the blocks verified; fails with {@link IllegalArgumentException} for a range
     *         outside the namespace, {@link UnsupportedOperationException} without ONCS Verify,
     *         {@link NvmeStatusException} on an NVMe error status (e.g. Unrecovered Read Error)
     */
    public Future<Void> verify(long lba, int blocks) {
        RuntimeException bad = checkRange(lba, blocks);
        if (bad == null && !controllerInfo.verify()) {
            bad = new UnsupportedOperationException("this controller does not support Verify (ONCS)");
        }
        if (bad != null) {
            return device.io().newFailedFuture(bad);
        }
        return command("nvme verify", lba, null, false,
                (cmd, addr, len) -> NvmeUringCmd.over(cmd).opcode(OPC_VERIFY).nsid(info.nsid())
                        .cdw(10, (int) lba).cdw(11, (int) (lba >>> 32)).cdw(12, blocks - 1), r -> null);
    }

    /**
     * Copy (simple copy, source range format 0): the device copies {@code sources}, in order, to consecutive
     * blocks from {@code destination}, inside this namespace, moving no data through the host. Needs ONCS Copy
     * and fails before submission beyond the namespace's limits ({@link NvmeNamespaceInfo#copyLimits()}).
     *
     * @param sources     the source ranges, 1 to 256, in the order their blocks are written
     * @param destination the first logical block written, the ranges' blocks following it back to back
     * @return completes when the copy is done; fails with {@link IllegalArgumentException} for a bad range or
     *         more than 65536 blocks or beyond the copy limits, {@link UnsupportedOperationException} without
     *         ONCS Copy or where the namespace takes none, {@link NvmeStatusException} on an NVMe error status
     */
    public Future<Void> copy(List<NvmeLbaRange> sources, long destination) {
        Objects.requireNonNull(sources, "sources");
        RuntimeException bad = sources.isEmpty() || sources.size() > MAX_COPY_RANGES
                ? new IllegalArgumentException("1.." + MAX_COPY_RANGES + " source ranges: " + sources.size()) : null;
        long total = 0;
        for (int i = 0; bad == null && i < sources.size(); i++) {
            bad = checkRange(sources.get(i).lba(), sources.get(i).blocks());
            total += sources.get(i).blocks();
        }
        if (bad == null && total > MAX_BLOCKS_PER_COMMAND) {
            bad = new IllegalArgumentException("at most " + MAX_BLOCKS_PER_COMMAND + " blocks in all: " + total);
        }
        if (bad == null) {
            bad = checkRange(destination, (int) total);
        }
        if (bad == null && !controllerInfo.copy()) {
            bad = new UnsupportedOperationException("this controller does not support Copy (ONCS)");
        }
        NvmeNamespaceInfo.CopyLimits limits = info.copyLimits();
        if (bad == null && limits.maxRanges() == 0) {
            bad = new UnsupportedOperationException("this namespace takes no Copy: its limits are MSSRL "
                    + limits.maxRangeBlocks() + ", MCL " + limits.maxBlocks());
        }
        if (bad == null && (sources.size() > limits.maxRanges() || total > limits.maxBlocks()
                || sources.stream().anyMatch(r -> r.blocks() > limits.maxRangeBlocks()))) {
            bad = new IllegalArgumentException("beyond this namespace's Copy limits " + limits + ": "
                    + sources.size() + " ranges, " + total + " blocks");
        }
        if (bad != null) {
            return device.io().newFailedFuture(bad);
        }
        // Source Range Entries, format 0, 32 bytes each: bytes 8-15 SLBA, 16-17 NLB (0-based).
        ByteBuf list = Unpooled.directBuffer(COPY_RANGE_BYTES * sources.size());
        for (NvmeLbaRange r : sources) {
            list.writeLongLE(0).writeLongLE(r.lba()).writeShortLE(r.blocks() - 1).writeZero(14);
        }
        Future<Void> done = command("nvme copy", destination, list, false,
                (cmd, addr, len) -> NvmeUringCmd.over(cmd).opcode(OPC_COPY).nsid(info.nsid()).data(addr, len)
                        .cdw(10, (int) destination).cdw(11, (int) (destination >>> 32)).cdw(12, sources.size() - 1),
                r -> null);
        done.addListener(f -> list.release());
        return done;
    }

    /** Zone Send Actions (Zone Management Send, CDW13 bits 0-7). */
    public enum ZoneAction {
        /** Close Zone: an open zone becomes Closed, releasing its open resource. */
        CLOSE(0x1),
        /** Finish Zone: the zone becomes Full, its write pointer at the end. */
        FINISH(0x2),
        /** Open Zone: the zone becomes Explicitly Opened. */
        OPEN(0x3),
        /** Reset Zone: the zone becomes Empty, its write pointer back at its start, its data gone. */
        RESET(0x4);

        final int code;

        ZoneAction(int code) {
            this.code = code;
        }
    }

    /**
     * Report Zones (Zone Management Receive, zoned namespaces only): up to {@code maxZones} zones from the one
     * holding {@code lba}, in LBA order.
     *
     * @param lba      a logical block in the first zone to report
     * @param maxZones the most zones to report, 1 to 1024
     * @return the zones' descriptors, an unmodifiable list, fewer than {@code maxZones} near the namespace's end;
     *         fails with {@link IllegalArgumentException} for a bad count or LBA, {@link NvmeStatusException} on
     *         an NVMe error status (Invalid Command Opcode on a namespace that is not zoned)
     */
    public Future<List<NvmeZone>> reportZones(long lba, int maxZones) {
        if (maxZones < 1 || maxZones > 1024) {
            return device.io().newFailedFuture(new IllegalArgumentException("1..1024 zones: " + maxZones));
        }
        RuntimeException bad = checkRange(lba, 1);
        if (bad != null) {
            return device.io().newFailedFuture(bad);
        }
        int bytes = NvmeZone.HEADER_SIZE + maxZones * NvmeZone.DESCRIPTOR_SIZE;
        ByteBuf report = AlignedBuffers.allocate(bytes, 4096);
        Future<List<NvmeZone>> result = command("nvme report zones", lba,
                report, true, (cmd, addr, len) -> NvmeUringCmd.over(cmd).opcode(OPC_ZONE_MGMT_RECV).nsid(info.nsid())
                        .data(addr, len).cdw(10, (int) lba).cdw(11, (int) (lba >>> 32)).cdw(12, bytes / 4 - 1)
                        .cdw(13, 0 | 1 << 16), r -> {
                    report.writerIndex(bytes);
                    int n = (int) Math.min(report.getLongLE(0), maxZones);
                    List<NvmeZone> zones = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        zones.add(NvmeZone.parse(report, i));
                    }
                    return List.copyOf(zones);
                });
        result.addListener(f -> report.release());
        return result;
    }

    /**
     * Zone Management Send: {@code action} on the zone starting at {@code zoneStartLba}.
     *
     * @param zoneStartLba the zone's first logical block (ZSLBA)
     * @param action       what to do to the zone
     * @return completes when the zone changed state; fails with {@link IllegalArgumentException} for an LBA
     *         outside the namespace, {@link NvmeStatusException} on an NVMe error status (e.g. Invalid Zone
     *         State Transition)
     */
    public Future<Void> manageZone(long zoneStartLba, ZoneAction action) {
        Objects.requireNonNull(action, "action");
        RuntimeException bad = checkRange(zoneStartLba, 1);
        if (bad != null) {
            return device.io().newFailedFuture(bad);
        }
        return command("nvme zone " + action.name().toLowerCase(
                Locale.ROOT), zoneStartLba, null, false,
                (cmd, addr, len) -> NvmeUringCmd.over(cmd).opcode(OPC_ZONE_MGMT_SEND).nsid(info.nsid())
                        .cdw(10, (int) zoneStartLba).cdw(11, (int) (zoneStartLba >>> 32)).cdw(13, action.code),
                r -> null);
    }

    /**
     * Zone Append: writes {@code src}'s readable bytes (whole blocks) at the zone's write pointer, wherever it is,
     * and completes with the LBA the data landed at (from the completion's result dwords). Advances {@code src}'s
     * reader index.
     *
     * @param zoneStartLba the zone's first logical block (ZSLBA)
     * @param src          the data, a whole number of blocks readable at a 4-byte aligned address
     * @return the first LBA the data was written at; fails with {@link IllegalArgumentException} as
     *         {@link #write(long, ByteBuf)} checks its arguments, {@link NvmeStatusException} on an NVMe error
     *         status (e.g. Zone Is Full)
     */
    public Future<Long> zoneAppend(long zoneStartLba, ByteBuf src) {
        Objects.requireNonNull(src, "src");
        int bytes = src.readableBytes();
        RuntimeException bad = refuseMetadata("nvme zone append");
        if (bad == null) {
            bad = wholeBlocks("zone append", bytes);
        }
        if (bad != null) {
            return device.io().newFailedFuture(bad);
        }
        return transfer("nvme zone append", OPC_ZONE_APPEND, 0, zoneStartLba, bytes / lbaSize(),
                new ByteBuf[] {src}, false, r -> {
                    src.skipBytes(bytes);
                    return r.extra0();
                });
    }

    /**
     * Flush: completes when every completed write is on stable media.
     *
     * @return completes after the device's volatile write cache is written out; fails with
     *         {@link NvmeStatusException} on an NVMe error status
     */
    public Future<Void> flush() {
        return command("nvme flush", -1, null, false,
                (cmd, addr, len) -> NvmeUringCmd.over(cmd).flush(info.nsid()), r -> null);
    }

    /**
     * Write Zeroes: {@code blocks} blocks from {@code lba} read back as zeroes, without moving data.
     *
     * @param lba    the first logical block
     * @param blocks how many blocks, 1 to 65536
     * @return completes when the blocks read as zeroes; fails with {@link IllegalArgumentException} for a range
     *         outside the namespace, {@link UnsupportedOperationException} without ONCS Write Zeroes,
     *         {@link NvmeStatusException} on an NVMe error status
     */
    public Future<Void> writeZeroes(long lba, int blocks) {
        RuntimeException bad = checkRange(lba, blocks);
        if (bad == null && !controllerInfo.writeZeroes()) {
            bad = new UnsupportedOperationException("this controller does not support Write Zeroes (ONCS)");
        }
        if (bad != null) {
            return device.io().newFailedFuture(bad);
        }
        return command("nvme write zeroes", lba, null, false,
                (cmd, addr, len) -> NvmeUringCmd.over(cmd).opcode(OPC_WRITE_ZEROES).nsid(info.nsid())
                        .cdw(10, (int) lba).cdw(11, (int) (lba >>> 32)).cdw(12, blocks - 1), r -> null);
    }

    /**
     * Dataset Management with Deallocate ("trim"): the device may forget {@code blocks} blocks from {@code lba}.
     *
     * @param lba    the first logical block
     * @param blocks how many blocks, 1 to 65536
     * @return completes when the device took the command; fails with {@link IllegalArgumentException} for a
     *         range outside the namespace, {@link UnsupportedOperationException} without ONCS Dataset
     *         Management, {@link NvmeStatusException} on an NVMe error status
     */
    public Future<Void> trim(long lba, int blocks) {
        RuntimeException bad = checkRange(lba, blocks);
        if (bad == null && !controllerInfo.datasetManagement()) {
            bad = new UnsupportedOperationException("this controller does not support Dataset Management (ONCS)");
        }
        if (bad != null) {
            return device.io().newFailedFuture(bad);
        }
        // One range: context attributes, length in blocks, starting LBA (little endian).
        ByteBuf range = Unpooled.directBuffer(DSM_RANGE_BYTES).writeIntLE(0).writeIntLE(blocks).writeLongLE(lba);
        Future<Void> done = command("nvme trim", lba, range, false,
                (cmd, addr, len) -> NvmeUringCmd.over(cmd).opcode(OPC_DATASET_MANAGEMENT).nsid(info.nsid())
                        .data(addr, len).cdw(10, 0).cdw(11, DSM_DEALLOCATE), r -> null);
        done.addListener(f -> range.release());
        return done;
    }

    /**
     * Sends an LBA data command ({@code opcode} over {@code blocks} blocks from {@code lba}) moving exactly
     * {@code blocks * lbaSize()} bytes: the writable ({@code dataIn}) or readable bytes of {@code bufs}. One
     * memory region goes as {@code NVME_URING_CMD_IO} (registered if it is a fixed buffer), several as
     * {@code NVME_URING_CMD_IO_VEC} over an iovec array. Checks the range, MDTS and alignment first.
     */
    private <T> Future<T> transfer(String name, int opcode, int cdw12Flags, long lba, int blocks, ByteBuf[] bufs,
                                   boolean dataIn, Function<UringCmdResult, T> value) {
        RuntimeException bad = checkRange(lba, blocks);
        for (int i = 0; bad == null && i < bufs.length; i++) {
            if (bufs[i].refCnt() == 0) {
                bad = new IllegalReferenceCountException("buffer already released: " + bufs[i]);
            }
        }
        long bytes = (long) blocks * lbaSize();
        if (bad == null && controllerInfo.maxTransferBytes() > 0 && bytes > controllerInfo.maxTransferBytes()) {
            bad = new IllegalArgumentException(bytes + " bytes exceed the controller's transfer limit of "
                    + controllerInfo.maxTransferBytes() + " (MDTS): split the request");
        }
        int regions = 0;
        for (int i = 0; bad == null && i < bufs.length; i++) {
            bad = checkAligned(bufs[i], dataIn, i == 0 && bufs.length == 1 ? (int) bytes : -1);
            regions += bufs[i].nioBufferCount();
        }
        if (bad != null) {
            return device.io().newFailedFuture(bad);
        }
        int nsid = info.nsid();
        int cdw12 = (blocks - 1) | cdw12Flags;
        if (regions == 1) {
            return command(name, lba, bufs[0], dataIn, (cmd, addr, len) -> NvmeUringCmd.over(cmd)
                    .readWrite(opcode, nsid, addr, (int) bytes, lba, blocks).cdw(12, cdw12), value);
        }
        return NvmeCommands.submitVectored(device, NvmeUringCmd.CMD_IO_VEC, name, lba, bufs, dataIn,
                withTimeout((cmd, iovecs, count) -> NvmeUringCmd.over(cmd)
                        .readWrite(opcode, nsid, iovecs, count, lba, blocks).cdw(12, cdw12)), value);
    }

    /** An I/O command on this namespace's device, with this view's timeout. */
    private <T> Future<T> command(String name, long lba, ByteBuf data, boolean dataIn, UringCmdWriter writer,
                                  Function<UringCmdResult, T> value) {
        return NvmeCommands.submit(device, NvmeUringCmd.CMD_IO, name, lba, data, dataIn, withTimeout(writer), value);
    }

    private UringCmdWriter withTimeout(UringCmdWriter writer) {
        if (timeoutMs == 0) {
            return writer;
        }
        return (cmd, addr, len) -> {
            writer.write(cmd, addr, len);
            NvmeUringCmd.over(cmd).timeoutMs(timeoutMs);
        };
    }

    /**
     * Refuses a data command on a format with metadata: this library moves no metadata (no separate buffer,
     * and an extended LBA's block is {@code lbaSize + ms} bytes), so it would misread or misplace data.
     */
    private RuntimeException refuseMetadata(String name) {
        if (!info.hasMetadata()) {
            return null;
        }
        return new UnsupportedOperationException(name + " refused: namespace " + info.nsid() + " is formatted "
                + info.formatDescription() + ", and this library moves no metadata (no separate metadata buffer,"
                + " no extended LBAs); format the namespace with an LBA format without metadata (ms=0)");
    }

    private RuntimeException wholeBlocks(String what, long bytes) {
        if (bytes == 0 || bytes % lbaSize() != 0) {
            return new IllegalArgumentException(what + " needs a whole number of " + lbaSize() + "-byte blocks, not "
                    + bytes + " bytes");
        }
        if (bytes / lbaSize() > MAX_BLOCKS_PER_COMMAND) {
            return new IllegalArgumentException(what + " moves at most " + MAX_BLOCKS_PER_COMMAND + " blocks in one"
                    + " command: " + bytes + " bytes are " + bytes / lbaSize());
        }
        return null;
    }

    /**
     * NVMe's PRP rule: every memory region of the data at a 4-byte aligned address. {@code length} is the
     * bytes used of a single buffer, -1 for all its writable ({@code dataIn}) or readable bytes.
     */
    private static RuntimeException checkAligned(ByteBuf buf, boolean dataIn, int length) {
        if (!buf.isDirect() || buf.refCnt() == 0) {
            return null;    // the file refuses it, saying why
        }
        int index = dataIn ? buf.writerIndex() : buf.readerIndex();
        int len = length >= 0 ? length : dataIn ? buf.writableBytes() : buf.readableBytes();
        if (len == 0) {
            return null;
        }
        ByteBuffer[] regions;
        try {
            regions = buf.nioBuffers(index, len);
        } catch (IllegalReferenceCountException releasedMeanwhile) {
            return null;    // released on another thread since the check above: the file refuses it, saying why
        }
        for (ByteBuffer region : regions) {
            if (region.isDirect() && MemorySegment.ofBuffer(region).address() % 4 != 0) {
                return new IllegalArgumentException("NVMe data buffers must be 4-byte aligned: " + buf);
            }
        }
        return null;
    }

    private static ByteBuf[] copyOf(ByteBuf[] bufs, String name) {
        Objects.requireNonNull(bufs, name);
        ByteBuf[] copy = bufs.clone();
        for (int i = 0; i < copy.length; i++) {
            Objects.requireNonNull(copy[i], name + "[" + i + "]");
        }
        return copy;
    }

    private RuntimeException checkRange(long lba, int blocks) {
        if (blocks < 1 || blocks > MAX_BLOCKS_PER_COMMAND) {
            return new IllegalArgumentException("blocks must be 1.." + MAX_BLOCKS_PER_COMMAND + ": " + blocks);
        }
        if (lba < 0 || lba > lbaCount() - blocks) {
            return new IllegalArgumentException("LBA range " + lba + "+" + blocks + " is outside the namespace (0.."
                    + (lbaCount() - 1) + ")");
        }
        return null;
    }

    /**
     * Closes the namespace device and its controller device.
     *
     * @return completes once both are closed
     */
    public Future<Void> close() {
        Promise<Void> done = device.io().newPromise();
        // Both at once: the controller's close must not wait on the namespace's (which waits for its ops).
        Future<Void> ctrl = controller.close();
        device.close().addListener(f -> ctrl.addListener(g -> done.trySuccess(null)));
        return done;
    }

    @Override
    public String toString() {
        return "NvmeNamespace[nsid=" + info.nsid() + ", " + lbaCount() + " x " + lbaSize() + " B, " + controllerInfo.model()
                + "]";
    }
}
