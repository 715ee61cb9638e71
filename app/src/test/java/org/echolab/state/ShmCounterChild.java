package org.echolab.state;

import org.echolab.server.ServerConfig;
import org.echolab.server.ServerState;

/** A child process for {@link SharedMemoryAcrossProcessesTest}: maps the parent's file and counts. */
public final class ShmCounterChild {

    public static void main(String[] args) {
        ServerState s = States.byName(args[0]).create(ServerConfig.builder().build());
        int n = Integer.parseInt(args[1]);
        for (int i = 0; i < n; i++) {
            s.connectionOpened();
            s.nextRequestNumber();
            s.requestServed("127.0.0.1");
            s.connectionClosed();
        }
    }
}
