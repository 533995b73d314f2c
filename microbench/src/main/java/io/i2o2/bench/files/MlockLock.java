package io.i2o2.bench.files;

import io.i2o2.bench.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Locks a file in memory from inside the JVM: map it read-only, fault every page in, {@code mlock} the
 * mapping. The fallback when vmtouch cannot be had. The page-in happens before any trial, so its CPU
 * time is not charged to a backend.
 */
public final class MlockLock implements MemoryLock {
    private final Arena arena;
    private final MemorySegment mapping;
    private final Path file;

    private MlockLock(Arena arena, MemorySegment mapping, Path file) {
        this.arena = arena;
        this.mapping = mapping;
        this.file = file;
    }

    /**
     * Maps and locks the file.
     *
     * @param file the file
     * @return the lock
     * @throws IOException if mapping or mlock fails
     */
    public static MlockLock start(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            m.load();
            Libc.mlock(m);
            return new MlockLock(arena, m, file);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    @Override
    public String describe() {
        return "mmap + mlock of " + file + " in the benchmark JVM";
    }

    @Override
    public void close() {
        Libc.munlock(mapping);
        arena.close();
    }
}
