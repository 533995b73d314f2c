package io.i2o2.uring;

import io.i2o2.uring.gen.open_how;

import java.lang.foreign.MemorySegment;

/**
 * Writes a {@code struct open_how}, as {@code openat2(2)} ({@link Sqe#prepOpenat2}) reads it, and names its
 * {@code RESOLVE_*} flags.
 */
public final class OpenHow {
    /** Size of the struct: {@code u64 flags, u64 mode, u64 resolve}. */
    public static final int BYTES = (int) open_how.sizeof();

    // <linux/openat2.h>'s macros, which the bindings do not take: ABI values that never change.
    /** {@code RESOLVE_NO_XDEV}: no crossing of mount points (EXDEV). */
    public static final long RESOLVE_NO_XDEV = 0x01;
    /** {@code RESOLVE_NO_MAGICLINKS}: no magic links such as {@code /proc/self/fd/N} (ELOOP). */
    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    /** {@code RESOLVE_NO_SYMLINKS}: no symbolic links at all, in any component (ELOOP). */
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    /** {@code RESOLVE_BENEATH}: never leave the directory, by {@code ..}, absolute paths or links (EXDEV). */
    public static final long RESOLVE_BENEATH = 0x08;
    /** {@code RESOLVE_IN_ROOT}: resolve as if the directory were {@code /} (a chroot for this one lookup). */
    public static final long RESOLVE_IN_ROOT = 0x10;
    /** {@code RESOLVE_CACHED}: answer from the dentry cache only, or fail with EAGAIN (Linux 5.12). */
    public static final long RESOLVE_CACHED = 0x20;

    private OpenHow() {
    }

    /**
     * Writes {@code {flags, mode, resolve}} at the start of {@code at}.
     *
     * @param at the position, {@link #BYTES} of native memory (the kernel reads it by its address)
     * @param flags the {@code O_*} flags
     * @param mode the creation mode: must be 0 unless {@code flags} has {@code O_CREAT} or {@code O_TMPFILE}
     *             (else the kernel answers EINVAL)
     * @param resolve the {@code RESOLVE_*} flags
     * @throws IllegalArgumentException when {@code at} is a heap segment, whose address means nothing to the kernel
     */
    public static void write(MemorySegment at, long flags, long mode, long resolve) {
        if (!at.isNative()) {
            throw new IllegalArgumentException("an open_how for the kernel must be native memory, not a heap segment: "
                    + at);
        }
        open_how.flags(at, flags);
        open_how.mode(at, mode);
        open_how.resolve(at, resolve);
    }

    /**
     * The {@code O_*} flags of the {@code struct open_how} at the start of {@code at}.
     *
     * @param at the position
     * @return its flags
     */
    public static long flags(MemorySegment at) {
        return open_how.flags(at);
    }

    /**
     * The creation mode of the {@code struct open_how} at the start of {@code at}.
     *
     * @param at the position
     * @return its mode
     */
    public static long mode(MemorySegment at) {
        return open_how.mode(at);
    }

    /**
     * The {@code RESOLVE_*} flags of the {@code struct open_how} at the start of {@code at}.
     *
     * @param at the position
     * @return its resolve flags
     */
    public static long resolve(MemorySegment at) {
        return open_how.resolve(at);
    }
}
