package io.i2o2.file;

import java.util.concurrent.TimeUnit;

/**
 * The defaults an operator can set without code, as system properties read once (the first time a
 * configuration is built), in the style of Netty's {@code io.netty.*} properties:
 *
 * <table>
 *   <caption>System properties</caption>
 *   <tr><th>property</th><th>default</th><th>what</th></tr>
 *   <tr><td>{@code io.i2o2.ringEntries}</td><td>256</td><td>SQ entries per ring</td></tr>
 *   <tr><td>{@code io.i2o2.maxInFlight}</td><td>4096</td><td>ops one loop holds, queued and in flight (also the bound
 *       on Netty's io_uring loops, which no {@code IoUringConfig} reaches; there at most 65535)</td></tr>
 *   <tr><td>{@code io.i2o2.spinMicros}</td><td>20</td><td>how long an idle loop watches for work before it sleeps</td></tr>
 *   <tr><td>{@code io.i2o2.waiterSpinMicros}</td><td>100</td><td>how long a platform thread blocked on one of our
 *       futures spins before it parks, at most (it adapts: {@link WaiterSpin}); 0 parks at once</td></tr>
 *   <tr><td>{@code io.i2o2.wakeup}</td><td>{@code auto}</td><td>{@code auto} (MSG_RING where the kernel has it) or
 *       {@code eventfd}</td></tr>
 *   <tr><td>{@code io.i2o2.engine}</td><td>{@code auto}</td><td>{@code auto} (io_uring where available, else the
 *       portable engine), {@code io_uring} (or fail) or {@code portable}</td></tr>
 *   <tr><td>{@code io.i2o2.portableWorkers}</td><td>256</td><td>worker threads per portable loop, at most</td></tr>
 *   <tr><td>{@code io.i2o2.producerLanes}</td><td>16</td><td>platform threads per loop that hand ops over through a
 *       lane of their own ({@link ProducerLane}); others, and virtual threads, share one queue; 0: none</td></tr>
 *   <tr><td>{@code io.i2o2.shutdownTimeoutMillis}</td><td>15000</td><td>how long a shutdown without a timeout of
 *       its own lets accepted ops finish</td></tr>
 * </table>
 *
 * A value that does not parse or is out of range is ignored with a warning; every value set is logged at
 * debug level. A builder call overrides the property.
 */
final class ConfigProperties {
    private static final System.Logger logger = System.getLogger(ConfigProperties.class.getName());

    static final int RING_ENTRIES = intProperty("io.i2o2.ringEntries", 256, 1, 32768);
    static final int MAX_IN_FLIGHT = intProperty("io.i2o2.maxInFlight", 4096, 1, 1 << 22);
    static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(intProperty("io.i2o2.spinMicros", 20, 0, 10_000));
    /** How long a platform thread waiting for one of our futures spins before it parks ({@link WaiterSpin}). */
    static final long WAITER_SPIN_NANOS =
            TimeUnit.MICROSECONDS.toNanos(intProperty("io.i2o2.waiterSpinMicros", 100, 0, 10_000));
    static final boolean EVENTFD_WAKEUP = wakeup();
    static final long SHUTDOWN_TIMEOUT_NANOS =
            TimeUnit.MILLISECONDS.toNanos(intProperty("io.i2o2.shutdownTimeoutMillis", 15_000, 0, Integer.MAX_VALUE));

    private ConfigProperties() {
    }

    static final EngineChoice ENGINE = engineChoice(System.getProperty("io.i2o2.engine"));
    static final int PRODUCER_LANES = intProperty("io.i2o2.producerLanes", 16, 0, 1024);
    static final int PORTABLE_WORKERS = intProperty("io.i2o2.portableWorkers", 256, 1, 4096);

    /** {@code io.i2o2.engine}: auto, io_uring or portable (a wrong value is ignored with a warning). */
    static EngineChoice engineChoice(String value) {
        if (value == null || value.isBlank()) {
            return EngineChoice.AUTO;
        }
        switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "auto":
                return EngineChoice.AUTO;
            case "io_uring":
            case "iouring":
                return EngineChoice.IO_URING;
            case "portable":
                return EngineChoice.PORTABLE;
            default:
                logger.log(System.Logger.Level.WARNING, "io.i2o2.engine: expected auto, io_uring or portable, not '"
                        + value + "'; using auto");
                return EngineChoice.AUTO;
        }
    }

    private static int intProperty(String name, int fallback, int min, int max) {
        return parseInt(name, System.getProperty(name), fallback, min, max);
    }

    /** {@code value} of property {@code name} as an int in {@code min..max}, or {@code fallback} (with a warning). */
    static int parseInt(String name, String value, int fallback, int min, int max) {
        if (value == null) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(value.trim());
            if (v >= min && v <= max) {
                logger.log(System.Logger.Level.DEBUG, "-D" + name + ": " + v);
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        logger.log(System.Logger.Level.WARNING, "-D" + name + "=" + value + " ignored: not a number in " + min + ".."
                + max + "; using " + fallback);
        return fallback;
    }

    private static boolean wakeup() {
        return parseEventFdWakeup(System.getProperty("io.i2o2.wakeup"));
    }

    /** Whether {@code io.i2o2.wakeup} = {@code value} asks for eventfd wake-ups. */
    static boolean parseEventFdWakeup(String value) {
        if (value == null || value.equals("auto")) {
            return false;
        }
        if (value.equals("eventfd")) {
            logger.log(System.Logger.Level.DEBUG, "-Dio.i2o2.wakeup: eventfd");
            return true;
        }
        logger.log(System.Logger.Level.WARNING, "-Dio.i2o2.wakeup=" + value + " ignored: auto or eventfd");
        return false;
    }
}
