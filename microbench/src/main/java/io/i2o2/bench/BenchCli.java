package io.i2o2.bench;

import java.util.Arrays;

/**
 * The benchmark command line: {@code ./i2o2 bench [options]} runs backends side by side and prints one
 * table; {@code ./i2o2 bench jmh [JMH options]} hands over to JMH with this module's class path;
 * {@code ./i2o2 bench portable-table [options]} runs the portable engine's table ({@link PortableTable});
 * {@code ./i2o2 bench http-load [options]} is a keep-alive HTTP/1.1 load generator
 * ({@link io.i2o2.bench.http.HttpLoad}, for {@code microbench/server-bench.sh}).
 * See {@link BenchOptions#USAGE} and microbench/README.md.
 */
public final class BenchCli {
    private BenchCli() {
    }

    /**
     * Entry point.
     *
     * @param args the command line
     * @throws Exception if the run cannot be prepared (data file, output directory)
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("http-load")) {
            io.i2o2.bench.http.HttpLoad.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        boolean portableTable = args.length > 0 && args[0].equals("portable-table");
        BenchOptions options;
        try {
            options = portableTable ? PortableTable.options(Arrays.copyOfRange(args, 1, args.length))
                    : BenchOptions.parse(args);
        } catch (BenchOptions.HelpRequested h) {
            System.out.print(BenchOptions.USAGE);
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.print(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        BenchRunner runner = new BenchRunner(options);
        if (portableTable) {
            runner.summary(PortableTable::summary);
        }
        runner.run();
        // Netty's and the JDK's pools may keep non-daemon threads around for a while: the run is over.
        System.exit(0);
    }
}
