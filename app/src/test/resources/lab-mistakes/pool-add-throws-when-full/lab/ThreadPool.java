// MISTAKE: queue.add(client) instead of put: add throws IllegalStateException ("Queue full") when the queue is full, and run() ends
// FAILS: a burst of clients or clients beyond the pool wait or are refused | your run() threw; IllegalStateException; Queue full
package lab;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import org.echolab.lab.Lab;
import org.echolab.connection.Connection;

/** One mistake (see the first line) in an otherwise correct pool. */
public final class ThreadPool implements Lab.Model {

    private final Lab lab;
    private final BlockingQueue<Connection> queue;
    private final List<Thread> workers = new ArrayList<>();

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
            queue.add(client);          // full: throws IllegalStateException
        }
    }

    private void work() {
        try {
            while (true) {
                lab.echo(queue.take());
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
