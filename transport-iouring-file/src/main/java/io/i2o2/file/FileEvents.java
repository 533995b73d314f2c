package io.i2o2.file;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * JFR events for file reads, writes and syncs through the file API, the counterparts of the JDK's
 * {@code jdk.FileRead}, {@code jdk.FileWrite} and {@code jdk.FileForce}: {@code io.i2o2.FileRead},
 * {@code io.i2o2.FileWrite} and {@code io.i2o2.FileSync}, each with the path (or descriptor), offset, bytes,
 * the engine that ran it ({@link IoEngine}'s name) and the time from submission to completion. Off by default; enable them in a recording
 * ({@code jfr configure}, or {@code -XX:StartFlightRecording:settings=...} with
 * {@code io.i2o2.FileRead#enabled=true}). While they are off, an op pays one check and allocates nothing.
 */
final class FileEvents {
    private static final FileRead READS = new FileRead();
    private static final FileWrite WRITES = new FileWrite();
    private static final FileSync SYNCS = new FileSync();

    private FileEvents() {
    }

    /** What every event of an op on a file says. */
    abstract static class FileIoEvent extends Event {
        @Label("Path")
        @Description("The file's path, when it was opened by path")
        String path;

        @Label("File Descriptor")
        int fd;

        @Label("Offset")
        @DataAmount
        long offset;

        @Label("Bytes")
        @Description("Bytes transferred (reads and writes), or the result (syncs); negative: -errno")
        long bytes;

        @Label("Engine")
        @Description("What ran it: RING_SQE64, RING_SQE128, NETTY_RING (io_uring) or PORTABLE (a worker's system call)")
        String engine;
    }

    @Name("io.i2o2.FileRead")
    @Label("i2o2 File Read")
    @Category({"i2o2", "File IO"})
    @Enabled(false)
    @StackTrace(false)
    @Threshold("20 ms")
    static final class FileRead extends FileIoEvent {
    }

    @Name("io.i2o2.FileWrite")
    @Label("i2o2 File Write")
    @Category({"i2o2", "File IO"})
    @Enabled(false)
    @StackTrace(false)
    @Threshold("20 ms")
    static final class FileWrite extends FileIoEvent {
    }

    @Name("io.i2o2.FileSync")
    @Label("i2o2 File Sync")
    @Category({"i2o2", "File IO"})
    @Enabled(false)
    @StackTrace(false)
    @Threshold("20 ms")
    static final class FileSync extends FileIoEvent {
    }

    /** Starts the event of an op on a file, if its type is enabled; the op carries it to its completion. */
    static void begin(OpSlot op) {
        FileIoEvent e = switch (op.kind.events()) {
            case NONE -> null;
            case READ -> READS.isEnabled() ? new FileRead() : null;
            case WRITE -> WRITES.isEnabled() ? new FileWrite() : null;
            case SYNC -> SYNCS.isEnabled() ? new FileSync() : null;
        };
        if (e != null) {
            e.begin();
            op.event = e;
        }
    }

    /** Ends and commits an op's event (if it has one and it lasted past its threshold). */
    static void end(OpSlot op, int res, IoEngine engine) {
        FileIoEvent e = op.event;
        e.end();
        if (e.shouldCommit()) {
            e.path = op.file == null ? null : op.file.pathOrNull();
            e.fd = op.file == null ? op.fd : op.file.fd();
            e.offset = op.offset;
            e.bytes = res;
            e.engine = engine.name();
            e.commit();
        }
    }
}
