package io.i2o2.file;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Netty's leak detector at PARANOID for every test, with leaks turned into test failures: registered for all
 * tests through {@code META-INF/services} (autodetection is on in {@code junit-platform.properties}).
 *
 * <p>After each test class it forces the garbage collector to find buffers that became unreachable without
 * being released, and fails the class listing every leak and where the buffer was last touched.
 */
public final class LeakDetection implements AfterAllCallback {
    private static final List<String> LEAKS = new ArrayList<>();

    static {
        // Before any buffer class creates its detector: the factory decides what a report does.
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
        // Files report their leaks in their own words, past the factory.
        FileLife.reports = RecordingFactory::record;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        List<String> found = collect();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " ByteBuf leak(s) after " + context.getDisplayName() + ":\n"
                    + String.join("\n----\n", found));
        }
    }

    /** Runs the collector and the detector until quiet; returns (and forgets) the leaks it reported. */
    public static List<String> collect() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
            // Detection happens when a new buffer is tracked: allocate some to drain the reference queue.
            for (int j = 0; j < 16; j++) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                ByteBuf b = UnpooledByteBufAllocator.DEFAULT.directBuffer(16);
                a.release();
                b.release();
            }
        }
        synchronized (LEAKS) {
            List<String> copy = new ArrayList<>(LEAKS);
            LEAKS.clear();
            return copy;
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                   long maxActive) {
            return new ResourceLeakDetector<T>(resource, samplingInterval) {
                @Override
                protected void reportTracedLeak(String resourceType, String records) {
                    record(resourceType + " leaked" + records);
                    super.reportTracedLeak(resourceType, records);
                }

                @Override
                protected void reportUntracedLeak(String resourceType) {
                    record(resourceType + " leaked (untraced)");
                    super.reportUntracedLeak(resourceType);
                }

                @Override
                protected boolean needReport() {
                    return true;
                }
            };
        }

        private static void record(String leak) {
            synchronized (LEAKS) {
                LEAKS.add(leak);
            }
        }
    }
}
