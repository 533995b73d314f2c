package io.i2o2.uring;

import io.i2o2.uring.gen.LinuxUring;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * Linux error numbers: their names ({@code "EAGAIN"}) and descriptions ({@code "Resource temporarily
 * unavailable"}), and the handful the library decides on by value.
 *
 * <p>The table is built once from the header the bindings were generated from (every {@code E*} constant)
 * and from libc's {@code strerror}, so it matches the kernel ABI rather than a hand-kept list.
 */
public final class Errno {
    /** Operation not permitted. */
    public static final int EPERM = LinuxUring.EPERM();
    /** No such file or directory. */
    public static final int ENOENT = LinuxUring.ENOENT();
    /** Interrupted system call. */
    public static final int EINTR = LinuxUring.EINTR();
    /** Input/output error. */
    public static final int EIO = LinuxUring.EIO();
    /** Bad file descriptor. */
    public static final int EBADF = LinuxUring.EBADF();
    /** Resource temporarily unavailable. */
    public static final int EAGAIN = LinuxUring.EAGAIN();
    /** Cannot allocate memory. */
    public static final int ENOMEM = LinuxUring.ENOMEM();
    /** Bad address. */
    public static final int EFAULT = LinuxUring.EFAULT();
    /** Device or resource busy. */
    public static final int EBUSY = LinuxUring.EBUSY();
    /** File exists. */
    public static final int EEXIST = LinuxUring.EEXIST();
    /** Invalid argument. */
    public static final int EINVAL = LinuxUring.EINVAL();
    /** No space left on device. */
    public static final int ENOSPC = LinuxUring.ENOSPC();
    /** Function not implemented. */
    public static final int ENOSYS = LinuxUring.ENOSYS();
    /** Timer expired (a timeout op's normal completion). */
    public static final int ETIME = LinuxUring.ETIME();
    /** No such device or address. */
    public static final int ENXIO = LinuxUring.ENXIO();
    /** Operation not supported. */
    public static final int EOPNOTSUPP = LinuxUring.EOPNOTSUPP();
    /** Operation canceled. */
    public static final int ECANCELED = LinuxUring.ECANCELED();
    /** Operation already in progress (an async cancel that found its target running). */
    public static final int EALREADY = LinuxUring.EALREADY();
    /** Completion queue overflowed and the kernel holds completions back. */
    public static final int EBADR = LinuxUring.EBADR();
    /** Permission denied. */
    public static final int EACCES = LinuxUring.EACCES();
    /** Not a directory. */
    public static final int ENOTDIR = LinuxUring.ENOTDIR();
    /** Is a directory. */
    public static final int EISDIR = LinuxUring.EISDIR();
    /** Too many open files in the system. */
    public static final int ENFILE = LinuxUring.ENFILE();
    /** Too many open files. */
    public static final int EMFILE = LinuxUring.EMFILE();
    /** Numerical result out of range. */
    public static final int ERANGE = LinuxUring.ERANGE();
    /** Cross-device link: also {@code openat2}'s answer to a path out of its directory ({@code RESOLVE_BENEATH}). */
    public static final int EXDEV = LinuxUring.EXDEV();
    /** Too many levels of symbolic links: also {@code openat2}'s answer to a link it was told to refuse. */
    public static final int ELOOP = LinuxUring.ELOOP();

    private static final int MAX = 4096;
    private static final String[] NAMES = new String[MAX];
    private static final String[] DESCRIPTIONS = new String[MAX];

    static {
        for (Method m : LinuxUring.class.getMethods()) {
            String name = m.getName();
            if (Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0 && m.getReturnType() == int.class
                    && name.length() > 1 && name.charAt(0) == 'E' && name.chars().allMatch(c -> Character.isUpperCase(c)
                    || Character.isDigit(c))) {
                try {
                    int value = (int) m.invoke(null);
                    // Aliases (EWOULDBLOCK = EAGAIN, EDEADLOCK = EDEADLK): keep the classic name.
                    if (value > 0 && value < MAX && (NAMES[value] == null || name.length() < NAMES[value].length())) {
                        NAMES[value] = name;
                    }
                } catch (ReflectiveOperationException e) {
                    throw new ExceptionInInitializerError(e);
                }
            }
        }
        for (int i = 1; i < MAX; i++) {
            if (NAMES[i] != null) {
                // strerror returns a pointer into static storage: read it right away, once, at class init.
                MemorySegment text = LinuxUring.strerror(i);
                DESCRIPTIONS[i] = text.reinterpret(256).getString(0);
            }
        }
    }

    private Errno() {
    }

    /**
     * The symbolic name of an error number, such as {@code "ENOENT"}; accepts {@code errno} or the negative
     * result io_uring reports. Unknown values give {@code "errno N"}.
     *
     * @param errno the error number (positive)
     * @return the symbolic name of an error number, such as {@code "ENOENT"}; accepts {@code errno} or the negative result io_uring reports
     */
    public static String name(int errno) {
        int e = Math.abs(errno);
        return e < MAX && NAMES[e] != null ? NAMES[e] : "errno " + e;
    }

    /**
     * The C library's description of an error number ({@code strerror}); accepts a negative result too.
     *
     * @param errno the error number (positive)
     * @return the C library's description of an error number ({@code strerror}); accepts a negative result too
     */
    public static String describe(int errno) {
        int e = Math.abs(errno);
        return e < MAX && DESCRIPTIONS[e] != null ? DESCRIPTIONS[e] : "Unknown error " + e;
    }

    /**
     * {@code "ENOENT (No such file or directory)"}: the name with its description, for messages.
     *
     * @param errno the error number (positive)
     * @return the name with its description, e.g. {@code "ENOENT (No such file or directory)"}
     */
    public static String format(int errno) {
        return name(errno) + " (" + describe(errno) + ")";
    }
}
