/**
 * An io_uring ring in plain Java over the FFM API, with no dependency beyond the JDK: setting a ring up
 * ({@link io.i2o2.uring.Ring}, {@link io.i2o2.uring.RingParams}, {@link io.i2o2.uring.SetupFlag}), writing
 * submission entries ({@link io.i2o2.uring.Sqe}), reaping completions
 * ({@link io.i2o2.uring.CompletionQueue}), registering buffers and files, probing what the kernel offers
 * ({@link io.i2o2.uring.Probe}, {@link io.i2o2.uring.IoUringProbe}), and the Linux constants the operations
 * take ({@link io.i2o2.uring.Linux}, {@link io.i2o2.uring.Errno}). Where io_uring is blocked,
 * {@link io.i2o2.uring.SqeSyscalls} runs the same encoded entries as blocking system calls.
 *
 * <p>This is the layer the Netty event loops of {@code io.i2o2.file} are built on; most users want those.
 * The JVM must grant native access: {@code --enable-native-access=ALL-UNNAMED} on the class path, or
 * {@code --enable-native-access=io.i2o2.uring} on the module path.
 */
package io.i2o2.uring;
