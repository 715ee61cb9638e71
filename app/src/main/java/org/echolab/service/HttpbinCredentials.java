package org.echolab.service;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.echolab.protocol.HttpRequest;
import org.echolab.protocol.HttpResponse;
import org.echolab.protocol.Query;
import org.echolab.service.Httpbin.Answer;

/**
 * go-httpbin's routes for what a client keeps and sends back: {@code /cookies} (with
 * {@code /cookies/set} and {@code /cookies/delete}) and {@code /basic-auth/{user}/{password}}.
 * Stateless.
 */
final class HttpbinCredentials {

    private static final DateTimeFormatter COOKIE_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

    private HttpbinCredentials() {}

    /**
     * {@code /cookies}: the request's cookies as JSON; {@code /cookies/set?k=v} and
     * {@code /cookies/delete?k} set or expire them (Path=/, HttpOnly, Secure over HTTPS; each may be
     * changed with {@code attr[Path]=/x}, {@code attr[Secure]=false}, {@code attr[SameSite]=Lax},
     * {@code attr[Domain]=}) and redirect to {@code /cookies}.
     */
    static Answer cookies(HttpRequest req, Origin origin, String[] p) {
        if (p.length == 1) {
            Map<String, String> jar = new LinkedHashMap<>();
            for (HttpRequest.Header h : req.headers()) {
                if (h.name().equalsIgnoreCase("Cookie")) {
                    for (String c : h.value().split(";")) {
                        int eq = c.indexOf('=');
                        if (eq > 0) {
                            jar.putIfAbsent(
                                    c.substring(0, eq).strip(),
                                    unquote(c.substring(eq + 1).strip()));
                        }
                    }
                }
            }
            return Httpbin.json(200, Map.of("cookies", jar));
        }
        if (p.length != 2 || !(p[1].equals("set") || p[1].equals("delete"))) {
            return null;
        }
        boolean delete = p[1].equals("delete");
        Map<String, String> attr = new LinkedHashMap<>(Map.of(
                "path",
                "/",
                "httponly",
                "true",
                "secure",
                Boolean.toString(origin.tls() != null || "https".equals(HttpbinJson.scheme(req, origin)))));
        Map<String, String> set = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : Query.pairs(req.rawQuery())) {
            String k = e.getKey();
            if (k.startsWith("attr[") && k.endsWith("]")) {
                attr.put(k.substring(5, k.length() - 1).toLowerCase(Locale.ROOT), e.getValue());
            } else {
                set.putIfAbsent(k, e.getValue());
            }
        }
        HttpResponse res = new HttpResponse(302, "Found").header("Location", "/cookies");
        for (Map.Entry<String, String> c : set.entrySet()) {
            res.header("Set-Cookie", setCookie(c.getKey(), c.getValue(), attr, delete));
        }
        return new Answer(res);
    }

    /** A Set-Cookie value with its attributes in the order Go writes them. */
    private static String setCookie(String name, String value, Map<String, String> attr, boolean delete) {
        StringBuilder sb = new StringBuilder(name)
                .append('=')
                .append(value.contains(" ") || value.contains(",") ? "\"" + value + "\"" : value);
        if (!attr.get("path").isEmpty()) {
            sb.append("; Path=").append(attr.get("path"));
        }
        if (attr.get("domain") != null && !attr.get("domain").isEmpty()) {
            sb.append("; Domain=").append(attr.get("domain"));
        }
        if (delete) {
            sb.append("; Expires=")
                    .append(COOKIE_DATE.format(ZonedDateTime.now(ZoneOffset.UTC).minusDays(365)))
                    .append("; Max-Age=0");
        }
        if (truth(attr.get("httponly"))) {
            sb.append("; HttpOnly");
        }
        if (truth(attr.get("secure"))) {
            sb.append("; Secure");
        }
        String sameSite =
                attr.get("samesite") == null ? "" : attr.get("samesite").toLowerCase(Locale.ROOT);
        switch (sameSite) {
            case "strict" -> sb.append("; SameSite=Strict");
            case "lax" -> sb.append("; SameSite=Lax");
            case "none" -> sb.append("; SameSite=None");
            default -> {}
        }
        return sb.toString();
    }

    private static boolean truth(String s) {
        return "1".equals(s) || "true".equalsIgnoreCase(s);
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    /** {@code /basic-auth/user/passwd}: 200 if the request's Basic credentials are those, else 401 with a challenge. */
    static Answer basicAuth(HttpRequest req, String user, String password) {
        String given = "";
        String givenPassword = null;
        String auth = req.header("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair =
                        new String(Base64.getDecoder().decode(auth.substring(6).strip()), StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                if (colon >= 0) {
                    given = pair.substring(0, colon);
                    givenPassword = pair.substring(colon + 1);
                }
            } catch (IllegalArgumentException e) {
                // not base64: no credentials, as in Go's Request.BasicAuth
            }
        }
        boolean ok = given.equals(user) && password.equals(givenPassword);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("authenticated", ok);
        m.put("user", given);
        m.put("authorized", ok); // go-httpbin's older name, kept by it too
        Answer a = Httpbin.json(ok ? 200 : 401, m);
        if (!ok) {
            a.response().header("WWW-Authenticate", "Basic realm=\"Fake Realm\"");
        }
        return a;
    }
}
