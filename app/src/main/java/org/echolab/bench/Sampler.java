package org.echolab.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples a server's process tree ({@link ProcStats}) a few times a second on its own platform
 * thread, from {@link #start} to {@link #close}.
 *
 * <p>It shares the machine with the server it measures, so it paces itself: after each reading it
 * sleeps at least {@code interval} and at least four times as long as the reading took, which
 * keeps it under a fifth of one core even when the tree has hundreds of processes.
 */
final class Sampler implements AutoCloseable {

    private final List<Long> roots;
    private final Duration interval;
    private final List<ProcStats.Sample> samples = new ArrayList<>(); // guarded by this
    private final Thread thread;

    private Sampler(List<Long> roots, Duration interval) {
        this.roots = List.copyOf(roots);
        this.interval = interval;
        this.thread = Thread.ofPlatform()
                .daemon()
                .name("bench-sampler-" + roots.getFirst())
                .unstarted(this::loop);
    }

    public static Sampler start(long root, Duration interval) {
        return start(List.of(root), interval);
    }

    /** Samples the trees of all of {@code roots} as one: a server the bench did not start (--pids). */
    public static Sampler start(List<Long> roots, Duration interval) {
        Sampler s = new Sampler(roots, interval);
        s.thread.start();
        return s;
    }

    private void loop() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                long t0 = System.nanoTime();
                ProcStats.Sample s = ProcStats.sample(roots, true);
                if (s.processes() > 0) {
                    synchronized (this) {
                        samples.add(s);
                    }
                }
                long took = System.nanoTime() - t0;
                Thread.sleep(Duration.ofNanos(Math.max(interval.toNanos(), 4 * took)));
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** The samples so far, oldest first. */
    public synchronized List<ProcStats.Sample> samples() {
        return List.copyOf(samples);
    }

    /**
     * The samples taken between two {@link System#nanoTime} instants; if fewer than two fell
     * inside (a busy machine delays the sampler), the nearest one on each side instead, so that
     * rates still span about the period asked for.
     */
    public List<ProcStats.Sample> between(long fromNanos, long toNanos) {
        List<ProcStats.Sample> all = samples();
        List<ProcStats.Sample> inside = all.stream()
                .filter(s -> s.nanoTime() >= fromNanos && s.nanoTime() <= toNanos)
                .toList();
        if (inside.size() >= 2) {
            return inside;
        }
        List<ProcStats.Sample> around = new ArrayList<>();
        all.stream().filter(s -> s.nanoTime() < fromNanos).reduce((a, b) -> b).ifPresent(around::add);
        around.addAll(inside);
        all.stream().filter(s -> s.nanoTime() > toNanos).findFirst().ifPresent(around::add);
        return around;
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
