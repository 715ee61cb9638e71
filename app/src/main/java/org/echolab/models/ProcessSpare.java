package org.echolab.models;

import java.io.IOException;
import org.echolab.os.Descriptors;

/**
 * The program of a spare child ({@code process --spares}): started before it is needed, it sets
 * up everything but the connection as a {@link ProcessChild} does, then waits on fd 0, its end of
 * a Unix-domain socket pair, for the parent to pass one. The connection then becomes its fd 0 and
 * 1 and it serves that one client as any child does, and exits; if the parent closes its end
 * instead, it exits at once.
 */
public final class ProcessSpare {

    private ProcessSpare() {}

    public static void main(String[] args) throws IOException {
        ChildSetup setup = ChildSetup.read(ProcessSpare.class, args);
        EchoStack stack = ProcessChild.ready(setup);
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
