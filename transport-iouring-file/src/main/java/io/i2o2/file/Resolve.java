package io.i2o2.file;

import io.i2o2.uring.OpenHow;

import java.util.Set;

/**
 * How an open beneath a directory ({@link FileIo#open(IoUringFile, String, Set, int, Set)}) may resolve its
 * path: the {@code RESOLVE_*} flags of {@code openat2(2)}. A path the restrictions refuse fails the open
 * with the kernel's errno ({@link FileIoException#errno()}), as that system call reports it.
 */
public enum Resolve {
    /**
     * {@code RESOLVE_BENEATH}: never leave the directory, by {@code ..}, an absolute path or a link that
     * points out of it (EXDEV).
     */
    BENEATH(OpenHow.RESOLVE_BENEATH),
    /**
     * {@code RESOLVE_IN_ROOT}: resolve as if the directory were {@code /}: an absolute path or link starts at
     * the directory, and {@code ..} stops there.
     */
    IN_ROOT(OpenHow.RESOLVE_IN_ROOT),
    /** {@code RESOLVE_NO_SYMLINKS}: no symbolic links in any component, the last included (ELOOP). */
    NO_SYMLINKS(OpenHow.RESOLVE_NO_SYMLINKS),
    /** {@code RESOLVE_NO_MAGICLINKS}: no magic links such as {@code /proc/self/fd/N} (ELOOP). */
    NO_MAGICLINKS(OpenHow.RESOLVE_NO_MAGICLINKS),
    /** {@code RESOLVE_NO_XDEV}: no crossing of mount points, bind mounts included (EXDEV). */
    NO_XDEV(OpenHow.RESOLVE_NO_XDEV),
    /**
     * {@code RESOLVE_CACHED}: resolve from the kernel's dentry cache only, else fail with EAGAIN (Linux 5.12;
     * older kernels answer EINVAL).
     */
    CACHED(OpenHow.RESOLVE_CACHED);

    private final long bit;

    Resolve(long bit) {
        this.bit = bit;
    }

    /** The {@code open_how.resolve} bits of {@code resolve}. */
    static long bits(Set<Resolve> resolve) {
        long bits = 0;
        for (Resolve r : resolve) {
            bits |= r.bit;
        }
        return bits;
    }
}
