// MISTAKE: a new thread for every connection, with no bound
// FAILS: a bounded number of threads | thread per connection; start lab.threads() workers once
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

    public ThreadPool(Lab lab) {
        this.lab = lab;
    }

    @Override
    public void run() throws InterruptedException {
        Connection client;
        while ((client = lab.accept()) != null) {
            Connection c = client;
            Thread.ofPlatform().start(() -> lab.echo(c));
        }
    }

    private void work() {
    }

    @Override
    public void stop() throws InterruptedException {
    }
}
