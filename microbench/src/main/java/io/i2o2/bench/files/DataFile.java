package io.i2o2.bench.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * The files the benchmark reads and writes: one data file of random bytes (created once and reused
 * while its size matches: writing a gigabyte takes seconds) and a scratch file for writes.
 */
public final class DataFile {
    private DataFile() {
    }

    /**
     * Creates the data file with random bytes unless it already exists with this size.
     *
     * @param path the file
     * @param size its size in bytes (a multiple of 4 KiB is expected)
     * @return true if it was (re)written
     * @throws IOException if it cannot be written
     */
    public static boolean ensure(Path path, long size) throws IOException {
        if (Files.isRegularFile(path) && Files.size(path) == size) {
            return false;
        }
        Files.createDirectories(path.toAbsolutePath().getParent());
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        // Random bytes, not zeros: no filesystem can store them sparse or compressed.
        SplittableRandom random = new SplittableRandom(0x1202L);
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long written = 0; written < size; ) {
                chunk.clear();
                while (chunk.remaining() >= Long.BYTES) {
                    chunk.putLong(random.nextLong());
                }
                chunk.flip().limit((int) Math.min(chunk.limit(), size - written));
                while (chunk.hasRemaining()) {
                    written += ch.write(chunk);
                }
            }
            ch.force(true);
        }
        Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    /**
     * Recreates the write scratch file empty and sparse at the given size, so every seqwrite trial (in any
     * backend, fio included, which would otherwise lay the file out first) overwrites the same kind of
     * extents.
     *
     * @param path the scratch file
     * @param size its length
     * @throws IOException if it cannot be created
     */
    public static void resetScratch(Path path, long size) throws IOException {
        Files.deleteIfExists(path);
        Files.createDirectories(path.toAbsolutePath().getParent());
        try (var raf = new java.io.RandomAccessFile(path.toFile(), "rw")) {
            raf.setLength(size);
        }
    }
}
