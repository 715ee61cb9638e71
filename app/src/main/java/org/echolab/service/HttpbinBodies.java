package org.echolab.service;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.echolab.protocol.Durations;
import org.echolab.protocol.HttpRequest;
import org.echolab.protocol.HttpResponse;
import org.echolab.service.Httpbin.Answer;
import org.echolab.service.Httpbin.Bad;

/**
 * go-httpbin's routes that wait or hold a body of the client's size: {@code /delay/{seconds}},
 * {@code /drip}, {@code /bytes/{n}}, {@code /stream/{n}}. A wait is not done here but handed back
 * as the {@link Answer}'s, which the model performs as it does {@code /echo?wait=} (a thread
 * sleeps, the event loop sets a timer), within {@code --max-wait}; a body is bounded by
 * {@code --max-body}, as go-httpbin's by its {@code -max-body-size}, and held under the memory
 * budget like any reply. As in httpbin, a bare number of seconds is seconds here
 * ({@code /delay/1.5}); a unit may be given too ({@code 1500ms}).
 *
 * <p>Thread-safe: it holds only the two limits.
 */
final class HttpbinBodies {

    private static final int MAX_STREAM_LINES = 100;

    private final Duration maxWait;
    private final int maxBody;

    HttpbinBodies(Duration maxWait, int maxBody) {
        this.maxWait = maxWait;
        this.maxBody = maxBody;
    }

    /** {@code /delay/2}: after 2 seconds (at most {@code --max-wait}), the request as {@code /post} gives it. */
    Answer delay(HttpRequest req, Origin origin, String text) throws Bad {
        Duration d = duration(text, "invalid duration");
        Answer a = Httpbin.json(200, Httpbin.withBody(req, origin));
        a.response().header("Server-Timing", timing("initial_delay", d, "initial delay"));
        return new Answer(a.response(), d, null);
    }

    /**
     * {@code /drip?duration=2&delay=2&numbytes=10&code=200} (go-httpbin's defaults): after the delay,
     * numbytes {@code *}s spread over the duration, within their Content-Length (not chunked). At
     * most {@value Faults#MAX_DRIP} pieces: more bytes than that go several to a piece.
     */
    Answer drip(HttpRequest req) throws Bad {
        Map<String, String> q = Httpbin.query(req);
        Duration duration =
                q.get("duration") == null ? Duration.ofSeconds(2) : duration(q.get("duration"), "invalid duration");
        Duration delay = q.get("delay") == null ? Duration.ofSeconds(2) : duration(q.get("delay"), "invalid delay");
        int n = 10;
        if (q.get("numbytes") != null) {
            n = Httpbin.whole(q.get("numbytes"), "invalid numbytes: \"" + q.get("numbytes") + "\"");
            if (n < 1 || n > maxBody) {
                throw new Bad(
                        400, "invalid numbytes: " + n + " not in range [1, " + maxBody + "] (the server's --max-body)");
            }
        }
        int code = q.get("code") == null ? 200 : Httpbin.statusCode(q.get("code"));
        if (duration.plus(delay).compareTo(maxWait) > 0) {
            throw new Bad(
                    400,
                    "too much time: " + Durations.format(duration) + "+" + Durations.format(delay) + " > "
                            + Durations.format(maxWait) + " (--max-wait)");
        }
        int pieces = duration.isZero() ? 1 : Math.min(n, Faults.MAX_DRIP);
        Duration pause = pieces > 1 ? duration.dividedBy(pieces - 1) : Duration.ZERO;
        byte[] body = new byte[n];
        Arrays.fill(body, (byte) '*');
        HttpResponse res = new HttpResponse(code, HttpResponse.reasonOf(code))
                .header("Content-Type", Httpbin.TEXT)
                .header(
                        "Server-Timing",
                        String.join(
                                ", ",
                                timing("total_duration", delay.plus(duration), "total request duration"),
                                timing("initial_delay", delay, "initial delay"),
                                timing("write_duration", duration, "duration of writes after initial delay"),
                                timing("pause_per_write", pause, "computed pause between writes")))
                .body(body);
        return new Answer(res, delay, new Reply.Pace(pieces, pause, false));
    }

    /** {@code /bytes/n[?seed=s]}: n random bytes (the same ones for the same seed), n at most {@code --max-body}. */
    Answer bytes(HttpRequest req, String count) throws Bad {
        int n = Httpbin.whole(count, "invalid byte count: \"" + count + "\"");
        String seedText = Httpbin.query(req).get("seed");
        Random random;
        try {
            random = seedText == null || seedText.isEmpty() ? new Random() : new Random(Long.parseLong(seedText));
        } catch (NumberFormatException e) {
            throw new Bad(400, "invalid seed: \"" + seedText + "\"");
        }
        if (n < 0) {
            throw new Bad(400, "invalid byte count: " + n + " must be greater than 0");
        }
        if (n == 0) {
            return new Answer(new HttpResponse(200, "OK"));
        }
        if (n > maxBody) {
            throw new Bad(
                    400, "invalid byte count: " + n + " not in range [1, " + maxBody + "] (the server's --max-body)");
        }
        byte[] body = new byte[n];
        random.nextBytes(body);
        return new Answer(new HttpResponse(200, "OK")
                .header("Content-Type", "application/octet-stream")
                .body(body));
    }

    /** {@code /stream/n}: n lines (1 to 100) of the request as JSON, each with its {@code id}, in chunks. */
    static Answer stream(HttpRequest req, Origin origin, String count) throws Bad {
        int n = Math.clamp(Httpbin.whole(count, "invalid count: \"" + count + "\""), 1, MAX_STREAM_LINES);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", 0);
        line.put("args", HttpbinJson.args(req));
        line.put("headers", HttpbinJson.headers(req));
        line.put("origin", HttpbinJson.origin(req, origin));
        line.put("url", HttpbinJson.url(req, origin));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            line.put("id", i);
            out.writeBytes(HttpbinJson.compact(line));
            out.write('\n');
        }
        HttpResponse res =
                new HttpResponse(200, "OK").header("Content-Type", Httpbin.TEXT).body(out.toByteArray());
        return new Answer(res, Duration.ZERO, new Reply.Pace(n, Duration.ZERO, true));
    }

    /**
     * A duration as httpbin takes it: a bare number is seconds ({@code 1.5}), as in httpbin; or
     * with a unit ({@code 1500ms}, {@code 2s}); from 0 to {@code --max-wait}.
     */
    private Duration duration(String text, String what) throws Bad {
        Duration d;
        try {
            d = text.matches("\\d+(\\.\\d*)?|\\.\\d+")
                    ? Duration.ofNanos(Math.round(Double.parseDouble(text) * 1e9))
                    : Durations.parse(text);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new Bad(
                    400, what + ": \"" + text + "\" is not a duration; give seconds (1.5) or a unit (1500ms, 2s)");
        }
        if (d.compareTo(maxWait) > 0) {
            throw new Bad(
                    400,
                    what + ": " + Durations.format(d) + " is above this server's --max-wait of "
                            + Durations.format(maxWait));
        }
        return d;
    }

    /** One Server-Timing entry, in milliseconds with two decimals, as go-httpbin writes it. */
    private static String timing(String name, Duration d, String description) {
        return String.format(Locale.ROOT, "%s;dur=%.2f;desc=\"%s\"", name, d.toNanos() / 1e6, description);
    }
}
