package org.echolab.lab.grade;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A raw TCP client for the lab's grader and the tests: sends exact bytes and reads exact answers,
 * so a check can send what no well-behaved HTTP client would (bad requests, pipelines, half
 * requests) and see exactly when the server closes.
 */
public final class RawClient implements AutoCloseable {

    public record Response(int status, String reason, Map<String, String> headers, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** Header value by case-insensitive name, or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3})(?: (.*))?");
    private static final Pattern CONTENT_LENGTH = Pattern.compile("\\d{1,9}");

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawClient(int port) throws IOException {
        this("127.0.0.1", port);
    }

    /**
     * A client from {@code source}, a loopback address such as 127.0.0.2: to the server, another
     * machine than the tests' usual 127.0.0.1 (Linux routes all of 127.0.0.0/8 to lo).
     */
    public RawClient(String source, int port) throws IOException {
        socket = new Socket();
        socket.bind(new InetSocketAddress(source, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(20_000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** The client's own port: how the server's end of this connection is found among the kernel's sockets. */
    public int localPort() {
        return socket.getLocalPort();
    }

    public RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** A GET of {@code target} with Host, as a well-behaved HTTP/1.1 client sends it. */
    public static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    /**
     * The next response. A server's answer can be anything (a student's mistake may interleave two
     * writers on one socket), so whatever is not an HTTP response is an IOException that says what
     * came instead, never an exception that would end the grade.
     */
    public Response readResponse() throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        Matcher status = STATUS_LINE.matcher(statusLine);
        if (!status.matches()) {
            throw new IOException("not an HTTP status line: " + quoted(statusLine));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while (!(line = headerLine()).isEmpty()) {
            int colon = line.indexOf(':');
            if (colon < 1) {
                throw new IOException("not a header line: " + quoted(line));
            }
            headers.put(
                    line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    line.substring(colon + 1).trim());
        }
        String contentLength = headers.getOrDefault("content-length", "0");
        if (!CONTENT_LENGTH.matcher(contentLength).matches()) {
            throw new IOException("not a Content-Length: " + quoted(contentLength));
        }
        int length = Integer.parseInt(contentLength);
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new IOException("body truncated: " + body.length + " of " + length + " bytes");
        }
        String reason = status.group(2);
        return new Response(Integer.parseInt(status.group(1)), reason == null ? "" : reason, headers, body);
    }

    /** The next line of a response's head; the stream may not end there. */
    private String headerLine() throws IOException {
        String line = readLine();
        if (line == null) {
            throw new IOException("connection closed inside the response's headers");
        }
        return line;
    }

    /** {@code text} in quotes, cut at 60 characters, with control characters escaped. */
    private static String quoted(String text) {
        StringBuilder s = new StringBuilder("'");
        text.codePoints().limit(60).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                s.append(String.format("\\x%02x", c));
            } else {
                s.appendCodePoint(c);
            }
        });
        return s.append(text.length() > 60 ? "...'" : "'").toString();
    }

    /** One line without its CR LF, or null at end of stream. */
    public String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }

    /** True if the server closed the connection (end of stream or reset) within the read timeout. */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // connection reset: closed too
        }
    }

    public void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** Closes with a reset (RST), not a FIN: the peer's unread data is dropped and its next read or write fails at once. */
    public void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
