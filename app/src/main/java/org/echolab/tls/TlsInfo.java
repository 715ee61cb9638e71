package org.echolab.tls;

import javax.net.ssl.SSLSession;

/**
 * What one connection's TLS handshake settled: the protocol version, the cipher suite and the
 * application protocol (ALPN; "" when the client offered none, as {@code openssl s_client}
 * without {@code -alpn} does). What the {@code /} page and anything else that describes a
 * connection reads. Immutable.
 */
public record TlsInfo(String protocol, String cipher, String alpn) {

    static TlsInfo of(SSLSession session, String alpn) {
        return new TlsInfo(session.getProtocol(), session.getCipherSuite(), alpn == null ? "" : alpn);
    }

    /** One line for people, e.g. {@code TLSv1.3 TLS_AES_128_GCM_SHA256 ALPN http/1.1}. */
    @Override
    public String toString() {
        return protocol + " " + cipher + (alpn.isEmpty() ? " (no ALPN)" : " ALPN " + alpn);
    }
}
