package org.echolab.process;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.echolab.config.ServerConfig;

/**
 * {@code --access-log}: one line per answered request, in the Common Log Format that web log tools
 * read ({@code 127.0.0.1 - - [30/Nov/2026:15:03:42 +0000] "GET /echo?msg=hi HTTP/1.1" 200 2}) or as
 * JSON lines with more fields (duration, wait, who served it, whether the client got it all).
 * Requests the server refused before they reached the service (a malformed request, a timeout, a
 * full server) are logged too, with the request as {@code "-"} when it never arrived whole. A TCP
 * line is logged as the request {@code "LINE"} with the status {@code "-"} ({@code "ok"} or
 * {@code "err"} in JSON).
 *
 * <p><b>Writes:</b> each line is one {@code write(2)} on a file opened with {@code O_APPEND} (or on
 * stdout), unbuffered, as nginx does without its {@code buffer=} option: a line is never lost in a
 * buffer when the process dies, and the lines of several processes (a {@code prefork} tree, each
 * {@code process} child) appending to one file never interleave. The cost is one system call per
 * request, paid only when the log is on.
 *
 * <p><b>Threads:</b> safe for any number of writers: a FileChannel orders concurrent writes.
 */
final class AccessLog implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AccessLog.class.getName());
    private static final DateTimeFormatter COMMON_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneId.systemDefault());

    /** No log: every call returns at once. */
    public static final AccessLog OFF = new AccessLog(null, false, ServerConfig.AccessLogFormat.COMMON, "");

    /** What one request's line needs, taken when it arrived (only while the log is on). */
    public record Arrival(String request, long epochMillis, long beganNanos) {}

    private final WritableByteChannel out; // null: off
    private final boolean ownsOut; // a file this log opened (not stdout)
    private final ServerConfig.AccessLogFormat format;
    private final String model;
    private volatile boolean failed;

    private AccessLog(WritableByteChannel out, boolean ownsOut, ServerConfig.AccessLogFormat format, String model) {
        this.out = out;
        this.ownsOut = ownsOut;
        this.format = format;
        this.model = model;
    }

    /**
     * The log {@code config} asks for: {@code --access-log -} is this process's stdout, any other
     * value a file, appended to (created if missing).
     */
    public static AccessLog open(ServerConfig config) throws IOException {
        if (config.accessLog.isEmpty()) {
            return OFF;
        }
        if (config.accessLog.equals("-")) {
            return new AccessLog(
                    new FileOutputStream(FileDescriptor.out).getChannel(), false, config.accessLogFormat, config.model);
        }
        FileChannel file = FileChannel.open(
                Path.of(config.accessLog),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        return new AccessLog(file, true, config.accessLogFormat, config.model);
    }

    public boolean on() {
        return out != null;
    }

    /** What {@link #replied} will need of a request that just arrived; null while the log is off. */
    public Arrival arrival(String request) {
        return out == null ? null : new Arrival(request, System.currentTimeMillis(), System.nanoTime());
    }

    /**
     * A reply was written ({@code written}) or abandoned because the connection ended first.
     * {@code status}: the HTTP status, or {@link Activity#LINE_OK} / {@link Activity#LINE_ERR};
     * {@code bodyBytes}: the body's length, or the line's.
     */
    public void replied(String client, Arrival arrival, int status, long bodyBytes, long number, boolean written) {
        if (out == null || arrival == null) {
            return;
        }
        long micros = (System.nanoTime() - arrival.beganNanos()) / 1_000;
        write(
                client,
                arrival.request(),
                arrival.epochMillis(),
                status,
                written ? bodyBytes : -1,
                micros,
                number,
                written);
    }

    /**
     * The server answered {@code status} itself and closed: {@code request} is the request line if
     * it arrived whole, else {@code "-"}; {@code status} 0 for a TCP connection's {@code ERR} line.
     * The bytes sent are logged as {@code "-"}: a refusal's body is the server's, not the request's.
     */
    public void refused(String client, String request, int status) {
        if (out == null) {
            return;
        }
        write(client, request, System.currentTimeMillis(), status, -1, 0, 0, true);
    }

    private void write(
            String client,
            String request,
            long epochMillis,
            int status,
            long bytes,
            long micros,
            long number,
            boolean completed) {
        String line = format == ServerConfig.AccessLogFormat.JSON
                ? jsonLine(client, request, epochMillis, status, bytes, micros, number, completed)
                : common(client, request, epochMillis, status, bytes);
        try {
            ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                out.write(b);
            }
        } catch (IOException e) {
            if (!failed) { // a full disk must not take the server down; say so once
                failed = true;
                LOG.log(Level.WARNING, "access log: write failed ({0}); lines are being lost", e.toString());
            }
        }
    }

    private static String common(String client, String request, long epochMillis, int status, long bytes) {
        return client + " - - [" + COMMON_TIME.format(Instant.ofEpochMilli(epochMillis)) + "] \""
                + escaped(request, "\\x%02X") + "\" " + (status >= 100 ? Integer.toString(status) : "-") + " "
                + (bytes < 0 ? "-" : Long.toString(bytes)) + "\n";
    }

    private String jsonLine(
            String client,
            String request,
            long epochMillis,
            int status,
            long bytes,
            long micros,
            long number,
            boolean completed) {
        String statusText =
                status >= 100 ? Integer.toString(status) : "\"" + (status == Activity.LINE_OK ? "ok" : "err") + "\"";
        return "{\"time\":\"" + Instant.ofEpochMilli(epochMillis) + "\",\"client\":\"" + jsonText(client)
                + "\",\"request\":\"" + jsonText(request) + "\",\"status\":" + statusText
                + ",\"bytes\":" + (bytes < 0 ? "null" : Long.toString(bytes))
                + ",\"duration_us\":" + micros + ",\"completed\":" + completed
                + ",\"model\":\"" + model + "\",\"worker\":\"" + jsonText(Activity.worker()) + "\""
                + (number > 0 ? ",\"request_number\":" + number : "") + "}\n";
    }

    /** Text inside a JSON string. */
    private static String jsonText(String s) {
        return escaped(s, "\\u%04x");
    }

    /** A request line as a log may hold it: quotes, backslashes and control bytes escaped in {@code format}. */
    static String escaped(String s, String format) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f) {
                if (b == null) {
                    b = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                b.append(String.format(format, (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    @Override
    public void close() {
        if (ownsOut) {
            try {
                out.close();
            } catch (IOException ignored) {
                // nothing more to write
            }
        }
    }
}
