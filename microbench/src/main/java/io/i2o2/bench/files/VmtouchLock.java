package io.i2o2.bench.files;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Locks a file in memory with {@code vmtouch -l}, a separate process that maps, touches and mlocks it and
 * then sleeps until killed. Its CPU time is outside the JVM, so it does not count against any backend.
 */
public final class VmtouchLock implements MemoryLock {
    private final Process process;
    private final Path file;

    private VmtouchLock(Process process, Path file) {
        this.process = process;
        this.file = file;
    }

    /**
     * Starts vmtouch and waits until the whole file is resident (at most a minute).
     *
     * @param file the file to lock
     * @param size its size
     * @return the lock
     * @throws IOException if vmtouch fails or the file does not become resident
     */
    public static VmtouchLock start(Path file, long size) throws IOException {
        Process p = new ProcessBuilder("vmtouch", "-l", "-q", file.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    throw new IOException("vmtouch -l exited with status " + p.exitValue()
                            + " (memory lock limit? run as root or raise ulimit -l)");
                }
                long resident = Residency.residentBytes(file);
                if (resident >= size || resident < 0) {   // < 0: no fincore to ask; vmtouch runs anyway
                    return new VmtouchLock(p, file);
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p.destroy();
        throw new IOException("vmtouch did not make " + file + " resident within 60 s");
    }

    @Override
    public String describe() {
        return "vmtouch -l " + file + " (pid " + process.pid() + ")";
    }

    @Override
    public void close() {
        process.destroy();   // SIGTERM ends vmtouch's sleep; the kernel drops its mlock with the process
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
