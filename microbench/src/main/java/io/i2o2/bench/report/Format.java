package io.i2o2.bench.report;

import java.util.Locale;

/** Number formatting shared by the table and the chart: short, fixed locale, "-" for unknown. */
public final class Format {
    private Format() {
    }

    /**
     * A rate such as {@code 853.2k} or {@code 9.91M}.
     *
     * @param v the rate, or NaN for unknown
     * @return the text, {@code -} for unknown
     */
    public static String rate(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 1e3) {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }

    /** Nanoseconds as microseconds, or {@code -} for unknown (negative). */
    static String micros(long nanos) {
        if (nanos < 0) {
            return "-";
        }
        double us = nanos / 1e3;
        return String.format(Locale.ROOT, us < 100 ? "%.1f" : "%.0f", us);
    }

    /** A plain decimal with the given digits, or {@code -} for NaN. */
    static String fixed(double v, int digits) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }
}
