package org.echolab.load;

import java.net.URI;
import java.util.Locale;

/**
 * Where the load goes: {@code http://host:port/path?query} or {@code https://host:port/path?query},
 * {@code ws://host:port/path} or {@code wss://host:port/path} (WebSocket messages; {@code /ws} when
 * no path is given) or
 * {@code tcp://host:port} (line echo). A scheme this generator does not speak is refused here, by
 * name, with the schemes it does. Immutable.
 *
 * @param host   as written in the URI (an IPv6 literal keeps its brackets)
 * @param path   the HTTP request path with any query the user gave, or "" for TCP
 * @param secure {@code https} or {@code wss}: each connection begins with a TLS handshake
 */
record Target(Kind kind, String host, int port, String path, URI uri, boolean secure) {

    public enum Kind {
        HTTP,
        TCP,
        WS
    }

    /** The path used when an HTTP target names none: the EchoLab server's echo endpoint. */
    public static final String DEFAULT_PATH = "/echo";

    /** The path used when a WebSocket target names none: the EchoLab server's WebSocket endpoint. */
    public static final String DEFAULT_WS_PATH = "/ws";

    /** @throws IllegalArgumentException saying what a valid target looks like */
    public static Target of(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("target '" + uri
                    + "' has no host; use http://host:port/path, ws://host:port/path or tcp://host:port");
        }
        return switch (scheme) {
            case "http", "https", "ws", "wss" -> {
                boolean ws = scheme.startsWith("ws");
                String path = uri.getRawPath() == null || uri.getRawPath().isEmpty()
                        ? (ws ? DEFAULT_WS_PATH : DEFAULT_PATH)
                        : uri.getRawPath();
                if (uri.getRawQuery() != null) {
                    path += "?" + uri.getRawQuery();
                }
                boolean secure = scheme.equals("https") || scheme.equals("wss");
                int port = uri.getPort() >= 0 ? uri.getPort() : secure ? 443 : 80;
                yield new Target(ws ? Kind.WS : Kind.HTTP, uri.getHost(), port, path, uri, secure);
            }
            case "tcp" -> {
                if (uri.getPort() < 0) {
                    throw new IllegalArgumentException("target '" + uri + "' needs a port: tcp://host:port");
                }
                yield new Target(Kind.TCP, uri.getHost(), uri.getPort(), "", uri, false);
            }
            default ->
                throw new IllegalArgumentException(
                        "target '" + uri + "' must start with http://, https://, ws://, wss:// or tcp://");
        };
    }

    /** The host for name resolution: without the brackets of an IPv6 literal. */
    public String hostName() {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
