package io.i2o2.example.fileserver;

import java.util.Locale;

/** Where the file-serving handler runs, and so which thread submits its io_uring reads. */
public enum Wiring {
    /**
     * The handler is added with {@code pipeline.addLast(fileGroup, handler)}: it runs on an io_uring loop,
     * so its reads go straight into that loop's submission queue and complete on the same thread. Netty 4.2
     * deprecates that {@code addLast} overload (its next major version drops it).
     */
    URING,
    /**
     * The handler runs on the channel's own event loop and submits reads to files of
     * {@code fileGroup.next()}, passing {@code ctx.executor().newPromise()} so completions come back to it.
     */
    CHANNEL;

    /** The name on the command line: {@code uring} or {@code channel}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The wiring a command-line name stands for.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Wiring fromCliName(String name) {
        for (Wiring w : values()) {
            if (w.cliName().equals(name)) {
                return w;
            }
        }
        throw new IllegalArgumentException("--wiring must be uring or channel: " + name);
    }
}
