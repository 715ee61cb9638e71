package org.echolab.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.echolab.protocol.Durations;
import org.echolab.protocol.Query;
import org.echolab.protocol.Sizes;

/**
 * HTTP/1.1 on one connection: {@code METHOD path?msg=M&wait=..&work=..&size=..} (the target's own
 * path and query, its {@code msg} extended by the unique part; the {@code -H} headers and the
 * body), pre-encoded around the message so that each request costs a few copies; its response is
 * read and checked by an {@link HttpResponseReader}.
 *
 * <p><b>Threads:</b> one per connection, run by that connection's event-loop thread.
 */
final class HttpExchange implements Exchange {

    private final Message message;
    private final byte[] requestStart;
    private final byte[] requestEnd;
    private final byte[] body;
    private final LoadSpec.Verify verify;
    private final HttpResponseReader response;

    /**
     * The message a connection's requests carry: with echo verification, the target's own
     * {@code msg} (decoded) followed by the unique part {@code prefix + seq}, or the body alone;
     * without it, nothing is checked and nothing is added to the target.
     */
    static Message message(LoadSpec spec, String prefix, byte[] filler) {
        if (spec.verify() != LoadSpec.Verify.ECHO) {
            return new Message(new byte[0], null, null, 0);
        }
        if (spec.body() != null) {
            return new Message(spec.body(), null, filler, spec.size());
        }
        String msg = Query.parse(query(spec.target().path())).get("msg");
        return new Message(
                msg == null ? new byte[0] : msg.getBytes(StandardCharsets.ISO_8859_1), prefix, filler, spec.size());
    }

    /** @param close whether to ask the server to close after each response (connect-per-request) */
    HttpExchange(Target target, LoadSpec spec, Message message, boolean close) {
        this.message = message;
        this.verify = spec.verify();
        this.response = new HttpResponseReader(message, verify, spec.method().equals("HEAD"));
        this.body = spec.body() == null ? new byte[0] : spec.body();
        // the target split where the unique part goes: right after the value of its msg, or in a msg of its own
        String path = target.path();
        String before = path;
        String after = "";
        if (verify == LoadSpec.Verify.ECHO && spec.body() == null) {
            int end = msgValueEnd(path);
            if (end >= 0) {
                before = path.substring(0, end);
                after = path.substring(end);
            } else {
                before = path + (path.contains("?") ? "&" : "?") + "msg=";
            }
        }
        StringBuilder end = new StringBuilder(after);
        String params = "";
        if (spec.serverWait() != null) {
            params += "&wait=" + Durations.format(spec.serverWait());
        }
        if (spec.work() != null) {
            params += "&work=" + spec.work();
        }
        if (spec.size() > 0) {
            params += "&size=" + Sizes.format(spec.size());
        }
        if (!params.isEmpty()) {
            end.append(path.contains("?") || before.contains("?") ? params : "?" + params.substring(1));
        }
        end.append(" HTTP/1.1\r\n");
        if (spec.headers().stream().noneMatch(h -> h.regionMatches(true, 0, "Host:", 0, 5))) {
            end.append("Host: ")
                    .append(target.host())
                    .append(':')
                    .append(target.port())
                    .append("\r\n");
        }
        for (String h : spec.headers()) {
            end.append(h).append("\r\n");
        }
        if (spec.body() != null) {
            end.append("Content-Length: ").append(body.length).append("\r\n");
        }
        if (close) {
            end.append("Connection: close\r\n");
        }
        end.append("\r\n");
        requestStart = bytes(spec.method() + " " + before);
        requestEnd = bytes(end.toString());
    }

    /** The raw query of a path, or "". */
    private static String query(String path) {
        int q = path.indexOf('?');
        return q < 0 ? "" : path.substring(q + 1);
    }

    /** Where the raw value of the target's first {@code msg} parameter ends, or -1 if it has none. */
    static int msgValueEnd(String path) {
        int q = path.indexOf('?');
        if (q < 0) {
            return -1;
        }
        for (int at = q + 1; at <= path.length(); ) {
            int amp = path.indexOf('&', at);
            int end = amp < 0 ? path.length() : amp;
            if (path.startsWith("msg=", at) && at + 4 <= end) {
                return end;
            }
            if (end == at + 3 && path.startsWith("msg", at)) {
                return -1; // "msg" without '=': leave it, add a msg of our own
            }
            at = end + 1;
        }
        return -1;
    }

    @Override
    public int requestCapacity() {
        return requestStart.length + message.maxTextLength() + requestEnd.length + body.length;
    }

    @Override
    public void encode(long seq, ByteBuffer out) {
        message.next(seq);
        out.clear();
        int from = message.uniqueFrom();
        out.put(requestStart)
                .put(message.text(), from, message.textLength() - from)
                .put(requestEnd)
                .put(body);
        out.flip();
        response.begin();
    }

    @Override
    public boolean read(ByteBuffer in) {
        return response.read(in);
    }

    @Override
    public void eof() {
        response.eof();
    }

    @Override
    public String failure() {
        return response.failure();
    }

    @Override
    public boolean closeAfter() {
        return response.closeAfter();
    }

    @Override
    public long requestNumber() {
        return response.requestNumber();
    }

    @Override
    public int status() {
        return response.status();
    }

    @Override
    public String worker() {
        return response.worker();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
