package io.i2o2.file.nvme;

import io.i2o2.file.AlignedBuffers;
import io.i2o2.file.FileIo;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.UringCmdResult;
import io.i2o2.uring.NvmeUringCmd;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * An NVMe controller's character device ({@code /dev/nvmeX}), for admin commands
 * ({@code NVME_URING_CMD_ADMIN}, Linux 6.0+, needs {@code CAP_SYS_ADMIN}) on a passthrough loop
 * ({@link FileIo#isPassthrough()}): a ring with 128-byte SQEs ({@code IoUringPassthroughEventLoopGroup}), or the
 * portable engine ({@code PortableFileEventLoopGroup}, and the passthrough group where io_uring is unavailable),
 * which sends the same command as the NVMe driver's {@code NVME_IOCTL_ADMIN64_CMD} on the same device, with the
 * same status and result dword, from a worker thread.
 *
 * <pre>{@code
 * NvmeController ctrl = NvmeController.open(loop, Path.of("/dev/nvme0")).get();
 * NvmeControllerInfo info = ctrl.identify().get();   // model, serial, limits
 * }</pre>
 */
public final class NvmeController {
    private final IoUringFile device;

    private NvmeController(IoUringFile device) {
        this.device = device;
    }

    /**
     * Opens the controller device on {@code loop}, which must be a passthrough loop: an
     * {@code IoUringPassthroughEventLoopGroup}'s or a {@code PortableFileEventLoopGroup}'s.
     *
     * @param loop             a passthrough loop ({@link FileIo#isPassthrough()}: 128-byte SQEs and CQEs, or the
     *                         portable engine)
     * @param controllerDevice the controller's character device, e.g. {@code /dev/nvme0}
     * @return the opened controller; fails with {@link UnsupportedOperationException} on a loop that is not a
     *         passthrough one, or with the open's error (e.g. no permission)
     */
    public static Future<NvmeController> open(FileIo loop, Path controllerDevice) {
        Objects.requireNonNull(controllerDevice, "controllerDevice");
        if (!loop.isPassthrough()) {
            return loop.newFailedFuture(new UnsupportedOperationException("NVMe passthrough needs 128-byte SQEs or "
                    + "the portable engine: use a loop of an IoUringPassthroughEventLoopGroup (or, without io_uring, of "
                    + "a PortableFileEventLoopGroup), not " + loop));
        }
        return NvmeCommands.settle(NvmeCommands.stage(loop.open(controllerDevice, StandardOpenOption.READ,
                StandardOpenOption.WRITE)).thenApply(NvmeController::new), loop.newPromise());
    }

    /**
     * The controller's device.
     *
     * @return the open {@code /dev/nvmeX} file admin commands go through
     */
    public IoUringFile device() {
        return device;
    }

    /**
     * Identify Controller: model, serial, transfer limit, optional commands.
     *
     * @return the parsed Identify Controller data (CNS 01h); fails with {@link NvmeStatusException} on an NVMe
     *         error status
     */
    public Future<NvmeControllerInfo> identify() {
        return identifyInto(NvmeUringCmd.CNS_CONTROLLER, 0, NvmeControllerInfo::parse);
    }

    /**
     * Identify Namespace {@code nsid}: size and LBA format.
     *
     * @param nsid the namespace id, at least 1
     * @return the parsed Identify Namespace data (CNS 00h); fails with {@link IllegalArgumentException} for an
     *         nsid below 1, {@link IllegalStateException} for an inactive namespace or an unusable LBA format,
     *         {@link NvmeStatusException} on an NVMe error status
     */
    public Future<NvmeNamespaceInfo> identifyNamespace(int nsid) {
        if (nsid <= 0) {
            return device.io().newFailedFuture(new IllegalArgumentException("nsid must be >= 1: " + nsid));
        }
        return identifyInto(NvmeUringCmd.CNS_NAMESPACE, nsid, data -> NvmeNamespaceInfo.parse(nsid, data));
    }

    private <T> Future<T> identifyInto(int cns, int nsid, Function<ByteBuf, T> parse) {
        ByteBuf data = AlignedBuffers.allocate(NvmeUringCmd.IDENTIFY_SIZE, 4096);
        Future<T> result = NvmeCommands.submit(device, NvmeUringCmd.CMD_ADMIN, "nvme identify", -1, data, true,
                (cmd, addr, len) -> NvmeUringCmd.over(cmd).identify(cns, nsid, addr),
                r -> parse.apply(data.writerIndex(NvmeUringCmd.IDENTIFY_SIZE)));
        result.addListener(f -> data.release());
        return result;
    }

    /**
     * Any admin command: {@code opcode} for {@code nsid} with command dwords 10.. from {@code cdws}, moving
     * {@code data} (may be null) to the device or, with {@code dataIn}, from it. The future fails with
     * {@link NvmeStatusException} on an NVMe error status.
     *
     * @param opcode the admin command opcode (CDW0 bits 0-7)
     * @param nsid   the namespace id (0 or {@code 0xffffffff} where the command is not for one namespace)
     * @param data   the data buffer, or null for a command that moves none
     * @param dataIn whether {@code data} is read from the device (true) or written to it (false)
     * @param cdws   command dwords 10 to 15, in order, at most 6; missing ones are 0
     * @return the completion: {@code res} 0 and the command's dword 0 in {@code extra0}; fails with
     *         {@link IllegalArgumentException} for more than 6 dwords
     */
    public Future<UringCmdResult> admin(int opcode, int nsid, ByteBuf data, boolean dataIn, int... cdws) {
        if (cdws.length > 6) {
            return device.io().newFailedFuture(new IllegalArgumentException("at most 6 dwords (cdw10..15)"));
        }
        return NvmeCommands.submit(device, NvmeUringCmd.CMD_ADMIN, "nvme admin 0x" + Integer.toHexString(opcode), -1,
                data, dataIn, (cmd, addr, len) -> {
                    NvmeUringCmd c = NvmeUringCmd.over(cmd).opcode(opcode).nsid(nsid).data(addr, len);
                    for (int i = 0; i < cdws.length; i++) {
                        c.cdw(10 + i, cdws[i]);
                    }
                }, r -> r);
    }

    /** Admin opcode Get Log Page. */
    static final int OPC_GET_LOG_PAGE = 0x02;
    /** Admin opcode Set Features. */
    static final int OPC_SET_FEATURES = 0x09;
    /** Admin opcode Get Features. */
    static final int OPC_GET_FEATURES = 0x0a;
    /** Log Identifier: Error Information. */
    public static final int LOG_ERROR = 0x01;
    /** Log Identifier: SMART / Health Information. */
    public static final int LOG_SMART = 0x02;
    /** Feature Identifier: Temperature Threshold. */
    public static final int FEATURE_TEMPERATURE_THRESHOLD = 0x04;
    /** Feature Identifier: Volatile Write Cache. */
    public static final int FEATURE_VOLATILE_WRITE_CACHE = 0x06;
    /** Feature Identifier: Number of Queues. */
    public static final int FEATURE_NUMBER_OF_QUEUES = 0x07;
    /** The NSID that means "the controller, all namespaces". */
    private static final int ALL_NAMESPACES = 0xffffffff;

    /**
     * Get Log Page {@code logId} for {@code nsid}: {@code bytes} (a multiple of 4, at least 4) from the page's start,
     * into a new 4 KiB-aligned buffer the caller releases.
     *
     * @param logId the Log Identifier (LID), 0 to 255, e.g. {@link #LOG_SMART}
     * @param nsid  the namespace id, or {@code 0xffffffff} for the controller-wide page
     * @param bytes how many bytes to read (NUMD), a positive multiple of 4
     * @return the page's first {@code bytes} bytes, readable; fails with {@link IllegalArgumentException} for a
     *         bad log id or length, {@link NvmeStatusException} on an NVMe error status (the buffer is then
     *         released)
     */
    public Future<ByteBuf> logPage(int logId, int nsid, int bytes) {
        if (bytes < 4 || bytes % 4 != 0 || (logId & ~0xff) != 0) {
            return device.io().newFailedFuture(new IllegalArgumentException(
                    "log id 0..255 and a length that is a positive multiple of 4: " + logId + ", " + bytes));
        }
        ByteBuf data = AlignedBuffers.allocate(bytes, 4096);
        int numd = bytes / 4 - 1;
        Future<ByteBuf> result = NvmeCommands.submit(device, NvmeUringCmd.CMD_ADMIN,
                "nvme get log page 0x" + Integer.toHexString(logId), -1, data, true,
                (cmd, addr, len) -> NvmeUringCmd.over(cmd).opcode(OPC_GET_LOG_PAGE).nsid(nsid).data(addr, len)
                        .cdw(10, logId | (numd & 0xffff) << 16).cdw(11, numd >>> 16),
                r -> data.writerIndex(bytes));
        result.addListener(f -> {
            if (!f.isSuccess()) {
                data.release();
            }
        });
        return result;
    }

    /**
     * The SMART / Health Information log page, controller-wide.
     *
     * @return the parsed page (Log Identifier 02h, 512 bytes); fails with {@link NvmeStatusException} on an
     *         NVMe error status
     */
    public Future<NvmeSmartLog> smartLog() {
        return parsed(logPage(LOG_SMART, ALL_NAMESPACES, NvmeSmartLog.SIZE), NvmeSmartLog::parse);
    }

    /**
     * The first {@code entries} entries of the Error Information log page, newest first; empty entries (error
     * count 0) are left out. The controller keeps ELPE + 1 entries (Identify Controller).
     *
     * @param entries how many entries to read, 1 to 256 (64 bytes each)
     * @return the non-empty entries among them, an unmodifiable list; fails with
     *         {@link IllegalArgumentException} outside 1..256, {@link NvmeStatusException} on an NVMe error status
     */
    public Future<List<NvmeErrorLogEntry>> errorLog(int entries) {
        if (entries < 1 || entries > 256) {
            return device.io().newFailedFuture(new IllegalArgumentException("1..256 entries: " + entries));
        }
        return parsed(logPage(LOG_ERROR, ALL_NAMESPACES, entries * NvmeErrorLogEntry.SIZE), page -> {
            List<NvmeErrorLogEntry> list = new ArrayList<>();
            for (int i = 0; i < entries; i++) {
                NvmeErrorLogEntry e = NvmeErrorLogEntry.parse(page, i);
                if (e.errorCount() != 0) {
                    list.add(e);
                }
            }
            return List.copyOf(list);
        });
    }

    /**
     * Get Features {@code featureId} (current value) for {@code nsid} (0 for controller-wide): dword 0 of the result.
     *
     * @param featureId the Feature Identifier (FID, CDW10 bits 0-7), e.g. {@link #FEATURE_NUMBER_OF_QUEUES}
     * @param nsid      the namespace id, or 0 for a controller-wide feature
     * @return the completion's dword 0, the feature's value; fails with {@link NvmeStatusException} on an NVMe
     *         error status (e.g. Invalid Field in Command for a feature the controller lacks)
     */
    public Future<Integer> feature(int featureId, int nsid) {
        return NvmeCommands.submit(device, NvmeUringCmd.CMD_ADMIN, "nvme get features 0x"
                + Integer.toHexString(featureId), -1, null, false,
                (cmd, addr, len) -> NvmeUringCmd.over(cmd).opcode(OPC_GET_FEATURES).nsid(nsid).cdw(10, featureId & 0xff),
                r -> (int) r.extra0());
    }

    /**
     * Set Features {@code featureId} to {@code value} (dword 11) for {@code nsid} (0: controller-wide); with
     * {@code save}, the value persists across resets where the feature is saveable. Gives dword 0 of the result.
     *
     * @param featureId the Feature Identifier (FID, CDW10 bits 0-7), e.g. {@link #FEATURE_VOLATILE_WRITE_CACHE}
     * @param nsid      the namespace id, or 0 for a controller-wide feature
     * @param value     the feature's new value, as CDW11 encodes it
     * @param save      whether to set Save (SV, CDW10 bit 31)
     * @return the completion's dword 0 (meaning depends on the feature); fails with {@link NvmeStatusException}
     *         on an NVMe error status (e.g. Feature Identifier Not Saveable)
     */
    public Future<Integer> setFeature(int featureId, int nsid, int value, boolean save) {
        return NvmeCommands.submit(device, NvmeUringCmd.CMD_ADMIN, "nvme set features 0x"
                + Integer.toHexString(featureId), -1, null, false,
                (cmd, addr, len) -> NvmeUringCmd.over(cmd).opcode(OPC_SET_FEATURES).nsid(nsid)
                        .cdw(10, (featureId & 0xff) | (save ? 1 << 31 : 0)).cdw(11, value),
                r -> (int) r.extra0());
    }

    /**
     * Whether the volatile write cache is on (Get Features 06h); fails where the controller has none.
     *
     * @return true when the cache is enabled (WCE, bit 0); fails with {@link NvmeStatusException} where the
     *         controller has no volatile write cache
     */
    public Future<Boolean> volatileWriteCache() {
        return parsedValue(feature(FEATURE_VOLATILE_WRITE_CACHE, 0), v -> (v & 1) != 0);
    }

    /**
     * Turns the volatile write cache on or off (Set Features 06h, not saved).
     *
     * @param enabled whether the cache should be on (WCE)
     * @return {@code enabled}, once the controller accepted it; fails with {@link NvmeStatusException} where
     *         the controller has no volatile write cache
     */
    public Future<Boolean> setVolatileWriteCache(boolean enabled) {
        return parsedValue(setFeature(FEATURE_VOLATILE_WRITE_CACHE, 0, enabled ? 1 : 0, false), v -> enabled);
    }

    /**
     * The I/O queues the controller allocated (Get Features 07h): {@code [submission, completion]}, each the
     * count, not the 0-based value the command returns.
     *
     * @return a new two-element array: I/O submission queues (NSQA + 1), then I/O completion queues (NCQA + 1)
     */
    public Future<int[]> queueCount() {
        return parsedValue(feature(FEATURE_NUMBER_OF_QUEUES, 0), v -> new int[] {(v & 0xffff) + 1, (v >>> 16) + 1});
    }

    private <T> Future<T> parsed(Future<ByteBuf> page, Function<ByteBuf, T> parse) {
        return parsedValue(page, buf -> {
            try {
                return parse.apply(buf);
            } finally {
                buf.release();
            }
        });
    }

    private <V, T> Future<T> parsedValue(Future<V> f, Function<V, T> parse) {
        Promise<T> promise = device.io().newPromise();
        f.addListener((Future<V> g) -> {
            if (!g.isSuccess()) {
                promise.tryFailure(g.cause());
                return;
            }
            try {
                promise.trySuccess(parse.apply(g.getNow()));
            } catch (RuntimeException e) {
                promise.tryFailure(e);
            }
        });
        return promise;
    }

    /**
     * Closes the device.
     *
     * @return completes once the device is closed
     */
    public Future<Void> close() {
        return device.close();
    }

    @Override
    public String toString() {
        return "NvmeController[" + device + "]";
    }
}
