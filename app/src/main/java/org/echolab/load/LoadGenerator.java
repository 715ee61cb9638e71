package org.echolab.load;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.echolab.protocol.Payload;

/**
 * Runs a {@link LoadSpec} and returns what it measured. The calling thread resolves the target,
 * checks that it accepts a connection (so a wrong address is a {@link LoadException}, not a run
 * of errors), starts {@link LoadSpec#threads()} event-loop threads that share the connections,
 * reports progress once a second from a thread of its own, and waits for the loops to finish.
 *
 * <p>Thread contract: {@code run} blocks its caller; {@code progress} is called on the
 * "echolab-load-progress" thread. Interrupting the caller stops the run early, and the result
 * covers what completed. No thread or connection outlives the call.
 */
public final class LoadGenerator {

    /**
     * What a progress line shows: the run so far and the last second; {@code interval} holds the
     * last second's latencies (microseconds; the receiver's to keep), for {@link HistogramLog}.
     */
    public record Progress(
            Duration elapsed, long requests, long errors, double currentRate, double p99Millis, Histogram interval) {}

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    private LoadGenerator() {}

    /**
     * Runs the load; calls {@code progress} (may be null) once a second from another thread.
     *
     * @throws LoadException when the target's host is unknown or it refuses the first connection
     */
    public static LoadResult run(LoadSpec spec, Consumer<Progress> progress) throws LoadException {
        InetSocketAddress address = resolve(spec.target());
        probe(spec, address);

        String runId = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36 * 36), 36);
        byte[] filler = spec.size() > 0 ? Payload.of(new byte[0], spec.size()) : null;
        int threads = Math.min(spec.threads(), spec.connections());
        Tally tally = new Tally(threads);
        Plan plan = new Plan(spec, address, runId, filler, System.nanoTime());
        List<EventLoop> loops = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            loops.add(new EventLoop(i, plan, tally));
        }
        for (int c = 0; c < spec.connections(); c++) {
            loops.get(c % threads).add(c);
        }

        List<Thread> running = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            running.add(Thread.ofPlatform().name("echolab-load-" + i).start(loops.get(i)));
        }
        Thread reporter =
                Thread.ofPlatform().name("echolab-load-progress").daemon().start(() -> report(plan, tally, progress));
        boolean interrupted = false;
        for (Thread t : running) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                    plan.abort();
                    loops.forEach(EventLoop::wakeup);
                }
            }
        }
        reporter.interrupt();
        try {
            reporter.join();
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }

        tally.sample();
        long measuredFrom = plan.measuredFrom();
        long ended = loops.stream().mapToLong(EventLoop::endedAt).max().orElse(measuredFrom);
        Histogram lag = new Histogram(Tally.DIGITS);
        List<Long> numbers = new ArrayList<>();
        long unsent = 0;
        long[] answered = new long[spec.connections()];
        for (EventLoop l : loops) {
            lag.add(l.lagHistogram());
            numbers.addAll(l.requestNumbers());
            unsent += l.unsent();
            l.answered(answered);
        }
        return new LoadResult(
                spec,
                tally.okCount(),
                tally.errorsByKind(),
                Duration.ofNanos(measuredFrom - plan.start),
                Duration.ofNanos(Math.max(0, ended - measuredFrom)),
                tally.total(),
                spec.open() ? lag : null,
                unsent,
                tally.connectCount(),
                numbers,
                tally.workers(),
                Fairness.of(answered),
                plan.aborted(),
                tally.statuses());
    }

    /** Once a second, until interrupted: sample the latencies and tell the caller. */
    private static void report(Plan plan, Tally tally, Consumer<Progress> progress) {
        long next = plan.start;
        long lastAt = plan.start;
        while (true) {
            next += 1_000_000_000L;
            long sleep = next - System.nanoTime();
            try {
                if (sleep > 0) {
                    Thread.sleep(Duration.ofNanos(sleep));
                }
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            Histogram last = tally.sample();
            if (progress != null) {
                double seconds = (now - lastAt) / 1e9;
                progress.accept(new Progress(
                        Duration.ofNanos(now - plan.start),
                        tally.okCount(),
                        tally.errorCount(),
                        last.getTotalCount() / seconds,
                        last.getValueAtPercentile(99) / 1000.0,
                        last));
            }
            lastAt = now;
        }
    }

    private static InetSocketAddress resolve(Target target) throws LoadException {
        try {
            return new InetSocketAddress(InetAddress.getByName(target.hostName()), target.port());
        } catch (UnknownHostException e) {
            throw new LoadException(
                    "unknown host '" + target.hostName() + "' in " + target + "; check the name (or use 127.0.0.1)", e);
        }
    }

    /** One connection before the run, so that a wrong address fails at once and clearly. */
    private static void probe(LoadSpec spec, InetSocketAddress address) throws LoadException {
        String where = spec.target().hostName() + ":" + address.getPort();
        long timeout = Math.min(PROBE_TIMEOUT.toMillis(), spec.timeout().toMillis());
        try (SocketChannel ch = SocketChannel.open()) {
            ch.socket().connect(address, (int) Math.max(1, timeout));
        } catch (ConnectException e) {
            throw new LoadException(
                    "cannot connect to " + where + ": connection refused; is the server running on that port?", e);
        } catch (SocketTimeoutException e) {
            throw new LoadException("cannot connect to " + where + ": no answer within " + timeout + " ms", e);
        } catch (IOException e) {
            throw new LoadException("cannot connect to " + where + ": " + e.getMessage(), e);
        }
    }
}
