/**
 * Netty executor groups whose loops each own an io_uring ring, for file IO and NVMe passthrough.
 *
 * <p>The Netty modules its API shows ({@code ByteBuf}, {@code Future}, {@code EventExecutor},
 * {@code MultiThreadIoEventLoopGroup}) and the ring module are required transitively, so a module that
 * {@code requires io.i2o2.file} reads them too. Two Netty modules are optional ({@code requires static},
 * as their Maven dependencies are optional): Netty's io_uring transport
 * ({@code io.netty.transport.classes.io_uring}), used only for file IO on Netty's own io_uring loops, and
 * {@code io.netty.handler}, for {@code IoUringChunkedFile}'s {@code ChunkedInput}. Neither is transitive:
 * javac would then demand them when compiling every user module. A static dependency is in the running
 * module graph only when another module requires it or {@code --add-modules} names it; an application
 * that runs Netty's io_uring transport (or uses {@code IoUringChunkedFile}) requires it itself anyway, and
 * then {@code IoUringFileIo.of} finds Netty's loops.
 *
 * <p>This module calls no restricted FFM method itself: {@code --enable-native-access=io.i2o2.uring} is
 * the whole flag on the module path.
 */
// javac's "module" lint: "i2o2" ends in a digit; the name is the one the jars always carried.
@SuppressWarnings("module")
module io.i2o2.file {
    requires transitive io.i2o2.uring;
    requires transitive io.netty.common;
    requires transitive io.netty.buffer;
    requires transitive io.netty.transport;
    requires static io.netty.transport.classes.io_uring;
    requires static io.netty.handler;
    // The flight-recorder events (FileEvents); jdk.jfr is in every full JDK runtime.
    requires jdk.jfr;

    exports io.i2o2.file;
    exports io.i2o2.file.nvme;
}
