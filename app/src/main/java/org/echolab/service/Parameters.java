package org.echolab.service;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.echolab.config.ServerConfig;
import org.echolab.protocol.Durations;
import org.echolab.protocol.HttpRequest;
import org.echolab.protocol.Query;

/**
 * The parameters a request gives in its query or as {@code X-Echo-Name} headers, read and checked
 * against this server's limits; a bad one is a {@link Refusal} (400) that names it. Immutable.
 */
final class Parameters {

    /**
     * What {@code /echo} and {@code /anything} read from the query: any other name on {@code /echo}
     * and any of these given twice is a 400 that names it ({@code /anything} reflects other names).
     */
    private static final List<String> ECHO = Stream.concat(
                    Stream.of("msg", "wait", "work", "size"), Faults.PARAMETERS.stream())
            .toList();

    private static final Set<String> FAULTS = Set.copyOf(Faults.PARAMETERS);

    /** What a header that gives a parameter begins with: {@code X-Echo-Wait} gives {@code wait}. */
    private static final String HEADER_PREFIX = "X-Echo-";

    /** The header that may give each of them: the prefix and its name, written once. */
    private static final Map<String, String> HEADERS =
            ECHO.stream().collect(Collectors.toMap(n -> n, n -> HEADER_PREFIX + n));

    private final Duration defaultWait;
    private final Duration maxWait;

    Parameters(ServerConfig config) {
        this.defaultWait = config.defaultWait;
        this.maxWait = config.maxWait;
    }

    /** A parameter from the query, or else from its {@code X-Echo-Name} header, or null. */
    static String param(Map<String, String> q, HttpRequest req, String name) {
        String v = q.get(name);
        if (v != null) {
            return v;
        }
        String header = HEADERS.get(name);
        return req.header(header != null ? header : HEADER_PREFIX + name);
    }

    static Map<String, String> query(HttpRequest req) {
        try {
            return Query.parse(req.rawQuery());
        } catch (IllegalArgumentException e) {
            throw Refusal.badRequest("malformed query: " + e.getMessage());
        }
    }

    /** The query of {@code /echo} ({@code anything}: of {@code /anything}), checked against {@link #ECHO}. */
    static Map<String, String> echoQuery(HttpRequest req, boolean anything) {
        try {
            return Query.parse(req.rawQuery(), ECHO, anything);
        } catch (IllegalArgumentException e) {
            throw Refusal.badRequest(e.getMessage());
        }
    }

    /** Whether the query names one of {@link Faults#PARAMETERS}, or any {@code X-Echo-} header is given. */
    private static boolean namesAFault(Map<String, String> q, HttpRequest req) {
        for (String name : q.keySet()) {
            if (FAULTS.contains(name)) {
                return true;
            }
        }
        for (HttpRequest.Header h : req.headers()) {
            if (h.name().regionMatches(true, 0, HEADER_PREFIX, 0, HEADER_PREFIX.length())) {
                return true;
            }
        }
        return false;
    }

    /** {@code value} as a wait, at most {@code --max-wait}; none: {@code --default-wait}. */
    Duration waitOf(String value) {
        if (value == null) {
            return defaultWait;
        }
        Duration d;
        try {
            d = Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw Refusal.badRequest("bad wait: " + e.getMessage());
        }
        if (d.compareTo(maxWait) > 0) {
            throw Refusal.badRequest(
                    "wait " + value + " is above this server's --max-wait of " + Durations.format(maxWait));
        }
        return d;
    }

    /** {@code value} as the kind of work; none: a sleep. */
    static Work workOf(String value) {
        if (value == null) {
            return Work.SLEEP;
        }
        try {
            return Work.parse(value);
        } catch (IllegalArgumentException e) {
            throw Refusal.badRequest(e.getMessage());
        }
    }

    /** The faults a request asks for, after a wait of {@code wait}. */
    Faults faultsOf(Map<String, String> q, HttpRequest req, Duration wait) {
        if (!namesAFault(q, req)) {
            return Faults.NONE; // what parsing would give, without a lookup for each of its names
        }
        try {
            return Faults.parse(name -> param(q, req, name), wait, maxWait);
        } catch (IllegalArgumentException e) {
            throw Refusal.badRequest(e.getMessage());
        }
    }
}
