package org.echolab.tls;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The server side of {@code --tls}: one {@link SSLContext} with the server's key and certificate,
 * and the two ways a model puts it on a connection: {@link #layer} for a blocking socket (an
 * {@link SSLSocket} over it) and {@link #wire} for an event loop's channel (an {@link SSLEngine}).
 * Either way TLS 1.3 or 1.2 only, and ALPN {@code http/1.1}: a client that offers ALPN without it
 * is refused with the {@code no_application_protocol} alert (RFC 7301), one that offers none (a
 * TCP-lines client) is served. All of TLS is the JDK's. Thread-safe and immutable.
 */
public final class ServerTls {

    private static final System.Logger LOG = System.getLogger(ServerTls.class.getName());

    /** The versions served: older ones are broken (RFC 8996). */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** The one application protocol served. */
    public static final String ALPN = "http/1.1";

    private final SSLContext context;
    private final X509Certificate certificate;
    private final String fingerprint;

    private ServerTls(SSLContext context, X509Certificate certificate, String fingerprint) {
        this.context = context;
        this.certificate = certificate;
        this.fingerprint = fingerprint;
    }

    /**
     * The server's TLS from PEM files: {@code cert} holds its certificate (then any chain),
     * {@code key} its private key.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static ServerTls load(Path cert, Path key) {
        List<X509Certificate> chain = PemFiles.certificates("--tls-cert", cert);
        PrivateKey privateKey = PemFiles.privateKey(key);
        try {
            char[] password = new char[0]; // a keystore only in memory, for the KeyManagerFactory
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", privateKey, password, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return new ServerTls(context, chain.getFirst(), fingerprint(chain.getFirst()));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(
                    "--tls-key " + key + " does not go with --tls-cert " + cert + ": " + e.getMessage(), e);
        }
    }

    /** The SHA-256 fingerprint of the certificate as {@code openssl x509 -fingerprint -sha256} prints it. */
    static String fingerprint(X509Certificate cert) throws GeneralSecurityException {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    }

    public String fingerprint() {
        return fingerprint;
    }

    /**
     * A blocking server-side {@link SSLSocket} over an accepted socket; closing it closes the
     * socket. It reads the client's first bytes first (within the socket's read timeout): plain
     * text is answered with a 400 ({@link PlainText}) and {@link PlainText.Answered} thrown;
     * otherwise they are handed to the TLS socket, whose handshake happens at its first read or
     * write, or at {@link SSLSocket#startHandshake}.
     */
    public SSLSocket layer(Socket accepted) throws IOException {
        byte[] first = new byte[512];
        int n = accepted.getInputStream().read(first);
        if (n < 0) {
            throw new EOFException("the peer closed the connection before the TLS handshake");
        }
        if (PlainText.plain(first[0])) {
            throw PlainText.answer(accepted);
        }
        SSLSocket s = (SSLSocket)
                context.getSocketFactory().createSocket(accepted, new ByteArrayInputStream(first, 0, n), true);
        s.setSSLParameters(parameters());
        return s;
    }

    /** TLS over an accepted non-blocking channel, for an event loop. */
    public Wire wire(SocketChannel accepted) {
        return new TlsWire(accepted, engine());
    }

    /** A server-side engine with this server's versions and ALPN, for a transport that drives TLS itself (Netty's). */
    public SSLEngine engine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setSSLParameters(parameters());
        return engine;
    }

    /**
     * For a transport that reads the first byte itself: the whole answer to a connection that
     * begins with {@code first} if that is plain text, not TLS ({@link PlainText}: a 400, then the
     * close); null if it may be TLS.
     */
    public static byte[] plainTextAnswer(byte first) {
        return PlainText.plain(first) ? PlainText.ANSWER.clone() : null;
    }

    /** What the handshake of {@code engine} settled. */
    public static TlsInfo info(SSLEngine engine) {
        return TlsInfo.of(engine.getSession(), engine.getApplicationProtocol());
    }

    private SSLParameters parameters() {
        SSLParameters p = context.getDefaultSSLParameters();
        p.setProtocols(PROTOCOLS.toArray(new String[0]));
        p.setApplicationProtocols(new String[] {ALPN});
        return p;
    }

    /** What the handshake of a blocking TLS socket settled. */
    public static TlsInfo info(SSLSocket s) {
        return TlsInfo.of(s.getSession(), s.getApplicationProtocol());
    }

    /**
     * Says, in one line and without a stack trace, why a client's handshake failed: not TLS at all
     * (plain HTTP sent to this port, answered with a 400), a client hello the server refuses, or a handshake not finished
     * within {@code --header-timeout}. A client that closed before saying anything is not worth a
     * line. Any thread.
     */
    public static void handshakeFailed(String client, IOException e) {
        if (e instanceof PlainText.Answered) {
            LOG.log(
                    Level.INFO,
                    "{0}: plain text (an http:// request?) sent to the TLS port; answered 400 and closed",
                    client);
        } else if (e instanceof SocketTimeoutException) {
            handshakeTimedOut(client);
        } else if (e instanceof EOFException || e.getCause() instanceof EOFException) {
            LOG.log(Level.DEBUG, "{0}: closed during the TLS handshake", client);
        } else {
            LOG.log(Level.INFO, "{0}: TLS handshake failed ({1}); closed", client, e.getMessage());
        }
    }

    /** Says that a client's handshake did not finish within {@code --header-timeout}. */
    public static void handshakeTimedOut(String client) {
        LOG.log(Level.INFO, "{0}: TLS handshake not finished within --header-timeout; closed", client);
    }

    /** For {@code /stats}: what any client of this server can expect. */
    public Map<String, Object> figures() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("protocols", PROTOCOLS);
        m.put("alpn", ALPN);
        m.put("certificateSubject", certificate.getSubjectX500Principal().getName());
        m.put("certificateSha256", fingerprint);
        m.put("certificateNotAfter", certificate.getNotAfter().toInstant().toString());
        return m;
    }
}
