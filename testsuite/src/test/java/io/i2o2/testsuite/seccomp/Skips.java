package io.i2o2.testsuite.seccomp;

import org.junit.jupiter.api.Assumptions;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Skips that cannot go unnoticed: a skipped seccomp check must not read as a green one. */
public final class Skips {
    private Skips() {
    }

    /**
     * Says {@code reason} on the build's console (the JVM's own standard error, past Surefire's capture of
     * {@code System.err}) and in the test report, then skips the test.
     */
    public static void loudly(String reason) {
        String line = "i2o2 seccomp tests: SKIPPED: " + reason;
        PrintStream console = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        console.println(line);
        System.err.println(line);
        Assumptions.abort(line);
    }
}
