package org.echolab.load;

import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;

/**
 * Names why a TLS handshake failed, as an error kind a user can act on: {@code tls-untrusted-certificate}
 * (the server's certificate does not chain to a trusted one: a self-signed server, which {@code -k}
 * or {@code --cacert} accepts), or else {@code tls-handshake}. {@link #advice} says the fix, as curl's
 * "self-signed certificate; use -k" does. Pure.
 */
public final class TlsFailure {

    public static final String UNTRUSTED = "tls-untrusted-certificate";
    public static final String HANDSHAKE = "tls-handshake";

    private TlsFailure() {}

    /** The error kind of a failed handshake. */
    static String kind(SSLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException) {
                return UNTRUSTED;
            }
        }
        return HANDSHAKE;
    }

    /** What to do about an error kind, or null when it is not a TLS one. */
    public static String advice(String kind) {
        return switch (kind) {
            case UNTRUSTED ->
                "the server's certificate is not trusted (self-signed, or from an unknown CA): "
                        + "-k trusts any certificate, --cacert FILE the ones in FILE (e.g. the server's own)";
            case HANDSHAKE ->
                "the TLS handshake failed: is the server speaking TLS on this port (https:// to a plain "
                        + "port fails so; use http://), and does it offer TLS 1.2 or 1.3?";
            default -> null;
        };
    }
}
