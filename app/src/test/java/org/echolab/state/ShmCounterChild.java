package org.echolab.state;

import java.time.Duration;

/** A child process for {@link SharedMemoryAcrossProcessesTest}: maps the parent's file and counts. */
public final class ShmCounterChild {

    public static void main(String[] args) {
        ServerState s = States.byName(args[0]).create(Duration.ZERO);
        int n = Integer.parseInt(args[1]);
        for (int i = 0; i < n; i++) {
            s.connectionOpened();
            s.nextRequestNumber();
            s.requestServed("127.0.0.1");
            s.connectionClosed();
        }
    }
}
