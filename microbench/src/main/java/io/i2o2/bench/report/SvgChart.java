package io.i2o2.bench.report;

import io.i2o2.bench.ThreadKind;
import io.i2o2.bench.Trial;
import io.i2o2.bench.Workload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Draws ops/s against queue depth (or threads) per backend, one panel per family of rows, as a plain SVG
 * file written by hand (no plotting library). X is logarithmic (QD 1, 32, 128 spread evenly), Y linear
 * from zero so that heights compare honestly. The latency workload (QD1 only) gets p50/p99 bars instead.
 */
public final class SvgChart {
    private static final int WIDTH = 980;
    private static final int PANEL = 300;
    private static final int LEFT = 80;
    private static final int PLOT_W = 620;
    private static final int TOP = 40;
    private static final int PLOT_H = 210;
    private static final Map<String, String> COLORS = Map.of(
            "c-liburing", "#1f77b4", "fio", "#ff7f0e", "filechannel", "#2ca02c", "async-fc", "#d62728",
            "netty-iouring", "#9467bd", "i2o2", "#8c564b", "portable", "#e377c2", "fc-per-thread", "#17becf");
    /** A backend's first series is solid; its other variants (registered, virtual, QDs) get these. */
    private static final String[] DASHES = {"", "6 3", "2 3", "10 3 2 3", "1 4", "12 6"};

    private SvgChart() {
    }

    /**
     * Renders the chart.
     *
     * @param title a line shown on top (machine and date)
     * @param rows  the rows (only measured ones are drawn)
     * @return the SVG document
     */
    public static String render(String title, List<ResultRow> rows) {
        Map<String, List<ResultRow>> families = new LinkedHashMap<>();
        for (ResultRow r : rows) {
            if (r.measurement() != null) {
                families.computeIfAbsent(r.trial().familyKey(), k -> new ArrayList<>()).add(r);
            }
        }
        int height = 30 + Math.max(1, families.size()) * PANEL;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                WIDTH, height, WIDTH, height));
        b.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        b.append(text(10, 20, esc(title), "start", 13, "bold"));
        if (families.isEmpty()) {
            b.append(text(WIDTH / 2, 60, "no measured rows", "middle", 14, "normal"));
        }
        int y0 = 30;
        for (var e : families.entrySet()) {
            if (e.getValue().getFirst().workload() == Workload.LATENCY) {
                latencyPanel(b, y0, e.getKey(), e.getValue());
            } else {
                panel(b, y0, e.getKey(), e.getValue());
            }
            y0 += PANEL;
        }
        return b.append("</svg>\n").toString();
    }

    private static void panel(StringBuilder b, int y0, String family, List<ResultRow> rows) {
        boolean cross = rows.getFirst().trial().crossThread();
        Map<String, TreeMap<Integer, Double>> series = new LinkedHashMap<>();
        TreeSet<Integer> xs = new TreeSet<>();
        double max = 0;
        for (ResultRow r : rows) {
            int x = xOf(r.trial());
            xs.add(x);
            double v = r.measurement().opsPerSecond();
            max = Math.max(max, v);
            series.computeIfAbsent(seriesName(r), k -> new TreeMap<>()).put(x, v);
        }
        double top = 5 * niceCeil(max * 1.05 / 5);   // five grid steps of a round size
        int px0 = LEFT;
        int py0 = y0 + TOP;
        String xLabel = cross ? "producer threads" : "queue depth / threads";
        b.append(text(px0, y0 + 22, esc(family) + "  (ops/s vs " + xLabel + ")", "start", 13, "bold"));
        // grid and Y ticks
        for (int i = 0; i <= 5; i++) {
            double v = top * i / 5;
            int y = py0 + PLOT_H - (int) Math.round(PLOT_H * i / 5.0);
            b.append(line(px0, y, px0 + PLOT_W, y, i == 0 ? "#444" : "#ddd"));
            b.append(text(px0 - 6, y + 4, Format.rate(v), "end", 11, "normal"));
        }
        b.append(line(px0, py0, px0, py0 + PLOT_H, "#444"));
        // X ticks: log2 spacing, one tick per measured x
        double lo = Math.log(xs.first());
        double hi = Math.log(xs.last());
        for (int x : xs) {
            int px = xPixel(x, lo, hi);
            b.append(line(px, py0 + PLOT_H, px, py0 + PLOT_H + 4, "#444"));
            b.append(text(px, py0 + PLOT_H + 17, Integer.toString(x), "middle", 11, "normal"));
        }
        b.append(text(px0 + PLOT_W / 2, py0 + PLOT_H + 34, xLabel, "middle", 11, "normal"));
        // series
        int legendY = py0 + 4;
        Map<String, Integer> variants = new LinkedHashMap<>();
        for (var s : series.entrySet()) {
            String name = s.getKey();
            String backend = name.split(" ")[0];
            String color = COLORS.getOrDefault(backend, "#333");
            int variant = variants.merge(backend, 1, Integer::sum) - 1;
            String pattern = DASHES[variant % DASHES.length];
            String dash = pattern.isEmpty() ? "" : " stroke-dasharray=\"" + pattern + "\"";
            StringBuilder pts = new StringBuilder();
            for (var p : s.getValue().entrySet()) {
                int px = xPixel(p.getKey(), lo, hi);
                int py = py0 + PLOT_H - (int) Math.round(PLOT_H * p.getValue() / top);
                pts.append(px).append(',').append(py).append(' ');
                b.append(String.format(Locale.ROOT,
                        "<circle cx=\"%d\" cy=\"%d\" r=\"3.5\" fill=\"%s\"><title>%s %s: %s ops/s</title></circle>%n",
                        px, py, color, esc(name), p.getKey(), Format.rate(p.getValue())));
            }
            b.append(String.format(Locale.ROOT,
                    "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    pts.toString().trim(), color, dash));
            int lx = px0 + PLOT_W + 20;
            b.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    lx, legendY, lx + 24, legendY, color, dash));
            b.append(text(lx + 30, legendY + 4, esc(name), "start", 11, "normal"));
            legendY += 17;
        }
    }

    /** Horizontal bars of p50 (solid) and p99 (pale) latency per backend, on a linear microsecond axis. */
    private static void latencyPanel(StringBuilder b, int y0, String family, List<ResultRow> rows) {
        b.append(text(LEFT, y0 + 22, esc(family) + "  (QD1 latency, microseconds: p50 solid, p99 pale)", "start",
                13, "bold"));
        double max = rows.stream().mapToLong(r -> Math.max(r.measurement().p99Nanos(), r.measurement().p50Nanos()))
                .max().orElse(1) / 1e3;
        double top = 5 * niceCeil(Math.max(max, 0.001) * 1.05 / 5);
        int py0 = y0 + TOP;
        int left = LEFT + 60;
        int plotW = PLOT_W - 60;
        for (int i = 0; i <= 5; i++) {
            int x = left + (int) Math.round(plotW * i / 5.0);
            b.append(line(x, py0, x, py0 + PLOT_H, i == 0 ? "#444" : "#ddd"));
            b.append(text(x, py0 + PLOT_H + 17, Format.fixed(top * i / 5, top < 10 ? 1 : 0), "middle", 11,
                    "normal"));
        }
        int barH = Math.max(8, Math.min(28, PLOT_H / Math.max(1, rows.size()) - 6));
        int y = py0 + 4;
        for (ResultRow r : rows) {
            String color = COLORS.getOrDefault(r.backend(), "#333");
            int w99 = (int) Math.round(plotW * Math.max(0, r.measurement().p99Nanos()) / 1e3 / top);
            int w50 = (int) Math.round(plotW * Math.max(0, r.measurement().p50Nanos()) / 1e3 / top);
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
                    + "fill-opacity=\"0.3\"/>%n", left, y, w99, barH, color));
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>%n",
                    left, y, w50, barH, color));
            b.append(text(left - 6, y + barH / 2 + 4, esc(r.backend() + " " + r.point()), "end", 11, "normal"));
            b.append(text(left + w99 + 6, y + barH / 2 + 4, Format.micros(r.measurement().p50Nanos()) + " / "
                    + Format.micros(r.measurement().p99Nanos()) + " us", "start", 11, "normal"));
            y += barH + 6;
        }
    }

    /** Where a row sits on the X axis: producers for NOP hand-over, else its QD or thread count. */
    private static int xOf(Trial t) {
        return t.crossThread() ? t.threads() : Math.max(1, t.threads() > 0 ? t.threads() : t.qd());
    }

    private static String seriesName(ResultRow r) {
        Trial t = r.trial();
        String name = r.backend();
        if (t.threads() > 0 && !t.crossThread()) {
            name += " threads";
        }
        if (t.kind() == ThreadKind.VIRTUAL) {
            name += " virtual";
        }
        if (t.crossThread()) {
            name += " qd" + t.qd();
        }
        return name;
    }

    private static int xPixel(int x, double lo, double hi) {
        if (hi - lo < 1e-9) {
            return LEFT + PLOT_W / 2;
        }
        return LEFT + 20 + (int) Math.round((PLOT_W - 40) * (Math.log(x) - lo) / (hi - lo));
    }

    /** The smallest 1, 2, 2.5 or 5 times a power of ten at or above v. */
    static double niceCeil(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String line(int x1, int y1, int x2, int y2, String color) {
        return String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>%n",
                x1, y1, x2, y2, color);
    }

    private static String text(int x, int y, String s, String anchor, int size, String weight) {
        return String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" font-size=\"%d\" font-weight=\"%s\">%s</text>%n",
                x, y, anchor, size, weight, s);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
