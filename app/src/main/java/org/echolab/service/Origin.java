package org.echolab.service;

import org.echolab.tls.TlsInfo;

/**
 * Where a request came from: the peer's address and port, the request's number on its
 * connection (1 for the first), which decides its {@link Faults}, and what the connection's TLS
 * handshake settled (null on a plain connection). Immutable.
 */
public record Origin(String address, int port, long onConnection, TlsInfo tls) {}
