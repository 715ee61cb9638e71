package org.echolab.models;

import java.io.IOException;
import java.util.Map;
import org.echolab.os.Descriptors;

/**
 * The program of a spare child ({@code process --spares}): started before it is needed, it runs
 * its first requests through the whole path on a connection of its own ({@link SpareWarmUp}), sets
 * up everything but the connection as a {@link ProcessChild} does, then waits on fd 0, its end of
 * a Unix-domain socket pair, for the parent to pass one. The connection then becomes its fd 0 and
 * 1 and it serves that one client as any child does, and exits; if the parent closes its end
 * instead, it exits at once.
 */
public final class ProcessSpare {

    private static final System.Logger LOG = System.getLogger(ProcessSpare.class.getName());

    private ProcessSpare() {}

    public static void main(String[] args) throws IOException {
        ChildSetup setup = ChildSetup.read(ProcessSpare.class, args);
        long began = System.nanoTime();
        int answers = SpareWarmUp.run(setup.config());
        SpareWarmUp.handOver();
        long millis = (System.nanoTime() - began) / 1_000_000;
        LOG.log(
                System.Logger.Level.DEBUG,
                "warmed up: {0} of {1} answers in {2} ms",
                answers,
                SpareWarmUp.REQUESTS,
                millis);
        EchoStack stack =
                ProcessChild.ready(setup, Map.of("spareWarmUp", Map.of("answers", answers, "millis", millis)));
        int connection = Descriptors.receive(0); // started and ready: wait here for a client
        if (connection < 0) {
            return; // the parent stopped (or died) before it needed us
        }
        Descriptors.duplicate(connection, 0); // also closes our end of the socket pair
        Descriptors.duplicate(connection, 1);
        Descriptors.close(connection); // fds 0 and 1 are now its only copies here
        ProcessChild.serve(setup, stack);
    }
}
