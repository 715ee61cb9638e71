package org.echolab.models;

import java.lang.System.Logger.Level;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** Ending a model's worker threads at the end of a stop, once the drain is over. */
final class Workers {

    private Workers() {}

    /** Interrupts what still runs (a session in its wait) and waits up to 5 s for the threads to end. */
    static void end(ExecutorService workers) throws InterruptedException {
        workers.shutdownNow();
        if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
            System.getLogger(Workers.class.getName())
                    .log(Level.WARNING, "worker threads still running 5 s after shutdown");
        }
    }
}
