// MISTAKE: a thread per connection, named worker-1..4 in turn so that it looks like a pool of four
// FAILS: a bounded number of threads | thread per connection; distinct names
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
    private final List<Thread> workers = new ArrayList<>();
    private int started;

    public ThreadPool(Lab lab) {
        this.lab = lab;
    }

    @Override
    public void run() throws InterruptedException {
        Connection client;
        while ((client = lab.accept()) != null) {
            Connection c = client;
            workers.add(Thread.ofPlatform().name("worker-" + (started++ % lab.threads() + 1)).start(() -> lab.echo(c)));
        }
    }

    private void work() {
    }

    @Override
    public void stop() throws InterruptedException {
        for (Thread w : workers) {
            w.join();
        }
    }
}
