package io.i2o2.file;

import io.i2o2.uring.KernelFaults;

/**
 * The one way into the fault seam from outside this package (the testsuite's fault tests): a configuration
 * whose rings make their system calls through a {@link KernelFaults} plan. In the test jar only: the seam is
 * not part of the library's configuration.
 */
public final class FaultSeam {
    private FaultSeam() {
    }

    /**
     * {@code builder} with its rings routed through {@code faults}.
     *
     * @param builder a configuration being built
     * @param faults the fault plan
     * @return {@code builder}
     */
    public static IoUringConfig.Builder faults(IoUringConfig.Builder builder, KernelFaults faults) {
        return builder.faults(faults);
    }
}
