package io.i2o2.file.nvme;

import io.i2o2.file.IoUringFile;
import io.i2o2.file.UringCmdResult;
import io.i2o2.file.UringCmdWriter;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Sends one NVMe command as a {@code uring_cmd} and turns its completion into a value or an error: a
 * negative {@code res} is the kernel's errno (already a failed future), a positive one the device's NVMe
 * status ({@link NvmeStatusException}).
 */
final class NvmeCommands {
    private NvmeCommands() {
    }

    /**
     * A test seam: when set, sees each command's {@code cmd_op} and image right after its writer filled it, on
     * the submitting thread (tests assert on the bytes without a device).
     */
    static volatile BiConsumer<Integer, MemorySegment> tap;

    static <T> Future<T> submit(IoUringFile device, int cmdOp, String name, long lba, ByteBuf data, boolean dataIn,
                                UringCmdWriter writer, Function<UringCmdResult, T> value) {
        return settle(device, name, lba, device.uringCmd(cmdOp, data, dataIn, tapped(cmdOp, writer)), value);
    }

    /** {@link #submit} for a vectored command: {@code writer} gets the iovec array's address and count. */
    static <T> Future<T> submitVectored(IoUringFile device, int cmdOp, String name, long lba, ByteBuf[] data,
                                        boolean dataIn, UringCmdWriter writer, Function<UringCmdResult, T> value) {
        return settle(device, name, lba, device.uringCmdVectored(cmdOp, data, dataIn, tapped(cmdOp, writer)), value);
    }

    private static UringCmdWriter tapped(int cmdOp, UringCmdWriter writer) {
        BiConsumer<Integer, MemorySegment> t = tap;
        if (t == null) {
            return writer;
        }
        return (cmd, addr, len) -> {
            writer.write(cmd, addr, len);
            t.accept(cmdOp, cmd);
        };
    }

    private static <T> Future<T> settle(IoUringFile device, String name, long lba, Future<UringCmdResult> sent,
                                        Function<UringCmdResult, T> value) {
        Promise<T> promise = device.io().newPromise();
        sent.addListener((Future<UringCmdResult> f) -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
                return;
            }
            UringCmdResult r = f.getNow();
            if (r.res() != 0) {
                promise.tryFailure(new NvmeStatusException(name, r.res(), device.fd(), lba));
                return;
            }
            try {
                promise.trySuccess(value.apply(r));
            } catch (RuntimeException e) {
                promise.tryFailure(e);
            }
        });
        return promise;
    }

    /** A Netty future as a CompletableFuture, for composing setup steps. */
    static <T> CompletableFuture<T> stage(Future<T> f) {
        CompletableFuture<T> cf = new CompletableFuture<>();
        f.addListener((Future<T> g) -> {
            if (g.isSuccess()) {
                cf.complete(g.getNow());
            } else {
                cf.completeExceptionally(g.cause());
            }
        });
        return cf;
    }

    /** Completes {@code promise} as {@code stage} completes, unwrapping {@link CompletionException}s. */
    static <T> Future<T> settle(CompletableFuture<T> stage, Promise<T> promise) {
        stage.whenComplete((value, error) -> {
            if (error == null) {
                promise.trySuccess(value);
            } else {
                promise.tryFailure(error instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : error);
            }
        });
        return promise;
    }
}
