package io.i2o2.bench.peer;

import io.i2o2.bench.Backend;
import io.i2o2.bench.BenchEnv;
import io.i2o2.bench.BenchOptions;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.Trial;
import io.i2o2.bench.TrialPlan;
import io.i2o2.bench.Workload;
import java.util.List;

/**
 * The slot for the library's own backend (module transport-iouring-file). Until that exists it reports
 * itself unavailable, so the table shows the row; the real one replaces this class, keeping the name.
 */
public final class I2o2Backend implements Backend {

    /** Creates the placeholder. */
    public I2o2Backend() {
    }

    @Override
    public String name() {
        return "i2o2";
    }

    @Override
    public String unavailable(BenchEnv env) {
        return "i2o2: not built yet";
    }

    @Override
    public List<Trial> trials(Workload workload, BenchOptions options) {
        return TrialPlan.ring(workload, options);
    }

    @Override
    public Measurement run(Trial trial, BenchEnv env) {
        throw new UnsupportedOperationException("i2o2: not built yet");
    }
}
