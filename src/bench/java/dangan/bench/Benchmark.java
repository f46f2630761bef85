package dangan.bench;

/** What the benchmarks share: how they end, and how they read a count from the command line. */
final class Benchmark {

    /** The body of a benchmark's main. */
    interface Body {
        void run(String[] args) throws Exception;
    }

    private Benchmark() {
    }

    /** Runs the benchmark and ends the JVM: the service's Quartz threads outlive its close(). */
    static void main(String[] args, Body body) {
        int status = 0;
        try {
            body.run(args);
        } catch (Exception e) {
            e.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }

    /** The count at args[index] ("1,000,000" and "1_000_000" read as 1000000), or the default. */
    static long count(String[] args, int index, long fallback) {
        return args.length > index ? Long.parseLong(args[index].replace(",", "").replace("_", "")) : fallback;
    }
}
