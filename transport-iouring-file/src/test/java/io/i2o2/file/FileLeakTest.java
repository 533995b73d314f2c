package io.i2o2.file;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.i2o2.file.FileOpsTest.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A file that owns its descriptor and is dropped unclosed is reported like a leaked buffer; a closed one is not. */
class FileLeakTest {
    @TempDir
    Path dir;

    @Test
    void anUnclosedFileIsReportedAClosedOneIsNot() throws Exception {
        IoUringFileEventLoopGroup group = new IoUringFileEventLoopGroup(1);
        try {
            FileIo io = group.nextFileIo();
            Path path = Files.write(dir.resolve("data"), new byte[16]);
            LeakDetection.collect();
            openAndDrop(io, path);
            await(await(io.open(path)).close());       // closed: never reported
            List<String> leaks = new ArrayList<>();
            for (int i = 0; i < 10 && leaks.isEmpty(); i++) {
                System.gc();
                Thread.sleep(20);
                // The detector looks for collected files when it tracks a new one.
                await(await(io.open(path)).close());
                leaks.addAll(LeakDetection.collect());
            }
            assertTrue(leaks.size() == 1 && leaks.get(0).contains("IoUringFile"),
                    "exactly the dropped file is reported: " + leaks);
            // In a file's words: it has no release(), Netty's own wording for a leaked buffer.
            assertTrue(leaks.get(0).startsWith("LEAK: an IoUringFile was not closed (close()) before it was"
                    + " garbage-collected"), leaks.get(0));
            assertFalse(leaks.get(0).contains("release()"), leaks.get(0));
        } finally {
            Groups.shutdown(group);
        }
    }

    private static void openAndDrop(FileIo io, Path path) throws Exception {
        await(io.open(path));
    }
}
