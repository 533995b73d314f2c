package io.i2o2.testsuite;

import io.i2o2.uring.WithoutIoUring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user's module on the module path: one that says nothing but {@code requires io.i2o2.file;} compiles
 * against the built library modules (the API's Netty types readable through them), and runs with the
 * README's one flag, {@code --enable-native-access=io.i2o2.uring}, without a restricted-method warning. A
 * module that also requires Netty's io_uring transport gets file IO on Netty's own loops: the library's
 * optional ({@code requires static}) dependency on it is then in the module graph.
 *
 * <p>The module path is taken from this test's class path: the entries that are the modules
 * {@code io.i2o2.uring}, {@code io.i2o2.file} (target/classes or the jars, as the reactor gives them) and
 * Netty's. The tests themselves run on the class path (see the parent pom's surefire configuration).
 */
class ModulePathConsumerTest {
    private static final String FLAG = "--enable-native-access=io.i2o2.uring";
    /** Netty's native io_uring library, a module of its own that nothing requires: named with --add-modules. */
    private static final String NETTY_URING_NATIVE = "io.netty.transport.io_uring.linux.x86_64";
    /** What a Maven user of transport-iouring-file gets: its optional dependencies (netty-handler, Netty's io_uring) not. */
    private static final Set<String> LIBRARY = Set.of("io.i2o2.uring", "io.i2o2.file", "io.netty.common",
            "io.netty.buffer", "io.netty.transport", "io.netty.resolver");
    /** And Netty's io_uring transport, as its users have it. */
    private static final Set<String> WITH_NETTY_URING = Stream.concat(LIBRARY.stream(), Stream.of(
            "io.netty.transport.classes.io_uring", "io.netty.transport.unix.common", NETTY_URING_NATIVE))
            .collect(Collectors.toUnmodifiableSet());

    @TempDir
    Path dir;

    @Test
    @WithoutIoUring
    void aModuleThatRequiresOnlyIoI2o2FileCompiles() throws IOException {
        compile(consumer(), modulePath(LIBRARY));
    }

    @Test
    void itReadsAFileOnTheModulePathWithTheReadmeFlag() throws Exception {
        String mp = modulePath(LIBRARY);
        Path classes = compile(consumer(), mp);
        Path data = Files.writeString(dir.resolve("hello.txt"), "hello from the module path");

        Run run = java(List.of(FLAG, "--module-path", classes + File.pathSeparator + mp,
                "-m", "consumer/consumer.Main", data.toString()));

        assertEquals(0, run.exit, run.toString());
        assertTrue(run.out.contains("read 26: hello from the module path"), run.toString());
        // The flag names every module that calls a restricted method: the JVM would warn for any other.
        assertFalse(run.err.contains("restricted method"), run.toString());
    }

    @Test
    void withNettysIoUringTransportRequiredFileIoRunsOnNettysLoop() throws Exception {
        String mp = modulePath(WITH_NETTY_URING);
        Path classes = compile(nettyLoopConsumer(), mp);
        Path data = Files.writeString(dir.resolve("hello.txt"), "on netty's ring");

        // Netty's transport loads its JNI library from io.netty.common, and its native jar is a module that
        // nothing requires: the README gives these two additions for Netty's io_uring users.
        Run run = java(List.of(FLAG + ",io.netty.common", "--add-modules", NETTY_URING_NATIVE,
                "--module-path", classes + File.pathSeparator + mp,
                "-m", "consumer/consumer.Main", data.toString()));

        assertEquals(0, run.exit, run.toString());
        assertTrue(run.out.contains("netty loop, read 15: on netty's ring"), run.toString());
        assertFalse(run.err.contains("restricted method"), run.toString());
    }

    // ---- the consumers ----

    /** Uses each Netty type the API shows, by name, with no Netty module required. */
    private Path consumer() throws IOException {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("consumer"));
        Files.writeString(src.resolve("module-info.java"), "module consumer { requires io.i2o2.file; }\n");
        Files.writeString(src.resolve("consumer/Main.java"), """
                package consumer;

                import io.i2o2.file.IoUringFile;
                import io.i2o2.file.IoUringFileEventLoopGroup;
                import io.i2o2.file.IoUringFileIo;
                import io.netty.buffer.ByteBuf;
                import io.netty.buffer.PooledByteBufAllocator;
                import io.netty.channel.MultiThreadIoEventLoopGroup;
                import io.netty.util.concurrent.EventExecutor;
                import io.netty.util.concurrent.Future;
                import java.nio.charset.StandardCharsets;
                import java.nio.file.Path;

                public final class Main {
                    public static void main(String[] args) throws Exception {
                        MultiThreadIoEventLoopGroup files = new IoUringFileEventLoopGroup(1);
                        try {
                            EventExecutor loop = files.next();
                            IoUringFileIo io = IoUringFileIo.of(loop);
                            IoUringFile file = io.open(Path.of(args[0])).sync().getNow();
                            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(4096);
                            Future<Integer> read = file.read(buf, 0).sync();
                            System.out.println("read " + read.getNow() + ": " + buf.toString(StandardCharsets.UTF_8));
                            buf.release();
                            file.close();
                        } finally {
                            files.shutdownGracefully().sync();
                        }
                    }
                }
                """);
        return src;
    }

    /** What a user of Netty's io_uring transport writes: it requires that module itself. */
    private Path nettyLoopConsumer() throws IOException {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("consumer"));
        Files.writeString(src.resolve("module-info.java"), """
                module consumer {
                    requires io.i2o2.file;
                    requires io.netty.transport.classes.io_uring;
                }
                """);
        Files.writeString(src.resolve("consumer/Main.java"), """
                package consumer;

                import io.i2o2.file.IoUringFile;
                import io.i2o2.file.IoUringFileIo;
                import io.netty.buffer.ByteBuf;
                import io.netty.buffer.PooledByteBufAllocator;
                import io.netty.channel.IoEventLoop;
                import io.netty.channel.MultiThreadIoEventLoopGroup;
                import io.netty.channel.uring.IoUringIoHandler;
                import java.nio.charset.StandardCharsets;
                import java.nio.file.Path;

                public final class Main {
                    public static void main(String[] args) throws Exception {
                        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory());
                        try {
                            IoEventLoop loop = group.next();
                            if (!IoUringFileIo.isSupported(loop)) {
                                throw new AssertionError("IoUringFileIo does not see Netty's io_uring loop");
                            }
                            IoUringFileIo io = IoUringFileIo.of(loop);
                            IoUringFile file = io.open(Path.of(args[0])).sync().getNow();
                            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(4096);
                            int n = file.read(buf, 0).sync().getNow();
                            System.out.println((io.isNettyRing() ? "netty loop" : "own ring") + ", read " + n + ": "
                                    + buf.toString(StandardCharsets.UTF_8));
                            buf.release();
                            file.close();
                        } finally {
                            group.shutdownGracefully().sync();
                        }
                    }
                }
                """);
        return src;
    }

    // ---- module path, javac, java ----

    /** The class-path entries that are the modules named (each entry one module, as Maven lays them out). */
    private static String modulePath(Set<String> modules) {
        List<String> mp = new ArrayList<>();
        Set<String> found = new HashSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (!Files.exists(p)) {
                continue;
            }
            Set<ModuleReference> refs;
            try {
                refs = ModuleFinder.of(p).findAll();
            } catch (FindException notAModule) {   // e.g. a test-classes directory
                continue;
            }
            if (refs.size() == 1) {
                String name = refs.iterator().next().descriptor().name();
                if (modules.contains(name) && found.add(name)) {
                    mp.add(entry);
                }
            }
        }
        assertEquals(modules, found, "modules found on the class path (" + System.getProperty("java.class.path") + ")");
        return String.join(File.pathSeparator, mp);
    }

    private Path compile(Path src, String modulePath) throws IOException {
        Path out = dir.resolve("classes");
        List<String> args = new ArrayList<>(List.of("--module-path", modulePath, "-d", out.toString(),
                "-Xlint:all", "-Werror"));
        try (Stream<Path> files = Files.walk(src)) {
            args.addAll(files.filter(f -> f.toString().endsWith(".java")).map(Path::toString).toList());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
        assertEquals(0, rc, "javac " + String.join(" ", args) + "\n" + diagnostics.toString(StandardCharsets.UTF_8));
        return out;
    }

    private Run java(List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        p.getOutputStream().close();
        // Both streams drained at once so that neither pipe can fill and stall the child.
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        String out = drain(p.getInputStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the consumer did not exit in 60 s");
        return new Run(command, p.exitValue(), out, err.join());
    }

    private static String drain(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private record Run(List<String> command, int exit, String out, String err) {
        @Override
        public String toString() {
            return command.stream().collect(Collectors.joining(" ")) + "\nexit " + exit + "\nstdout:\n" + out
                    + "\nstderr:\n" + err;
        }
    }
}
