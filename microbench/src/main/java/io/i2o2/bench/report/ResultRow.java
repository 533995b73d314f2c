package io.i2o2.bench.report;

import io.i2o2.bench.Measurement;
import io.i2o2.bench.Trial;
import io.i2o2.bench.Workload;

/**
 * One row of the result table.
 *
 * @param backend     the backend's name
 * @param workload    the workload
 * @param trial       the trial, or null for an unavailable backend's placeholder row
 * @param measurement what was measured, or null if the trial could not run
 * @param problem     why there is no measurement (empty if there is one)
 * @param ratio       ops/s relative to the reference, or null if there is none
 */
public record ResultRow(String backend, Workload workload, Trial trial, Measurement measurement, String problem,
                        Ratio ratio) {

    /**
     * A row's ratio to the reference backend.
     *
     * @param value     this row's ops/s divided by the reference's
     * @param reference the reference backend's name
     * @param vsBest    true when the reference had no row at the same concurrency, so this is relative to
     *                  the reference's best figure in the family
     */
    public record Ratio(double value, String reference, boolean vsBest) {
    }

    /**
     * A measured row.
     *
     * @param backend the backend
     * @param trial   the trial
     * @param m       the measurement
     * @return the row
     */
    public static ResultRow measured(String backend, Trial trial, Measurement m) {
        return new ResultRow(backend, trial.workload(), trial, m, "", null);
    }

    /**
     * A row for a trial or backend that could not run.
     *
     * @param backend  the backend
     * @param workload the workload
     * @param trial    the trial, or null
     * @param problem  why
     * @return the row
     */
    public static ResultRow failed(String backend, Workload workload, Trial trial, String problem) {
        return new ResultRow(backend, workload, trial, null, problem, null);
    }

    /**
     * This row with a ratio.
     *
     * @param r the ratio
     * @return a copy
     */
    public ResultRow withRatio(Ratio r) {
        return new ResultRow(backend, workload, trial, measurement, problem, r);
    }

    /** The QD/threads label, or {@code -}. */
    public String point() {
        return trial == null ? "-" : trial.label();
    }

    /** Bytes per second moved (a query's: all its reads'), or 0 for NOPs and rows without a measurement. */
    public double bytesPerSecond() {
        return measurement == null ? 0 : measurement.opsPerSecond() * trial.bytesPerOp();
    }
}
