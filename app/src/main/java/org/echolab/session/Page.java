package org.echolab.session;

import java.nio.charset.StandardCharsets;
import org.echolab.config.ServerConfig;
import org.echolab.protocol.Durations;

/**
 * {@code GET /}: one HTML page that says what this server is and which endpoints it has, with a
 * link to the live view on the monitor's port (the host is the one the browser used).
 */
final class Page {

    private Page() {}

    static byte[] html(ServerConfig config, int monitorPort) {
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
                %s                <ul>
                <li><code>GET /echo?msg=hi&amp;wait=250ms&amp;work=sleep|cpu&amp;size=N</code>: echoes msg
                (or N bytes starting with it) after the wait; the wait may also come in an
                <code>X-Echo-Wait</code> header</li>
                <li><code>POST /echo</code>: echoes the body with its Content-Type</li>
                <li><code>GET /health</code>: ok</li>
                <li><code>GET /stats</code>: JSON: model, uptime, requests, connections, threads</li>
                <li><code>ws://…/ws?wait=250ms&amp;work=sleep|cpu</code>: WebSocket echo; each text or binary
                message (fragmented ones reassembled) comes back after the wait, pings get pongs, a close
                gets its own code back; a text message may start with <code>[wait=1s]</code>; messages
                over %s bytes are closed with 1009</li>
                <li>TCP on the same port: each line comes back after the wait;
                <code>[wait=250ms work=cpu] text</code> sets one line's wait</li>
                %s</ul></body></html>
                """.formatted(config.model, Durations.format(config.defaultWait), Durations.format(config.maxWait), live,
                        Math.min(config.wsMaxFrame, config.wsMaxMessage), udp(config))
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
