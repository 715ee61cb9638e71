package org.echolab.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLException;

/**
 * A client that sends plain text to a TLS port (most often an {@code http://} URL for an HTTPS
 * server) is told so, in plain text, as nginx does ("The plain HTTP request was sent to HTTPS
 * port"): a 400 whose body says to use {@code https://}, then the close. Told apart by the first
 * byte: a TLS connection begins with a handshake record (0x16), an HTTP request or a TCP line with
 * a printable character. Stateless and thread-safe.
 */
final class PlainText {

    private PlainText() {}

    /** The answer was sent: the handshake ends here and the connection closes. */
    public static final class Answered extends SSLException {
        Answered() {
            super("plain text sent to the TLS port; answered 400");
        }
    }

    private static final byte[] BODY =
            ("400 Bad Request: this port speaks TLS; the plain HTTP request was sent to an HTTPS port."
                            + " Use https:// (curl: https://host:port/...).\n")
                    .getBytes(StandardCharsets.US_ASCII);

    /** The whole answer: a complete HTTP/1.1 response that closes the connection. */
    static final byte[] ANSWER = concat(
            ("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + BODY.length
                            + "\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII),
            BODY);

    /** True if a connection that begins with {@code first} is plain text, not TLS. */
    static boolean plain(byte first) {
        return first >= 0x20 && first < 0x7f;
    }

    /**
     * Blocking: answers on {@code socket}, then reads what the client still sends (up to 64 KiB,
     * within the socket's read timeout) so that the close after it is a FIN and not a reset that
     * could destroy the answer before the client reads it.
     */
    static Answered answer(Socket socket) throws IOException {
        socket.getOutputStream().write(ANSWER);
        socket.getOutputStream().flush();
        socket.shutdownOutput();
        InputStream in = socket.getInputStream();
        byte[] sink = new byte[4096];
        try {
            for (int total = 0, n; total < 64 * 1024 && (n = in.read(sink)) > 0; total += n) {
                // the rest of the request, unread
            }
        } catch (SocketTimeoutException e) {
            // the client says no more within the timeout: close all the same
        }
        return new Answered();
    }

    /**
     * Non-blocking: answers on {@code channel} in one write (a fresh connection's send buffer takes
     * it whole) and half-closes; the caller closes. The request came in the read that showed it was
     * not TLS, so nothing unread is left to turn the close into a reset.
     */
    static Answered answer(SocketChannel channel) throws IOException {
        channel.write(ByteBuffer.wrap(ANSWER));
        channel.shutdownOutput();
        return new Answered();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
