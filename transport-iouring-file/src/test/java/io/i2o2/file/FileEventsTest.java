package io.i2o2.file;

import io.netty.buffer.ByteBuf;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
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

/**
 * Reads, writes and syncs show up in a JFR recording that enables their events, and only then, on every engine,
 * each naming the engine that ran it.
 */
class FileEventsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("io.i2o2.file.Groups#all")
    void readsWritesAndSyncsAreRecordedWhenEnabled(Groups type) throws Exception {
        MultiThreadIoEventLoopGroup group = type.create();
        try {
            FileIo io = FileIo.of(group.next());
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
            for (RecordedEvent e : events) {
                assertEquals(io.engine().name(), e.getString("engine"), e.toString());
            }
            buf.release();
            await(file.close());
        } finally {
            Groups.shutdown(group);
        }
    }
}
