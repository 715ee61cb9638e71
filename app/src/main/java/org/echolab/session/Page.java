package org.echolab.session;

import java.nio.charset.StandardCharsets;
import org.echolab.config.ServerConfig;
import org.echolab.protocol.Durations;

/** {@code GET /}: one HTML page that says what this server is and which endpoints it has. */
final class Page {

    private Page() {}

    static byte[] html(ServerConfig config) {
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>EchoLab</title></head>
                <body style="font-family: sans-serif; max-width: 44em; margin: 2em auto">
                <h1>EchoLab wait-and-echo server</h1>
                <p>Model <b>%s</b>, default wait %s, longest wait %s. Every response names its model,
                worker (pid and thread) and request number in its X-Echo-* headers.</p>
                <ul>
                <li><code>GET /echo?msg=hi&amp;wait=250ms&amp;work=sleep|cpu&amp;size=N</code>: echoes msg
                (or N bytes starting with it) after the wait; the wait may also come in an
                <code>X-Echo-Wait</code> header</li>
                <li><code>POST /echo</code>: echoes the body with its Content-Type</li>
                <li><code>GET /health/live</code>: 200 while the process answers;
                <code>GET /health/ready</code> (and <code>/health</code>): 200, or 503 once the server is stopping</li>
                <li><code>GET /stats</code>: JSON: model, uptime, requests, connections, threads</li>
                <li>TCP on the same port: each line comes back after the wait;
                <code>[wait=250ms work=cpu] text</code> sets one line's wait</li>
                </ul></body></html>
                """.formatted(config.model, Durations.format(config.defaultWait), Durations.format(config.maxWait))
                .getBytes(StandardCharsets.UTF_8);
    }
}
