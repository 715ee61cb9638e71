// CORRECT: a hand-written queue: an ArrayDeque, one ReentrantLock, Conditions "not empty" and "not full"; a place is a queue slot or an idle worker, so --queue 0 is a hand-off
package lab;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import org.echolab.lab.Lab;
import org.echolab.connection.Connection;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** One mistake (see the first line) in an otherwise correct pool. */
public final class ThreadPool implements Lab.Model {

    private final Lab lab;
    private final ArrayDeque<Connection> items = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private int idle;                   // workers waiting in take(): each is a place too
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
            put(client);
        }
    }

    private void work() {
        try {
            while (true) {
                lab.echo(take());
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

    private void put(Connection c) throws InterruptedException {
        lock.lock();
        try {
            while (items.size() >= lab.queue() + idle) {
                notFull.await();            // no slot and no idle worker: wait
            }
            items.addLast(c);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    private Connection take() throws InterruptedException {
        lock.lock();
        try {
            idle++;
            notFull.signal();               // an idle worker is a place for one more
            try {
                while (items.isEmpty()) {
                    notEmpty.await();
                }
            } finally {
                idle--;
            }
            Connection c = items.removeFirst();
            notFull.signal();
            return c;
        } finally {
            lock.unlock();
        }
    }
}
