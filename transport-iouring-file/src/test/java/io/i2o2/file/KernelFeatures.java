package io.i2o2.file;

import io.i2o2.uring.Errno;
import io.i2o2.uring.KernelVersion;
import io.i2o2.uring.Linux;
import io.i2o2.uring.Ring;
import io.i2o2.uring.RingParams;
import io.i2o2.uring.SetupFlag;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * What the running kernel has, found by trying it on a bare ring (never by assuming the developer's kernel):
 * the loop tests that need a feature some supported kernels lack check here and skip with the reason (the
 * ring-level ones, such as MSG_RING wake-ups, are the native module's {@link io.i2o2.uring.KernelFeatures}).
 */
final class KernelFeatures {
    private static volatile Integer socketUringCmd;

    private KernelFeatures() {
    }

    /**
     * Whether sockets take {@code uring_cmd} ({@code SOCKET_URING_OP_SIOCINQ} and friends, Linux 6.7+): one
     * SIOCINQ on a loopback socket through a bare ring. A kernel without it answers {@code -EOPNOTSUPP}.
     */
    static boolean socketUringCmd() {
        return socketUringCmdResult() >= 0;
    }

    static String noSocketUringCmd() {
        return "socket uring_cmd (SOCKET_URING_OP_*, Linux 6.7+) is refused by this kernel ("
                + KernelVersion.running() + "): a bare ring's SIOCINQ got " + Errno.format(socketUringCmdResult());
    }

    private static int socketUringCmdResult() {
        Integer known = socketUringCmd;
        if (known == null) {
            known = probeSocketUringCmd();
            socketUringCmd = known;
        }
        return known;
    }

    private static int probeSocketUringCmd() {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
                 SocketChannel accepted = server.accept();
                 Ring ring = Ring.open(RingParams.builder().entries(2)
                         .require(SetupFlag.SQE128, SetupFlag.CQE32).build())) {
                int fd = PassthroughHostTest.fdOf(accepted);
                ring.sq().next().prepUringCmd(Linux.SOCKET_URING_OP_SIOCINQ, fd).userData(1);
                int[] res = {Integer.MIN_VALUE};
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (res[0] == Integer.MIN_VALUE && System.nanoTime() < deadline) {
                    ring.submitAndWait(1, TimeUnit.MILLISECONDS.toNanos(100));
                    ring.reap((u, r, f, x0, x1) -> res[0] = r, 1);
                }
                return res[0];
            }
        } catch (Exception e) {
            throw new IllegalStateException("the socket uring_cmd probe itself failed", e);
        }
    }
}
