package io.i2o2.uring;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What tests of operations on an open file start from: an empty temp file open read-write, a small ring, and a
 * confined arena for buffers; all closed after each test.
 */
abstract class OpenFileRingTest {
    @TempDir
    Path dir;
    Path file;
    int fd;
    Ring ring;
    Arena arena;

    @BeforeEach
    void openFileAndRing() throws Exception {
        file = Files.createFile(dir.resolve("data.bin"));
        fd = TestLibc.open(file, Linux.O_RDWR);
        ring = Ring.open(RingParams.builder().entries(8).build());
        arena = Arena.ofConfined();
    }

    @AfterEach
    void closeFileAndRing() {
        ring.close();
        TestLibc.close(fd);
        arena.close();
    }
}
