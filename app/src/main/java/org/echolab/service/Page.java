package org.echolab.service;

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
        String secure = tls == null
                ? ""
                : """
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
                <li><code>GET /echo?msg=hi&amp;wait=250ms&amp;work=sleep|cpu&amp;size=64KiB</code>: echoes msg
                (or that many bytes starting with it) after the wait; durations and sizes need a unit; an unknown or repeated parameter is a 400; the wait may also come in an
                <code>X-Echo-Wait</code> header</li>
                <li><code>POST /echo</code>: echoes the body with its Content-Type</li>
                <li><code>ANY /anything[/...]</code>: the request as JSON: go-httpbin's fields, then method, target, path, query, headers
                (in their order and case), body (base64 when it is not UTF-8), peer address and port,
                protocol, <code>tls</code>, and who served it (model, worker, request number, number on
                its connection)</li>
                <li>go-httpbin's routes: <code>/get</code>, <code>/post</code>, <code>/put</code>, <code>/patch</code>,
                <code>/delete</code>, <code>/headers</code>, <code>/ip</code>, <code>/user-agent</code>, <code>/uuid</code>,
                <code>/status/418</code>, <code>/delay/1.5</code> (seconds), <code>/drip</code>, <code>/bytes/N</code>,
                <code>/stream/N</code>, <code>/redirect/N</code>, <code>/redirect-to?url=</code>, <code>/cookies</code>,
                <code>/basic-auth/USER/PASSWD</code>, <code>/gzip</code>, <code>/deflate</code>; CORS on every response</li>
                </ul>
                <p>Faults, on <code>/echo</code> and <code>/anything</code>, by query parameter or an
                <code>X-Echo-</code> header of the same name (the query wins):</p>
                <ul>
                <li><code>status=503</code>: that status (200 to 599), same body</li>
                <li><code>fail=0.1&amp;seed=42</code>: a tenth of the requests, picked by the seed and the
                request's number on its connection, get the status, close or reset asked for, or a 500;
                the same requests on every run and every model. Without a seed the server picks one and
                says it in <code>X-Echo-Seed</code></li>
                <li><code>jitter=uniform:50ms</code> or <code>jitter=0ms*9,500ms*1</code>: a random extra wait,
                seeded the same way</li>
                <li><code>drip=10&amp;interval=100ms</code>: the body in 10 chunks (chunked transfer coding),
                one every 100 ms (at most %d chunks)</li>
                <li><code>close=before|middle</code>, <code>reset=before|middle</code>: the connection ends
                before the response or after its head and half its body (or half its chunks); a reset sends RST</li>
                <li>wait, jitter and drip together stay within the longest wait</li>
                <li><code>GET /health/live</code>: 200 while the process answers;
                <code>GET /health/ready</code> (and <code>/health</code>): 200, or 503 once the server is stopping</li>
                <li><code>GET /stats</code>: JSON: model, uptime, requests, connections, threads</li>
                <li><code>ws://…/ws?wait=250ms&amp;work=sleep|cpu</code>: WebSocket echo; each text or binary
                message (fragmented ones reassembled) comes back after the wait, pings get pongs, a close
                gets its own code back; a text message may start with <code>[wait=1s]</code>; messages
                over %s bytes are closed with 1009</li>
                <li>TCP on the same port: each line comes back after the wait with the ending it came with
                (CR LF or LF; a last line without one when the client closes its side);
                <code>[wait=250ms work=cpu] text</code> sets one line's wait</li>
                %s</ul></body></html>
                """.formatted(
                        config.model,
                        Durations.format(config.defaultWait),
                        Durations.format(config.maxWait),
                        secure,
                        live,
                        Faults.MAX_DRIP,
                        Math.min(config.wsMaxFrame, config.wsMaxMessage),
                        udp(config))
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String udp(ServerConfig config) {
        if (!config.udp) {
            return "";
        }
        String port = config.udpPort == ServerConfig.SAME_PORT ? "the same port number" : "port " + config.udpPort;
        return """
                <li>UDP on %s: each datagram comes back after the wait (<code>[wait=250ms] text</code> sets its
                own); datagrams over %d bytes, or beyond %d waiting, are dropped and counted in /stats</li>
                """.formatted(port, config.udpMaxDatagram, config.udpQueue);
    }
}
