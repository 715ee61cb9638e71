package org.echolab.service;

import org.echolab.tls.TlsInfo;

/**
 * Where a request came from: the peer's address and port, the request's number on its
 * connection (1 for the first), which decides its {@link Faults}, and what the connection's TLS
 * handshake settled (null on a plain connection). Immutable.
 */
public record Origin(String address, int port, long onConnection, TlsInfo tls) {

    /** For callers that know no peer (tests of the service alone). */
    public static final Origin UNKNOWN = new Origin("?", -1, 1, null);
}
