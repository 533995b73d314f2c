package io.i2o2.testsuite.seccomp;

import io.i2o2.uring.WithoutIoUring;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The README's examples ({@code io.i2o2.file.ReadmeExamplesTest}) in a container whose seccomp profile
 * refuses io_uring: run in a child JVM under the real no-uring filter ({@link ReadmeExamplesMain}), each must
 * pass there too, on the portable engine, and none may be skipped.
 *
 * <p>A failure shows the child's output, one line per example (an example whose check only holds on a ring
 * fails here). Needs no io_uring on the host (under the filter there is none anyway), hence
 * {@link WithoutIoUring}.
 */
@WithoutIoUring
class SeccompReadmeExamplesTest {
    @Test
    void theReadmesExamplesPassUnderTheFilter() throws Exception {
        try (ChildJvm examples = ChildJvm.underFilter(ReadmeExamplesMain.class.getName())) {
            int status = examples.awaitExit(Duration.ofMinutes(3));
            assertEquals(0, status, () -> "the README's examples did not all pass under the no-uring seccomp filter; "
                    + examples.describe());
        }
    }
}
