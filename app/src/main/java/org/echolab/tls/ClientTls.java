package org.echolab.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The client side of TLS, for the load generator: which servers it trusts and a
 * {@link Wire} per connection. Three choices, as curl has them: the JDK's trusted authorities
 * (the default), the certificates of a PEM file ({@code --cacert}), or any certificate at all
 * ({@code --insecure}, for a self-signed server whose fingerprint you checked). The host name is
 * verified against the certificate unless insecure. TLS 1.3 or 1.2, ALPN {@code http/1.1}.
 * Thread-safe and immutable.
 */
public final class ClientTls {

    private final SSLContext context;
    private final boolean verifyHost;

    private ClientTls(SSLContext context, boolean verifyHost) {
        this.context = context;
        this.verifyHost = verifyHost;
    }

    /** Trusts what the JDK trusts. */
    public static ClientTls system() {
        try {
            return new ClientTls(SSLContext.getDefault(), true);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no default TLS context: " + e, e);
        }
    }

    /** Trusts the certificates in {@code pem} (curl's {@code --cacert}). */
    public static ClientTls trusting(Path pem) {
        List<X509Certificate> certs = PemFiles.certificates("--cacert", pem);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < certs.size(); i++) {
                store.setCertificateEntry("ca-" + i, certs.get(i));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            return new ClientTls(context(trust.getTrustManagers()), true);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("--cacert " + pem + ": " + e.getMessage(), e);
        }
    }

    /** Trusts any certificate and any host name (curl's {@code --insecure}): the connection is encrypted, not authenticated. */
    public static ClientTls insecure() {
        return new ClientTls(context(new TrustManager[] {new TrustingAll()}), false);
    }

    private static SSLContext context(TrustManager[] trust) {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, trust, null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a TLS context: " + e, e);
        }
    }

    /** TLS over a connected (or connecting) non-blocking channel to {@code host}. */
    public Wire wire(SocketChannel channel, String host, int port) {
        SSLEngine engine = context.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setProtocols(ServerTls.PROTOCOLS.toArray(new String[0]));
        p.setApplicationProtocols(new String[] {ServerTls.ALPN});
        if (verifyHost) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        engine.setSSLParameters(p);
        return new TlsWire(channel, engine);
    }

    /** Accepts every certificate: what {@code --insecure} asks for, and nothing else uses. */
    private static final class TrustingAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
