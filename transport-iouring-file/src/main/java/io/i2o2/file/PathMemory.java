package io.i2o2.file;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;

/**
 * Paths as NUL-terminated C strings for the kernel. The memory is GC-managed and kept reachable by the op's
 * slot until its CQE arrives, so it is freed neither early nor by hand.
 */
final class PathMemory {
    private PathMemory() {
    }

    /** One absolute path. */
    static MemorySegment of(Path path) {
        return Arena.ofAuto().allocateFrom(absolute(path), StandardCharsets.UTF_8);
    }

    /** A path as given, not made absolute: one resolved from a directory ({@code openat2}). */
    static MemorySegment relative(String path) {
        return Arena.ofAuto().allocateFrom(checkNoNul(path), StandardCharsets.UTF_8);
    }

    /** Two absolute paths back to back (for rename); the second starts at {@link #secondOffset}. */
    static MemorySegment of(Path first, Path second) {
        return Arena.ofAuto().allocateFrom(absolute(first) + '\0' + absolute(second), StandardCharsets.UTF_8);
    }

    /** Where the second path of a pair starts. */
    static long secondOffset(MemorySegment pair) {
        return pair.getString(0, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8).length + 1L;
    }

    private static String absolute(Path path) {
        if (path.getFileSystem() != FileSystems.getDefault()) {
            // A path of a zip file, an in-memory file system...: resolving its string against the real disk
            // would open some other file.
            throw new ProviderMismatchException("not a path of the default file system: " + path + " ("
                    + path.getFileSystem().provider().getScheme() + ")");
        }
        return checkNoNul(path.toAbsolutePath().toString());
    }

    private static String checkNoNul(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("path contains a NUL character: " + s);
        }
        return s;
    }
}
