package io.i2o2.bench.peer;

import java.nio.file.OpenOption;

/**
 * The JDK's O_DIRECT open option, {@code com.sun.nio.file.ExtendedOpenOption.DIRECT} (module
 * jdk.unsupported). Looked up by name so the build carries no "internal proprietary API" warning.
 */
final class DirectIo {
    /** The option; opening with it fails on JDKs or file systems without O_DIRECT. */
    static final OpenOption OPTION = lookup();

    private DirectIo() {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static OpenOption lookup() {
        try {
            Class<? extends Enum> type = (Class<? extends Enum>) Class.forName("com.sun.nio.file.ExtendedOpenOption");
            return (OpenOption) Enum.valueOf(type, "DIRECT");
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
