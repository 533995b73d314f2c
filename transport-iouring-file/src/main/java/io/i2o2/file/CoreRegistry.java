package io.i2o2.file;

import io.netty.util.concurrent.EventExecutor;

import java.lang.ref.WeakReference;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The live {@link FileIoCore}s by loop, found by their loop for as long as the loop exists: the file API of
 * a loop that shut down refuses every op rather than disappear.
 */
final class CoreRegistry {
    /**
     * Both weakly: a loop holds its own core (our ring is its {@code IoHandler}; Netty's keeps our registration),
     * so a lookup works for as long as the loop exists, also after it shut down, and an entry goes away with its
     * loop.
     */
    private static final Map<EventExecutor, WeakReference<FileIoCore>> CORES =
            Collections.synchronizedMap(new WeakHashMap<>());

    private CoreRegistry() {
    }

    /** The core registered for {@code loop}, or null. */
    static FileIoCore of(EventExecutor loop) {
        WeakReference<FileIoCore> ref = CORES.get(loop);
        return ref == null ? null : ref.get();
    }

    /** Makes {@code core} findable by its loop; false if the loop already has one. */
    static boolean publish(FileIoCore core) {
        synchronized (CORES) {
            if (of(core.executor()) != null) {
                return false;
            }
            CORES.put(core.executor(), new WeakReference<>(core));
            return true;
        }
    }

    /** Removes {@code core} from the registry (it cannot serve its loop, which may get another). */
    static void unpublish(FileIoCore core) {
        synchronized (CORES) {
            if (of(core.executor()) == core) {
                CORES.remove(core.executor());
            }
        }
    }
}
