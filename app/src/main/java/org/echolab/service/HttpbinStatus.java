package org.echolab.service;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.echolab.protocol.HttpRequest;
import org.echolab.protocol.HttpResponse;
import org.echolab.service.Httpbin.Answer;
import org.echolab.service.Httpbin.Bad;

/**
 * go-httpbin's status and redirect routes: {@code /status/{codes}} (one code, or a weighted random
 * choice, with go-httpbin's headers and bodies), {@code /redirect/{n}},
 * {@code /relative-redirect/{n}}, {@code /absolute-redirect/{n}} and {@code /redirect-to}.
 * Stateless.
 */
final class HttpbinStatus {

    private HttpbinStatus() {}

    /** {@code /status/418}, or {@code /status/200:3,500:1} for a weighted random choice; some codes come with go-httpbin's headers and body. */
    static Answer status(String codes) throws Bad {
        int code = codes.contains(",") ? weightedChoice(codes) : Httpbin.statusCode(codes);
        HttpResponse res = new HttpResponse(code, HttpResponse.reasonOf(code)).header("Content-Type", Httpbin.TEXT);
        switch (code) {
            case 301, 302, 303, 305, 307 -> res.header("Location", "/redirect/1");
            case 300, 308 -> res.header("Location", "/image/jpeg");
            case 401 -> res.header("WWW-Authenticate", "Basic realm=\"Fake Realm\"");
            case 402 -> res.header("X-More-Info", "http://vimeo.com/22053820").body(Httpbin.bytes("Fuck you, pay me!"));
            case 407 -> res.header("Proxy-Authenticate", "Basic realm=\"Fake Realm\"");
            case 418 ->
                res.header("X-More-Info", "http://tools.ietf.org/html/rfc2324").body(Httpbin.bytes("I'm a teapot!"));
            default -> {}
        }
        return new Answer(res);
    }

    /** {@code 200:3,500:1}: a code by its weight (1 if left out), as go-httpbin picks one. */
    private static int weightedChoice(String text) throws Bad {
        List<Integer> codes = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        double total = 0;
        for (String pair : text.split(",", -1)) {
            int colon = pair.indexOf(':');
            double w = 1;
            if (colon >= 0) {
                try {
                    w = Double.parseDouble(pair.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new Bad(400, "invalid weight value: \"" + pair.substring(colon + 1) + "\"");
                }
            }
            String code = colon < 0 ? pair : pair.substring(0, colon);
            int c;
            try {
                c = Httpbin.statusCode(code);
            } catch (Bad e) {
                throw new Bad(400, "invalid choice value: \"" + code + "\"");
            }
            if (!(w >= 0)) {
                throw new Bad(400, "invalid weight value: \"" + pair.substring(colon + 1) + "\"");
            }
            codes.add(c);
            weights.add(w);
            total += w;
        }
        double pick = ThreadLocalRandom.current().nextDouble() * total;
        for (int i = 0; i < codes.size(); i++) {
            pick -= weights.get(i);
            if (pick < 0) {
                return codes.get(i);
            }
        }
        return codes.getLast(); // every weight 0: go-httpbin panics here; the last is as good an answer
    }

    /**
     * {@code /redirect/3}: 302 to {@code /relative-redirect/2} (or {@code /absolute-redirect/2} as a
     * whole URL, with {@code ?absolute=true}), and so on down to {@code /get}.
     */
    static Answer redirect(HttpRequest req, Origin origin, String route, String count) throws Bad {
        int n = Httpbin.whole(count, "invalid redirect count: \"" + count + "\"");
        if (n < 1) {
            throw new Bad(400, "redirect count must be > 0");
        }
        boolean relative = switch (route) {
            case "redirect" -> !"true".equalsIgnoreCase(Httpbin.query(req).get("absolute"));
            case "relative-redirect" -> true;
            default -> false;
        };
        String path = n == 1 ? "/get" : (relative ? "/relative-redirect/" : "/absolute-redirect/") + (n - 1);
        String location = relative ? path : HttpbinJson.scheme(req, origin) + "://" + req.header("Host") + path;
        return redirectTo(location, 302);
    }

    /** {@code /redirect-to?url=U[&status_code=307]}: to a whole URL or a path starting with /, with a 3xx (302 unless asked). */
    static Answer redirectTo(HttpRequest req) throws Bad {
        Map<String, String> q = Httpbin.query(req);
        String url = q.get("url");
        if (url == null || url.isEmpty()) {
            throw new Bad(400, "missing required query parameter: url");
        }
        url = new String(url.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        if (!url.startsWith("/") && !url.matches("(?s)[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            return new Answer(new HttpResponse(403, "Forbidden")
                    .header("Content-Type", "text/plain")
                    .body(Httpbin.bytes(
                            "Forbidden redirect URL: give a whole URL (https://...) or a path starting with /")));
        }
        int code = 302;
        String asked = q.get("status_code");
        if (asked != null && !asked.isEmpty()) {
            code = Httpbin.whole(asked, "invalid status code: \"" + asked + "\"");
            if (code < 300 || code > 399) {
                throw new Bad(400, "invalid status code: " + code + " not in range [300, 399]");
            }
        }
        return redirectTo(url, code);
    }

    private static Answer redirectTo(String location, int code) {
        return new Answer(new HttpResponse(code, HttpResponse.reasonOf(code)).header("Location", location));
    }
}
