package io.i2o2.file;

/**
 * What a {@link PortableEngine} is set up with.
 *
 * @param maxInFlight how many ops the loop holds, queued and in flight
 * @param workers the most worker threads
 * @param fixedBuffers the loop's "registered" buffers (plain memory here), or null
 * @param fixedFileSlots how many "registered" file slots (a table of descriptors here)
 * @param raiseBound how to raise {@code maxInFlight}, for the overload refusal
 */
record PortableSettings(int maxInFlight, int workers, FixedBufferPool fixedBuffers, int fixedFileSlots,
                        String raiseBound) {

    /** The settings of a loop of this library's groups. */
    static PortableSettings of(IoUringConfig config) {
        FixedBufferPool buffers = config.fixedBufferCount() > 0
                ? new FixedBufferPool(config.fixedBufferCount(), config.fixedBufferSize()) : null;
        return new PortableSettings(config.maxInFlight(), config.portableWorkers(), buffers, config.fixedFileSlots(),
                "raise IoUringConfig.maxInFlight");
    }

    /**
     * The settings on a loop of another transport, which no {@code IoUringConfig} reaches: the process-wide
     * defaults ({@code -Dio.i2o2.maxInFlight}, {@code -Dio.i2o2.portableWorkers}), no registered buffers or files.
     */
    static PortableSettings forForeignLoop() {
        return new PortableSettings(ConfigProperties.MAX_IN_FLIGHT, ConfigProperties.PORTABLE_WORKERS, null, 0,
                "raise -Dio.i2o2.maxInFlight (IoUringConfig does not reach loops of other transports)");
    }
}
