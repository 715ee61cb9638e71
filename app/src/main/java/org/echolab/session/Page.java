package org.echolab.session;

import java.nio.charset.StandardCharsets;
import org.echolab.config.ServerConfig;
import org.echolab.protocol.Durations;
import org.echolab.tls.TlsInfo;

/**
 * {@code GET /}: one HTML page that says what this server is and which endpoints it has, with a
 * link to the live view on the monitor's port (the host is the one the browser used).
 */
final class Page {

    private Page() {}

    /** {@code tls}: what this connection's TLS handshake settled, shown on the page; null on a plain connection. */
    static byte[] html(ServerConfig config, int monitorPort, TlsInfo tls) {
        String secure = tls == null ? "" : """
                <p>This connection: <b>%s</b>, cipher suite <code>%s</code>, ALPN <code>%s</code>.
                TCP lines over TLS work too: <code>openssl s_client -quiet -connect HOST:PORT</code>.</p>
                """.formatted(tls.protocol(), tls.cipher(), tls.alpn().isEmpty() ? "none" : tls.alpn());
        String live = monitorPort <= 0 ? "" : """
                <p><b><a id="live" href="http://%s:%d/live">Watch it live</a></b>: the clients queued in the kernel,
                what each worker is doing and a timeline of the last seconds; also <code>/metrics</code>
                (Prometheus) and <code>/stats</code> there. That port has a thread of its own, so it answers
                however busy the model is.</p>
                <script>document.getElementById('live').hostname = location.hostname;</script>
                """.formatted(config.bind, monitorPort);
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>EchoLab</title></head>
                <body style="font-family: sans-serif; max-width: 44em; margin: 2em auto">
                <h1>EchoLab wait-and-echo server</h1>
                <p>Model <b>%s</b>, default wait %s, longest wait %s. Every response names its model,
                worker (pid and thread) and request number in its X-Echo-* headers.</p>
                %s%s                <ul>
                <li><code>GET /echo?msg=hi&amp;wait=250ms&amp;work=sleep|cpu&amp;size=N</code>: echoes msg
                (or N bytes starting with it) after the wait; the wait may also come in an
                <code>X-Echo-Wait</code> header</li>
                <li><code>POST /echo</code>: echoes the body with its Content-Type</li>
                <li><code>GET /health</code>: ok</li>
                <li><code>GET /stats</code>: JSON: model, uptime, requests, connections, threads</li>
                <li>TCP on the same port: each line comes back after the wait;
                <code>[wait=250ms work=cpu] text</code> sets one line's wait</li>
                </ul></body></html>
                """.formatted(config.model, Durations.format(config.defaultWait), Durations.format(config.maxWait), secure, live)
                .getBytes(StandardCharsets.UTF_8);
    }
}
