package io.i2o2.uring;

import io.i2o2.uring.gen.LinuxUring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few plain system calls on descriptors and threads that the layers above need outside a ring: closing
 * a descriptor when no ring can, reading a descriptor's open flags, pinning the calling thread to a CPU.
 */
public final class FileDescriptors {
    private FileDescriptors() {
    }

    /**
     * {@code close(fd)} on the calling thread.
     *
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @throws UringException when the kernel refuses the call (it carries the errno)
     */
    public static void close(int fd) throws UringException {
        int ret = Syscalls.close(Syscalls.threadCallState(), fd);
        if (ret < 0) {
            throw new UringException("close(" + fd + ")", -ret, null);
        }
    }

    /**
     * The file status flags of {@code fd} ({@code fcntl(F_GETFL)}): {@link Linux#O_DIRECT} and friends.
     *
     * @param fd the file descriptor (or registered file index with {@link SqeFlags#FIXED_FILE})
     * @return the file status flags of {@code fd} ({@code fcntl(F_GETFL)})
     * @throws UringException when the kernel refuses the call (it carries the errno)
     */
    public static int statusFlags(int fd) throws UringException {
        int ret = Syscalls.fcntl(Syscalls.threadCallState(), fd, LinuxUring.F_GETFL());
        if (ret < 0) {
            throw new UringException("fcntl(" + fd + ", F_GETFL)", -ret, null);
        }
        return ret;
    }

    /**
     * Pins the calling thread to one CPU ({@code sched_setaffinity}).
     *
     * @param cpu the CPU number
     * @throws UringException when the kernel refuses the call (it carries the errno)
     */
    public static void pinCurrentThread(int cpu) throws UringException {
        if (cpu < 0 || cpu >= 4096) {
            throw new IllegalArgumentException("cpu must be 0..4095: " + cpu);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(JAVA_LONG, 4096 / 64);
            mask.set(JAVA_LONG, (long) (cpu / 64) * Long.BYTES, 1L << (cpu % 64));
            int ret = Syscalls.schedSetaffinity(Syscalls.threadCallState(), mask);
            if (ret < 0) {
                throw new UringException("sched_setaffinity(cpu=" + cpu + ")", -ret, null);
            }
        }
    }
}
