package lab;

import org.echolab.lab.Lab;
import org.echolab.connection.Connection;

/**
 * Part 2: a thread pool. A fixed set of worker threads, started once, takes connections from a
 * bounded queue that the accept loop fills: CS:APP's prethreaded echo server
 * ({@code echoservert_pre.c}, with its bounded buffer {@code sbuf.c}), UNP's "prethreaded server,
 * main thread accepts and hands off".
 *
 * <p><b>Threads:</b> EchoLab's accept thread runs {@link #run()}; your workers run the echo
 * sessions; EchoLab calls {@link #stop()} once {@code run()} has returned.
 *
 * <p>Run it: {@code ./echolab serve --model student-pool --threads 4 --queue 2}.
 * Grade it: {@code ./echolab lab grade threads}.
 */
public final class ThreadPool implements Lab.Model {

    private final Lab lab;

    // TODO 1: the queue of accepted connections, with room for lab.queue() of them. Either write
    //   it yourself (an ArrayDeque guarded by a ReentrantLock with two Conditions, "not empty"
    //   and "not full", as sbuf guards its array with the semaphores mutex, items and slots) or
    //   take one from java.util.concurrent (ArrayBlockingQueue). Your report compares the two.
    //   Careful: lab.queue() may be 0.
    // TODO 2: the worker threads, lab.threads() of them, kept so that stop() can end them.

    public ThreadPool(Lab lab) {
        this.lab = lab;
    }

    /** The accept loop: hand every connection to the pool. */
    @Override
    public void run() throws InterruptedException {
        // TODO 3: start the workers here, each running work(). Start them once, not one per
        //   connection: a thread per connection is another model ('thread'), not a pool.
        Connection client;
        while ((client = lab.accept()) != null) {       // null: the server is stopping
            // TODO 4: put the connection in the queue. When the queue is full, either wait for a
            //   place (new clients then wait in the kernel's accept backlog) or refuse the client
            //   at once with lab.refuse(client, "...") (it gets 503 Service Unavailable). Choose,
            //   and say why in your report.
            lab.echo(client);   // for now the accept thread serves each client itself, one at a time: remove this
        }
    }

    /** A worker: take the next connection from the queue (wait while there is none) and echo on it; repeat. */
    private void work() {
        // TODO 5: loop: take a connection, lab.echo(it). lab.echo returns when that client is done.
        //   A worker must not die of one bad connection (lab.echo never throws), and must end
        //   when stop() asks it to (an InterruptedException while waiting on the queue).
    }

    /** The server is stopping and run() has returned: end every worker. */
    @Override
    public void stop() throws InterruptedException {
        // TODO 6: make each worker end (a worker waiting on an empty queue waits for ever unless
        //   you wake it: interrupt it), then wait for each to end (join). Connections still in
        //   the queue are closed by EchoLab.
    }
}
