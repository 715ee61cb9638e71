package org.echolab.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.HdrHistogram.HistogramLogWriter;

/**
 * A load run as an HdrHistogram interval log ({@code echolab load --hlog FILE}): HdrHistogram's own
 * file format, which its {@code HistogramLogProcessor} and other tools read, with one histogram of
 * verified latencies per second of the measured period, in microseconds. One comment line adds
 * what a histogram cannot hold: the target, the measured period and the errors by kind.
 *
 * <p>Logs from several client machines that loaded one server at the same time
 * {@linkplain MergedRuns merge} exactly: histograms add up, percentiles do not average.
 */
public final class HistogramLog {

    /** Starts the comment line that carries the run's counts; other readers skip it as a comment. */
    static final String SUMMARY = "[echolab-load ";
    /** Latencies are in microseconds; the log's max column is in milliseconds. */
    private static final double MICROS_PER_MILLI = 1000.0;

    private HistogramLog() {}

    /**
     * Writes one run's log as it goes: a {@link LoadGenerator} progress consumer (one interval a
     * second, on the progress thread), then {@link #finish} with the result (on the caller's).
     */
    public static final class Writer implements Consumer<LoadGenerator.Progress> {

        private final LoadSpec spec;
        private final Path path;
        private final PrintStream file;
        private final HistogramLogWriter log;
        private final Histogram written = new Histogram(Tally.DIGITS);
        private long intervalStart; // epoch ms

        private Writer(LoadSpec spec, Path path, PrintStream file) {
            this.spec = spec;
            this.path = path;
            this.file = file;
            this.log = new HistogramLogWriter(file);
            this.intervalStart = readableMillisecond(System.currentTimeMillis());
            log.outputLogFormatVersion();
            log.outputComment("echolab load " + spec.target() + ": " + spec.describe());
            log.outputComment("latencies in microseconds (HistogramLogProcessor -outputValueUnitRatio 1000 prints ms)");
            log.outputStartTime(intervalStart);
            log.setBaseTime(intervalStart);
            log.outputBaseTime(intervalStart);
            log.outputLegend();
        }

        /** Opens {@code path} for the run of {@code spec}, before it starts. */
        public static Writer open(Path path, LoadSpec spec) throws IOException {
            return new Writer(spec, path, new PrintStream(Files.newOutputStream(path), false, StandardCharsets.UTF_8));
        }

        /** The last second's latencies (none during the warm-up, which is not written). */
        @Override
        public synchronized void accept(LoadGenerator.Progress p) {
            long now = boundary(System.currentTimeMillis());
            if (p.elapsed().compareTo(spec.warmup()) > 0) {
                write(p.interval(), now);
            }
            intervalStart = now;
        }

        /** The latencies recorded after the last full second, the counts line; then closes the file. */
        public synchronized void finish(LoadResult result) throws IOException {
            Histogram rest = result.latency();
            rest.subtract(written);
            write(rest, boundary(System.currentTimeMillis()));
            String errors = result.errorsByKind().entrySet().stream()
                    .map(e -> e.getKey() + ":" + e.getValue())
                    .collect(Collectors.joining(","));
            log.outputComment(SUMMARY + "target=" + spec.target() + " requests=" + result.requests()
                    + " elapsedSeconds="
                    + String.format(Locale.ROOT, "%.3f", result.elapsed().toNanos() / 1e9)
                    + " errors=" + errors + "]");
            file.close();
            if (file.checkError()) {
                throw new IOException("could not write the histogram log");
            }
        }

        /** The run did not take place (the target refused it): closes and deletes the file. */
        public synchronized void discard() throws IOException {
            file.close();
            Files.deleteIfExists(path);
        }

        /**
         * The first millisecond from {@code now} on that a reader gets back exactly, both as the end
         * of the interval that closes there and as the start of the next. HdrHistogram's reader
         * adds the base time and the interval's offset and length as seconds with three decimals,
         * then truncates the sum times 1000 to a long: for about one boundary in ten the double
         * sum falls just below the millisecond, and the log read back had a 1 ms hole between two
         * intervals. A boundary a millisecond later does not.
         */
        private long boundary(long now) {
            for (long ms = Math.max(now, intervalStart); ; ms++) {
                double start = seconds(intervalStart - log.getBaseTime());
                double asEnd = baseSeconds() + start + seconds(ms - intervalStart);
                double asStart = baseSeconds() + seconds(ms - log.getBaseTime());
                if ((long) (asEnd * 1000.0) == ms && (long) (asStart * 1000.0) == ms) {
                    return ms;
                }
            }
        }

        /** The first millisecond from {@code now} on that the reader gets back exactly as a base time. */
        private static long readableMillisecond(long now) {
            long ms = now;
            while ((long) (seconds(ms) * 1000.0) != ms) {
                ms++;
            }
            return ms;
        }

        /** The base time as the reader reads it back. */
        private double baseSeconds() {
            return seconds(log.getBaseTime());
        }

        /** Milliseconds as the log writes them: seconds with three decimals, read back as a double. */
        private static double seconds(long millis) {
            return Double.parseDouble(String.format(Locale.ROOT, "%.3f", millis / 1000.0));
        }

        private void write(Histogram interval, long end) {
            interval.setStartTimeStamp(intervalStart);
            interval.setEndTimeStamp(end);
            log.outputIntervalHistogram(
                    (intervalStart - log.getBaseTime()) / 1000.0,
                    (end - log.getBaseTime()) / 1000.0,
                    interval,
                    MICROS_PER_MILLI);
            written.add(interval);
        }
    }

    /**
     * One run read back from its log.
     *
     * @param startMillis when its first interval began (epoch ms)
     * @param endMillis   when its last interval ended (epoch ms)
     * @param latency     every interval added up, in microseconds
     * @param elapsed     its measured period, as the run reported it
     */
    public record Run(
            Path file,
            String target,
            long startMillis,
            long endMillis,
            Histogram latency,
            long requests,
            Duration elapsed,
            Map<String, Long> errorsByKind) {

        public long errors() {
            return errorsByKind.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Verified requests per second over its own measured period. */
        public double throughput() {
            double s = elapsed.toNanos() / 1e9;
            return s > 0 ? requests / s : 0;
        }
    }

    /**
     * Reads a log written by {@link Writer}.
     *
     * @throws IOException if it cannot be read, or lacks the counts line (the run did not finish)
     */
    public static Run read(Path path) throws IOException {
        Histogram latency = new Histogram(Tally.DIGITS);
        long start = Long.MAX_VALUE, end = Long.MIN_VALUE;
        try (HistogramLogReader reader = new HistogramLogReader(path.toFile())) {
            for (EncodableHistogram h; (h = reader.nextIntervalHistogram()) != null; ) {
                latency.add((Histogram) h);
                start = Math.min(start, h.getStartTimeStamp());
                end = Math.max(end, h.getEndTimeStamp());
            }
        } catch (RuntimeException e) { // HdrHistogram's reader says "bad log" with unchecked exceptions
            throw new IOException(path + " is not an HdrHistogram log: " + e.getMessage(), e);
        }
        String summary = Files.readAllLines(path, StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith("#" + SUMMARY))
                .findFirst()
                .orElseThrow(() -> new IOException(path + " has no '#" + SUMMARY.strip() + "' line: not written by"
                        + " 'echolab load --hlog', or the run did not finish"));
        Map<String, String> fields = new TreeMap<>();
        for (String kv :
                summary.substring(1 + SUMMARY.length(), summary.length() - 1).split(" ")) {
            int eq = kv.indexOf('=');
            fields.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        Map<String, Long> errors = new TreeMap<>();
        for (String e : fields.getOrDefault("errors", "").split(",")) {
            if (!e.isEmpty()) {
                int colon = e.lastIndexOf(':');
                errors.put(e.substring(0, colon), Long.parseLong(e.substring(colon + 1)));
            }
        }
        long requests = Long.parseLong(fields.get("requests"));
        if (latency.getTotalCount() != requests) {
            throw new IOException(path + ": its intervals hold " + latency.getTotalCount() + " latencies but it says "
                    + requests + " requests; the file is damaged");
        }
        Duration elapsed = Duration.ofNanos(Math.round(Double.parseDouble(fields.get("elapsedSeconds")) * 1e9));
        return new Run(
                path,
                fields.get("target"),
                start == Long.MAX_VALUE ? 0 : start,
                end == Long.MIN_VALUE ? 0 : end,
                latency,
                requests,
                elapsed,
                errors);
    }
}
