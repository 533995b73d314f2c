package io.i2o2.uring.demo;

import io.i2o2.uring.IoUringProbe;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;

/**
 * What {@code ./i2o2} starts a program through: {@code Launch PROGRAM MAIN-CLASS ARGS...} first checks that
 * io_uring is usable ({@link IoUringProbe#exitIfUnavailable}: one line and exit status 1 if not, no stack
 * trace), then runs {@code MAIN-CLASS.main(ARGS)} in the same JVM. {@code --help} / {@code -h} skip the check.
 */
public final class Launch {
    private Launch() {
    }

    /**
     * Checks io_uring, then runs the program.
     *
     * @param args the program's name (for the message), its main class, then its arguments
     * @throws Throwable whatever the program's main throws
     */
    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            System.err.println("usage: Launch PROGRAM MAIN-CLASS [ARGS...]");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 2, args.length);
        if (!Arrays.asList(rest).contains("--help") && !Arrays.asList(rest).contains("-h")) {
            IoUringProbe.exitIfUnavailable(args[0]);
        }
        MethodHandle main = MethodHandles.publicLookup().findStatic(Class.forName(args[1]), "main",
                MethodType.methodType(void.class, String[].class));
        main.invokeExact(rest);
    }
}
