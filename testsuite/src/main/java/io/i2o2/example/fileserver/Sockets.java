package io.i2o2.example.fileserver;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

/**
 * The Netty transport the server's sockets run on: its loops and its listening channel's type.
 */
enum Sockets {
    /** Netty's io_uring transport: its loops' ring runs the file ops too, where this library may use io_uring. */
    IO_URING("io_uring") {
        @Override
        EventLoopGroup newGroup(int threads) {
            return new MultiThreadIoEventLoopGroup(threads, IoUringIoHandler.newFactory());
        }

        @Override
        Class<? extends ServerChannel> serverChannelType() {
            return IoUringServerSocketChannel.class;
        }
    },
    /** Netty's epoll transport: where a seccomp profile blocks io_uring, the native transport that is left. */
    EPOLL("epoll") {
        @Override
        EventLoopGroup newGroup(int threads) {
            return new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
        }

        @Override
        Class<? extends ServerChannel> serverChannelType() {
            return EpollServerSocketChannel.class;
        }
    },
    /** The JDK's NIO: runs everywhere. */
    NIO("nio") {
        @Override
        EventLoopGroup newGroup(int threads) {
            return new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        }

        @Override
        Class<? extends ServerChannel> serverChannelType() {
            return NioServerSocketChannel.class;
        }
    };

    private final String label;

    Sockets(String label) {
        this.label = label;
    }

    /** The socket loops, {@code threads} of them. */
    abstract EventLoopGroup newGroup(int threads);

    /** The listening socket's channel type, for {@link #newGroup}'s loops. */
    abstract Class<? extends ServerChannel> serverChannelType();

    /** The name in the server's start-up line: {@code io_uring}, {@code epoll} or {@code nio}. */
    String label() {
        return label;
    }

    /**
     * Netty's io_uring transport where it runs; else (a seccomp profile refusing io_uring, an old kernel) epoll,
     * the other native Linux transport; else NIO. Each check only asks Netty: its transports probe once per JVM.
     */
    static Sockets nativeBest() {
        if (IoUring.isAvailable()) {
            return IO_URING;
        }
        return Epoll.isAvailable() ? EPOLL : NIO;
    }
}
