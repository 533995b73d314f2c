package io.i2o2.file;

import io.netty.buffer.ByteBuf;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.i2o2.file.FileOpsTest.ALLOC;
import static io.i2o2.file.FileOpsTest.await;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Netty's io_uring loop cannot do (registered buffers and files, linked chains, {@code uring_cmd}) is
 * refused with one voice: {@link UnsupportedOperationException}, its message naming the group to use instead,
 * thrown by methods that return no future (and by the {@code IoCallback} variants, as every refusal is there),
 * and failing at once the future of those that return one; nothing retained. One row per method.
 */
class NettyLoopRefusalsTest {
    static final String FILE_GROUP = "IoUringFileEventLoopGroup";
    static final String PASSTHROUGH_GROUP = "IoUringPassthroughEventLoopGroup";

    @TempDir
    Path dir;
    MultiThreadIoEventLoopGroup group;

    @AfterEach
    void shutdown() {
        if (group != null) {
            Groups.shutdown(group);
        }
    }

    /** How a row is refused: thrown by the call, or a future failed before the call returns. */
    enum Way { THROWS, FAILS }

    /** One method: what it is called with, and which group its refusal must name. */
    record Row(String method, Way way, String groupToUse, Call call) {
    }

    interface Call {
        Object call(FileIo io, IoUringFile file, Path path, ByteBuf plain) throws Exception;
    }

    static final UringCmdWriter NO_COMMAND = (command, address, length) -> { };
    static final IoCallback IGNORE = (res, tag) -> { };

    static List<Row> rows() {
        return List.of(
                new Row("fixedBuffers()", Way.THROWS, FILE_GROUP, (io, f, p, b) -> io.fixedBuffers()),
                new Row("link()", Way.THROWS, FILE_GROUP, (io, f, p, b) -> io.link()),
                new Row("open(path, REGISTER)", Way.FAILS, FILE_GROUP,
                        (io, f, p, b) -> io.open(p, READ, IoUringOpenOption.REGISTER)),
                new Row("open(path, options, mode)", Way.FAILS, FILE_GROUP,
                        (io, f, p, b) -> io.open(p, Set.of(READ, IoUringOpenOption.REGISTER), 0)),
                new Row("open(path, options, mode, promise)", Way.FAILS, FILE_GROUP,
                        (io, f, p, b) -> io.open(p, Set.of(READ, IoUringOpenOption.REGISTER), 0, io.newPromise())),
                new Row("readFixed(dst, offset)", Way.FAILS, FILE_GROUP, (io, f, p, b) -> f.readFixed(b, 0)),
                new Row("readFixed(dst, offset, promise)", Way.FAILS, FILE_GROUP,
                        (io, f, p, b) -> f.readFixed(b, 0, io.newPromise())),
                new Row("readFixed(dst, offset, callback, tag)", Way.THROWS, FILE_GROUP, (io, f, p, b) -> {
                    f.readFixed(b, 0, IGNORE, 1);
                    return null;
                }),
                new Row("writeFixed(src, offset)", Way.FAILS, FILE_GROUP,
                        (io, f, p, b) -> f.writeFixed(b.writerIndex(64), 0)),
                new Row("writeFixed(src, offset, promise)", Way.FAILS, FILE_GROUP,
                        (io, f, p, b) -> f.writeFixed(b.writerIndex(64), 0, io.newPromise())),
                new Row("writeFixed(src, offset, callback, tag)", Way.THROWS, FILE_GROUP, (io, f, p, b) -> {
                    f.writeFixed(b.writerIndex(64), 0, IGNORE, 1);
                    return null;
                }),
                new Row("uringCmd(...)", Way.FAILS, PASSTHROUGH_GROUP,
                        (io, f, p, b) -> f.uringCmd(0, b, false, NO_COMMAND)),
                new Row("uringCmd(..., promise)", Way.FAILS, PASSTHROUGH_GROUP,
                        (io, f, p, b) -> f.uringCmd(0, b, false, NO_COMMAND, io.newPromise())),
                new Row("uringCmdVectored(...)", Way.FAILS, PASSTHROUGH_GROUP,
                        (io, f, p, b) -> f.uringCmdVectored(0, new ByteBuf[]{b}, false, NO_COMMAND)),
                new Row("uringCmdVectored(..., promise)", Way.FAILS, PASSTHROUGH_GROUP,
                        (io, f, p, b) -> f.uringCmdVectored(0, new ByteBuf[]{b}, false, NO_COMMAND,
                                io.newPromise())));
    }

    @Test
    void everyRefusalOnNettysLoopIsUnsupportedOperationNamingTheGroupToUse() throws Exception {
        Assumptions.assumeTrue(io.netty.channel.uring.IoUring.isAvailable(), "Netty's io_uring transport is absent");
        group = Groups.NETTY.create();
        FileIo io = FileIo.of(group.next());
        Path path = Files.write(dir.resolve("n"), new byte[64]);
        IoUringFile file = await(io.open(path, READ, WRITE));
        List<String> wrong = new ArrayList<>();
        for (Row row : rows()) {
            ByteBuf plain = ALLOC.directBuffer(64);
            Throwable refusal;
            Way way;
            try {
                Object result = row.call().call(io, file, path, plain);
                way = Way.FAILS;
                if (!(result instanceof Future<?> f) || !f.isDone() || f.isSuccess()) {
                    wrong.add(row.method() + ": not refused at once: " + result);
                    continue;
                }
                refusal = f.cause();
            } catch (Exception e) {
                way = Way.THROWS;
                refusal = e;
            }
            if (way != row.way()) {
                wrong.add(row.method() + ": expected it to " + row.way() + ", it " + way + " " + refusal);
            }
            if (refusal.getClass() != UnsupportedOperationException.class) {
                wrong.add(row.method() + ": " + refusal.getClass().getSimpleName() + ", not "
                        + "UnsupportedOperationException: " + refusal.getMessage());
            } else if (refusal.getMessage() == null || !refusal.getMessage().contains(row.groupToUse())) {
                wrong.add(row.method() + ": the message does not name " + row.groupToUse() + ": "
                        + refusal.getMessage());
            }
            if (plain.refCnt() != 1) {
                wrong.add(row.method() + ": retained the buffer (refCnt " + plain.refCnt() + ")");
            }
            plain.release();
        }
        assertEquals(0, io.pendingOps(), "nothing taken");
        await(file.close());
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }
}
