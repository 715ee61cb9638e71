package org.echolab.connection;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.echolab.service.CpuBurner;
import org.echolab.service.Reply;
import org.echolab.service.Work;

/**
 * A request's wait on an event loop, where nothing may block: a sleep is a timer on the loop (no
 * thread waits); CPU work goes to the {@code --offload} pool and comes back to the loop when it
 * is done, or, without a pool, runs right on the loop, and every other connection of that loop
 * waits meanwhile (the rule {@code work=cpu} breaks). Stateless.
 */
final class LoopWork {

    /** How the wait began. */
    enum Started {
        /** Nothing to wait for, or the work ran on the loop: the reply goes out now. */
        DONE,
        /** A timer or the pool calls back on the loop. */
        LATER,
        /** The pool's queue is full: the request is refused rather than run on the loop. */
        POOL_FULL,
        /** The loop is being shut down while it worked: the connection ends. */
        INTERRUPTED
    }

    private LoopWork() {}

    /** Begins {@code reply}'s wait; {@code done} runs on the loop when it is over, unless it is over at once. */
    static Started start(Reply reply, Transport transport, Executor offload, Runnable done) {
        Duration d = reply.delay();
        if (d.isZero() || d.isNegative()) {
            return Started.DONE;
        }
        if (reply.work() == Work.SLEEP) {
            transport.schedule(System.nanoTime() + d.toNanos(), done);
            return Started.LATER;
        }
        if (offload == null) {
            try {
                CpuBurner.burn(d); // on the loop: every other connection of this loop waits meanwhile
                return Started.DONE;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the loop is being shut down: abandon the work
                return Started.INTERRUPTED;
            }
        }
        try {
            offload.execute(() -> {
                try {
                    CpuBurner.burn(d);
                } catch (InterruptedException e) {
                    return; // the pool is shut down: the stop closes the connection
                }
                transport.execute(done); // back to the loop, which alone touches the connection
            });
            return Started.LATER;
        } catch (RejectedExecutionException e) {
            return Started.POOL_FULL;
        }
    }
}
