package org.echolab.session;

/**
 * Where a request came from: the peer's address and port, and the request's number on its
 * connection (1 for the first), which decides its {@link Faults}. Immutable.
 */
public record Origin(String address, int port, long onConnection) {

    /** For callers that know no peer (tests of the service alone). */
    public static final Origin UNKNOWN = new Origin("?", -1, 1);
}
