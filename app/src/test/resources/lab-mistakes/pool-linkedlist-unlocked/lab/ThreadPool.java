// MISTAKE: a LinkedList read with isEmpty() then removeFirst() by spinning workers, with no lock (the workers spin; now and then two take one connection and workers die, and the one left may be busy when the grader looks: which check sees it first depends on the schedule)
// FAILS: no CPU burnt while idle or every worker alive | queue; Condition
package lab;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import org.echolab.lab.Lab;
import org.echolab.connection.Connection;
import java.util.LinkedList;

/** One mistake (see the first line) in an otherwise correct pool. */
public final class ThreadPool implements Lab.Model {

    private final Lab lab;
    private final LinkedList<Connection> queue = new LinkedList<>();
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
            if (!queue.isEmpty()) {
                lab.echo(queue.removeFirst());      // another worker may have taken it since isEmpty()
            } else {
                Thread.onSpinWait();
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
