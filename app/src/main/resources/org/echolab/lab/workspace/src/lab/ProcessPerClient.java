package lab;

import java.io.IOException;
import org.echolab.lab.Lab;

/**
 * Part 1: a process per client. The parent accepts; for each connection it starts a child
 * process that serves that one client and exits: CS:APP's {@code echoserverp.c}, UNP's "one fork
 * per client", inetd.
 *
 * <p>Java has no usable {@code fork()}, so {@code lab.fork(client)} starts a new JVM whose
 * standard input and output are the connection, and which runs the shared echo session on it
 * (see the handout). What stays the same as in C: the parent must close its own copy of the
 * connection, and must reap each child that has exited, or it stays a zombie.
 *
 * <p><b>Processes and threads:</b> EchoLab's accept thread, in the parent, runs {@link #run()};
 * a child process serves each client; your reaper thread reaps them. EchoLab calls
 * {@link #stop()} once {@code run()} has returned.
 *
 * <p>Run it: {@code ./echolab serve --model student-process}.
 * Grade it: {@code ./echolab lab grade processes}.
 */
public final class ProcessPerClient implements Lab.Model {

    private final Lab lab;
    // TODO 1: a thread of your own that reaps children (see reapChildren()), kept for stop().

    public ProcessPerClient(Lab lab) {
        this.lab = lab;
    }

    /** The accept loop, in the parent process. */
    @Override
    public void run() throws IOException {
        // TODO 2: start the reaper thread (it plays the part of CS:APP's SIGCHLD handler).
        Lab.Descriptor client;
        while ((client = lab.acceptDescriptor()) != null) {    // null: the server is stopping
            // TODO 3: start a child process that serves this client: lab.fork(client) (Fork).
            // TODO 4: close the parent's copy of the connection: client.close() (Close(connfd)).
            //   The child has a copy of its own. Without this, the client never sees the
            //   connection close when its child is done, and the parent runs out of descriptors.
        }
    }

    /** The reaper: wait for any child to exit and reap it, until the server stops and none is left. */
    private void reapChildren() {
        // TODO 5: loop on lab.waitForChild() (waitpid: blocks until a child exits, reaps it and
        //   returns its pid; -1 once the server is stopping and no child is left).
    }

    /** The server is stopping and run() has returned: leave no child behind. */
    @Override
    public void stop() throws InterruptedException {
        // TODO 6: lab.finishChildren() asks every child to answer its request and exit, and
        //   returns once your reaper has reaped them all; then wait for the reaper to end (join).
    }
}
