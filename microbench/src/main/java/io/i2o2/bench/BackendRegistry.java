package io.i2o2.bench;

import io.i2o2.bench.peer.AsyncFileChannelBackend;
import io.i2o2.bench.peer.CLiburingBackend;
import io.i2o2.bench.peer.FileChannelBackend;
import io.i2o2.bench.peer.FioBackend;
import io.i2o2.bench.peer.I2o2Backend;
import io.i2o2.bench.peer.JavaHandoffBackend;
import io.i2o2.bench.peer.NettyIoUringBackend;
import java.util.List;
import java.util.Locale;

/**
 * The backends by name, in table order. The reference for ratios is the first of {@link #REFERENCES}
 * that measured something in a family of rows.
 */
public final class BackendRegistry {
    /** Every backend name, in the order rows appear. */
    public static final List<String> NAMES =
            List.of("c-liburing", "fio", "filechannel", "fc-per-thread", "async-fc", "java-handoff", "netty-iouring", "i2o2-netty", "i2o2", "i2o2-callback",
                    "i2o2-batch", "portable", "portable-callback", "portable-batch");
    /** Backends that ratios are taken against, most preferred first. */
    public static final List<String> REFERENCES = List.of("c-liburing", "fio");

    private BackendRegistry() {
    }

    /**
     * The canonical name for a name or alias given on the command line.
     *
     * @param name e.g. {@code c}, {@code netty}, {@code afc}
     * @return the canonical name
     * @throws IllegalArgumentException for an unknown name
     */
    public static String canonical(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "c", "c-liburing", "liburing" -> "c-liburing";
            case "fio" -> "fio";
            case "filechannel", "fc" -> "filechannel";
            case "fc-per-thread", "filechannel-per-thread" -> "fc-per-thread";
            case "async-fc", "afc", "asyncfilechannel" -> "async-fc";
            case "netty", "netty-iouring" -> "netty-iouring";
            case "i2o2" -> "i2o2";
            case "i2o2-callback", "i2o2-cb" -> "i2o2-callback";
            case "i2o2-batch", "i2o2-batches" -> "i2o2-batch";
            case "java-handoff", "handoff" -> "java-handoff";
            case "i2o2-netty", "i2o2-on-netty" -> "i2o2-netty";
            case "portable", "i2o2-portable" -> "portable";
            case "portable-callback", "portable-cb" -> "portable-callback";
            case "portable-batch", "portable-batches" -> "portable-batch";
            default -> throw new IllegalArgumentException("unknown backend '" + name + "' (one of "
                    + String.join(", ", NAMES) + ")");
        };
    }

    /**
     * A new instance of a backend.
     *
     * @param name a canonical name
     * @return the backend
     */
    public static Backend create(String name) {
        return switch (name) {
            case "c-liburing" -> new CLiburingBackend();
            case "fio" -> new FioBackend();
            case "filechannel" -> new FileChannelBackend();
            case "fc-per-thread" -> new FileChannelBackend(true);
            case "async-fc" -> new AsyncFileChannelBackend();
            case "netty-iouring" -> new NettyIoUringBackend();
            case "i2o2" -> new I2o2Backend(false, false);
            case "i2o2-callback" -> new I2o2Backend(false, true);
            case "java-handoff" -> new JavaHandoffBackend();
            case "i2o2-netty" -> new I2o2Backend(true, false);
            case "portable" -> new I2o2Backend(I2o2Backend.Engine.PORTABLE, false);
            case "portable-callback" -> new I2o2Backend(I2o2Backend.Engine.PORTABLE, true);
            case "i2o2-batch" -> I2o2Backend.batches(I2o2Backend.Engine.RING);
            case "portable-batch" -> I2o2Backend.batches(I2o2Backend.Engine.PORTABLE);
            default -> throw new IllegalArgumentException("unknown backend " + name);
        };
    }
}
