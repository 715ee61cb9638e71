// MISTAKE: Executors.newFixedThreadPool(n): its queue has no bound, so lab.queue() is ignored
// FAILS: at most threads + queue connections accepted | Executors.newFixedThreadPool; lab.queue()
package lab;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import org.echolab.lab.Lab;
import org.echolab.connection.Connection;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** One mistake (see the first line) in an otherwise correct pool. */
public final class ThreadPool implements Lab.Model {

    private final Lab lab;
    private final ExecutorService pool;

    public ThreadPool(Lab lab) {
        this.lab = lab;
        this.pool = Executors.newFixedThreadPool(lab.threads());
    }

    @Override
    public void run() throws InterruptedException {
        Connection client;
        while ((client = lab.accept()) != null) {
            Connection c = client;
            pool.execute(() -> lab.echo(c));
        }
    }

    private void work() {
    }

    @Override
    public void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(30, TimeUnit.SECONDS);
    }
}
