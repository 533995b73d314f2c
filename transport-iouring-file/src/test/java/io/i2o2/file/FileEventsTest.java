package io.i2o2.file;

import io.netty.buffer.ByteBuf;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

import static io.i2o2.file.FileOpsTest.ALLOC;
import static io.i2o2.file.FileOpsTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads, writes and syncs through the ring show up in a JFR recording that enables their events, and only then. */
class FileEventsTest {
    @TempDir
    Path dir;

    @Test
    void readsWritesAndSyncsAreRecordedWhenEnabled() throws Exception {
        IoUringFileEventLoopGroup group = new IoUringFileEventLoopGroup(1);
        try {
            FileIo io = group.nextFileIo();
            Path path = dir.resolve("data");
            IoUringFile file = await(io.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE));
            ByteBuf buf = ALLOC.directBuffer(4096).writeZero(4096);
            assertEquals(4096, await(file.write(buf.duplicate(), 0)));   // before the recording: not recorded
            Path out = dir.resolve("events.jfr");
            try (Recording r = new Recording()) {
                for (String name : List.of("io.i2o2.FileRead", "io.i2o2.FileWrite", "io.i2o2.FileSync")) {
                    r.enable(name).withThreshold(Duration.ZERO);
                }
                r.start();
                assertEquals(4096, await(file.write(buf.duplicate(), 8192)));
                assertEquals(0, await(file.fdatasync()));
                buf.clear();
                assertEquals(4096, await(file.read(buf, 8192)));
                r.stop();
                r.dump(out);
            }
            List<RecordedEvent> events = RecordingFile.readAllEvents(out).stream()
                    .filter(e -> e.getEventType().getName().startsWith("io.i2o2.")).toList();
            assertEquals(List.of("io.i2o2.FileWrite", "io.i2o2.FileSync", "io.i2o2.FileRead"),
                    events.stream().map(e -> e.getEventType().getName()).toList());
            RecordedEvent write = events.get(0);
            assertEquals(path.toString(), write.getString("path"));
            assertEquals(file.fd(), write.getInt("fd"));
            assertEquals(8192, write.getLong("offset"));
            assertEquals(4096, write.getLong("bytes"));
            assertTrue(!write.getDuration().isNegative());
            assertEquals(4096, events.get(2).getLong("bytes"));
            buf.release();
            await(file.close());
        } finally {
            Groups.shutdown(group);
        }
    }
}
