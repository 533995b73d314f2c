package io.i2o2.testsuite.reliability;

import io.i2o2.file.IntFuture;
import io.i2o2.file.FileIo;
import io.i2o2.file.IoUringFile;
import io.i2o2.file.IoUringFileEventLoopGroup;
import io.i2o2.file.LinkedOps;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * The process {@link DurabilityTest} kills: appends fixed-size checksummed records through an io_uring loop,
 * each made durable with {@code fdatasync} before it is acknowledged, and prints {@code ack <seq>} for each
 * acknowledged record, until it is killed.
 *
 * <p>Usage: {@code DurabilityChild FILE linked|sequential DEPTH}. {@code linked}: each record is a
 * {@link LinkedOps} chain write → fdatasync, acknowledged when the fdatasync completes; {@code sequential}:
 * the write, then once it completed an fdatasync. Up to DEPTH records are in flight at once, so
 * acknowledgements may come out of order.
 */
public final class DurabilityChild {
    /** Bytes per record: sequence number, payload, CRC32C of both. */
    static final int RECORD = 512;
    private static final int CRC_AT = RECORD - Long.BYTES;

    private DurabilityChild() {
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        boolean linked = args[1].equals("linked");
        Semaphore window = new Semaphore(Integer.parseInt(args[2]));
        IoUringFileEventLoopGroup group = new IoUringFileEventLoopGroup(1);
        FileIo loop = FileIo.of(group.next());
        IoUringFile file = loop.open(path, WRITE, CREATE, TRUNCATE_EXISTING).get(10, TimeUnit.SECONDS);
        System.out.println("ready");
        System.out.flush();
        for (long seq = 0; ; seq++) {
            window.acquire();
            long s = seq;
            ByteBuf rec = Unpooled.directBuffer(RECORD, RECORD).writeBytes(encode(seq));
            if (linked) {
                LinkedOps chain = loop.link();
                IntFuture written = chain.write(file, rec, seq * RECORD);
                IntFuture synced = chain.fdatasync(file);
                chain.submit();
                synced.addListener(f -> {
                    rec.release();
                    acknowledge(s, written.isSuccess() && written.resultAsInt() == RECORD && f.isSuccess(), f);
                    window.release();
                });
            } else {
                file.write(rec, seq * RECORD).addListener(w -> {
                    rec.release();
                    if (!w.isSuccess() || (Integer) w.getNow() != RECORD) {
                        acknowledge(s, false, w);
                        return;
                    }
                    file.fdatasync().addListener(f -> {
                        acknowledge(s, f.isSuccess(), f);
                        window.release();
                    });
                });
            }
        }
    }

    /** Prints the acknowledgement only once the record is synced; any failure ends the process loudly. */
    private static synchronized void acknowledge(long seq, boolean durable, io.netty.util.concurrent.Future<?> f) {
        if (!durable) {
            System.err.println("record " + seq + " failed: " + f.cause());
            System.exit(3);
        }
        System.out.println("ack " + seq);
        System.out.flush();
    }

    /** Record {@code seq}: its number, a payload derived from it, and the CRC32C of both. */
    static byte[] encode(long seq) {
        ByteBuffer b = ByteBuffer.allocate(RECORD);
        b.putLong(seq);
        b.put(Kit.record(seq, 7, CRC_AT - Long.BYTES));
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, CRC_AT);
        b.putLong(crc.getValue());
        return b.array();
    }

    /** Why the bytes at {@code offset} are not record {@code seq} intact, or null. */
    static String check(byte[] file, long seq) {
        long offset = seq * RECORD;
        if (offset + RECORD > file.length) {
            return "missing: the file ends at " + file.length;
        }
        ByteBuffer b = ByteBuffer.wrap(file, (int) offset, RECORD).slice();
        CRC32C crc = new CRC32C();
        crc.update(file, (int) offset, CRC_AT);
        if (b.getLong(CRC_AT) != crc.getValue()) {
            return "torn or corrupt: checksum mismatch";
        }
        if (b.getLong(0) != seq) {
            return "holds record " + b.getLong(0);
        }
        return java.util.Arrays.equals(file, (int) offset, (int) offset + RECORD, encode(seq), 0, RECORD) ? null
                : "payload differs";
    }
}
