package io.i2o2.example.fileserver;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * What the file operations of one request produced, handed in one piece to the loop that writes the
 * response. Whoever holds one either answers with it or calls {@link #release()}, exactly once, on any
 * thread: that gives back the file reference and the body buffer it carries.
 */
sealed interface Prepared {
    /** Gives back what this holds; the other kinds hold nothing. */
    default void release() {
    }

    /**
     * A regular file and its response.
     *
     * @param file a reference to the file, the holder's
     * @param plan the response {@link ResponsePlan#decide} chose
     * @param body the body, read when {@link ResponsePlan#needsRead} said so, the holder's; or null
     */
    record Answer(OpenFile file, ResponsePlan plan, ByteBuf body) implements Prepared {
        @Override
        public void release() {
            if (body != null) {
                body.release();
            }
            file.release();
        }
    }

    /** A directory (with no index file) to list; {@code dirKey}: its path under the root. */
    record Listing(String dirKey) implements Prepared {
    }

    /** An error status with nothing to read: a FIFO, socket or device is refused with 403. */
    record Refused(HttpResponseStatus status) implements Prepared {
    }

    /** An operation failed; {@link HttpFileHandler#statusOf} says what that answers. */
    record Failed(Throwable cause) implements Prepared {
    }
}
