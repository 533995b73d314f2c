package io.i2o2.file;

import io.netty.channel.IoHandler;

/** The {@code IoHandler}s of this library's loops, one per engine that owns its loop. */
sealed interface FileIoHandler extends IoHandler permits RingIoHandler, PortableIoHandler {

    /** When a shutdown stops waiting for the loop's ops and cancels them ({@link System#nanoTime}); the first call wins. */
    void shutdownDeadline(long deadline);
}
