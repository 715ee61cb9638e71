// MISTAKE: a plain ArrayDeque, no lock, workers loop on pollFirst() without ever waiting
// FAILS: no CPU burnt while idle | loops on the queue without waiting; take()
package lab;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import org.echolab.lab.Lab;
import org.echolab.connection.Connection;
import java.util.ArrayDeque;

/** One mistake (see the first line) in an otherwise correct pool. */
public final class ThreadPool implements Lab.Model {

    private final Lab lab;
    private final ArrayDeque<Connection> queue = new ArrayDeque<>();
    private final List<Thread> workers = new ArrayList<>();

    public ThreadPool(Lab lab) {
        this.lab = lab;
    }

    @Override
    public void run() throws InterruptedException {
        for (int i = 1; i <= lab.threads(); i++) {
            workers.add(Thread.ofPlatform().name("worker-" + i).start(this::work));
        }
        Connection client;
        while ((client = lab.accept()) != null) {
            queue.addLast(client);
        }
    }

    private void work() {
        while (!Thread.currentThread().isInterrupted()) {
            Connection c = queue.pollFirst();
            if (c != null) {
                lab.echo(c);
            }
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
