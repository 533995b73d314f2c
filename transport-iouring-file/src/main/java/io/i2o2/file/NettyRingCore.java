package io.i2o2.file;

import io.netty.channel.IoEventLoop;

/** Placeholder: Netty's own io_uring loops (coming next). */
abstract class NettyRingCore extends FileIoCore {
    NettyRingCore(IoEventLoop loop, int maxInFlight) {
        super(loop, maxInFlight);
    }

    static FileIoCore attach(IoEventLoop loop) {
        throw new IllegalArgumentException(loop + " runs neither this library's io_uring ring nor Netty's io_uring "
                + "transport: use an IoUringFileEventLoopGroup, IoUringPassthroughEventLoopGroup, or Netty's "
                + "IoUringIoHandler");
    }
}
