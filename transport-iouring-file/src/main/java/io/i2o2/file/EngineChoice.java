package io.i2o2.file;

/**
 * Which engine a loop of this library's groups runs ({@link IoUringConfig.Builder#engine}), for an operator
 * also {@code -Dio.i2o2.engine=auto|io_uring|portable}.
 */
public enum EngineChoice {
    /**
     * io_uring where this JVM may use it, else the portable engine, with the reason logged once at INFO
     * (the default): one code path for every machine.
     */
    AUTO,
    /**
     * io_uring or nothing: a group fails fast, with the reason ({@link IoUring#unavailabilityCause()}), where
     * io_uring is unavailable. For a deployment that must not silently run without it.
     */
    IO_URING,
    /**
     * The portable engine even where io_uring is available: blocking system calls on worker threads
     * ({@link IoEngine#PORTABLE}).
     */
    PORTABLE
}
