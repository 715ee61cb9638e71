// CORRECT: the pool of correct-pool-refuses-when-full, slow to start on its first 6 connections (1.8 s each), as on a busy machine
package lab;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.echolab.lab.Lab;
import org.echolab.connection.Connection;

/**
 * A correct pool on a machine so busy that a worker reaches its connection's request only 1.8 s
 * after taking it, for the first 6 connections: longer than the 1.5 s the first "clients served
 * at once" round asks each client to wait, so the next client is not in service before the one
 * before it is answered. The grader must see that as slowness, not as one at a time: it runs the
 * round again with a longer wait, and this pool passes.
 */
public final class ThreadPool implements Lab.Model {

    private static final int SLOW_CONNECTIONS = 6;

    private final Lab lab;
    private final BlockingQueue<Connection> queue;
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicInteger taken = new AtomicInteger();

    public ThreadPool(Lab lab) {
        this.lab = lab;
        this.queue = lab.queue() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(lab.queue());
    }

    @Override
    public void run() throws InterruptedException {
        for (int i = 1; i <= lab.threads(); i++) {
            workers.add(Thread.ofPlatform().name("worker-" + i).start(this::work));
        }
        Connection client;
        while ((client = lab.accept()) != null) {
            if (!queue.offer(client)) {
                lab.refuse(client, "all workers busy and the queue is full");
            }
        }
    }

    private void work() {
        try {
            while (true) {
                Connection client = queue.take();
                if (taken.incrementAndGet() <= SLOW_CONNECTIONS) {
                    Thread.sleep(1800); // the busy machine: this worker gets no CPU for a while
                }
                lab.echo(client);
            }
        } catch (InterruptedException e) {
            // stop(): end
        }
    }

    @Override
    public void stop() throws InterruptedException {
        for (Thread w : workers) {
            w.interrupt();
        }
        for (Thread w : workers) {
            w.join();
        }
    }
}
