package io.i2o2.file.nvme;

import io.i2o2.file.AlignedBuffers;
import io.i2o2.file.IoUringFileIo;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.UringCmdResult;
import io.i2o2.uring.NvmeUringCmd;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;

import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * An NVMe controller's character device ({@code /dev/nvmeX}), for admin commands
 * ({@code NVME_URING_CMD_ADMIN}, Linux 6.0+, needs {@code CAP_SYS_ADMIN}) on a passthrough loop.
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
     * Opens the controller device on {@code loop}, which must be an {@code IoUringPassthroughEventLoopGroup}'s.
     *
     * @param loop the file API of a loop with 128-byte SQEs (an {@code IoUringPassthroughEventLoopGroup}'s)
     * @param controllerDevice the controller's character device, e.g. {@code /dev/nvme0}
     * @return the controller, once opened
     */
    public static Future<NvmeController> open(IoUringFileIo loop, Path controllerDevice) {
        Objects.requireNonNull(controllerDevice, "controllerDevice");
        if (!loop.isPassthrough()) {
            return loop.newFailedFuture(new UnsupportedOperationException("NVMe passthrough needs 128-byte SQEs: "
                    + "use a loop of an IoUringPassthroughEventLoopGroup, not " + loop));
        }
        return NvmeCommands.settle(NvmeCommands.stage(loop.open(controllerDevice, StandardOpenOption.READ,
                StandardOpenOption.WRITE)).thenApply(NvmeController::new), loop.newPromise());
    }

    /**
     * The controller's device.
     *
     * @return the controller's device
     */
    public IoUringFile device() {
        return device;
    }

    /**
     * Identify Controller: model, serial, transfer limit, optional commands.
     *
     * @return the controller's identify data, once read
     */
    public Future<NvmeControllerInfo> identify() {
        return identifyInto(NvmeUringCmd.CNS_CONTROLLER, 0, NvmeControllerInfo::parse);
    }

    /**
     * Identify Namespace {@code nsid}: size and LBA format.
     *
     * @param nsid the NVMe namespace id
     * @return the namespace's identify data, once read
     */
    public Future<NvmeNamespaceInfo> identifyNamespace(int nsid) {
        if (nsid <= 0) {
            return device.io().newFailedFuture(new IllegalArgumentException("nsid must be >= 1: " + nsid));
        }
        return identifyInto(NvmeUringCmd.CNS_NAMESPACE, nsid, data -> NvmeNamespaceInfo.parse(nsid, data));
    }

    private <T> Future<T> identifyInto(int cns, int nsid, java.util.function.Function<ByteBuf, T> parse) {
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
     * @param opcode the opcode
     * @param nsid the NVMe namespace id
     * @param data the data buffer (pinned until the command completes), or {@code null} for none
     * @param dataIn {@code true} when the controller writes into {@code data} (e.g. Identify), {@code false} when it reads it
     * @param cdws command dwords 10 onwards
     * @return the command's result: the CQE's {@code res} and its two extra words
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

    /**
     * Closes the device.
     *
     * @return a future that completes when the device is closed
     */
    public Future<Void> close() {
        return device.close();
    }

    @Override
    public String toString() {
        return "NvmeController[" + device + "]";
    }
}
