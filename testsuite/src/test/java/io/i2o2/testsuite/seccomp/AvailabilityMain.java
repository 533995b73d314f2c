package io.i2o2.testsuite.seccomp;

/**
 * Prints what this JVM's io_uring probes answer, one {@code key=value} a line, for
 * {@link SeccompAvailabilityTest} to read: i2o2's ({@code io.i2o2.file.IoUring}) and Netty's own
 * ({@code io.netty.channel.uring.IoUring}).
 */
public final class AvailabilityMain {
    private AvailabilityMain() {
    }

    public static void main(String[] args) {
        System.out.println("i2o2.available=" + io.i2o2.file.IoUring.isAvailable());
        System.out.println("i2o2.cause=" + oneLine(io.i2o2.file.IoUring.unavailabilityCause()));
        System.out.println("netty.available=" + io.netty.channel.uring.IoUring.isAvailable());
        System.out.println("netty.cause=" + oneLine(io.netty.channel.uring.IoUring.unavailabilityCause()));
    }

    private static String oneLine(Throwable t) {
        if (t == null) {
            return "";
        }
        StringBuilder s = new StringBuilder(String.valueOf(t));
        for (Throwable c = t.getCause(); c != null && c != t; c = c.getCause()) {
            s.append(" <- ").append(c);
        }
        return s.toString().replace('\n', ' ');
    }
}
