package org.echolab.session;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import org.echolab.config.ServerConfig;
import org.echolab.protocol.HttpParser;
import org.echolab.protocol.HttpResponse;
import org.echolab.protocol.Limits;
import org.echolab.protocol.LineParser;
import org.echolab.protocol.ProtocolDetector.Protocol;
import org.echolab.protocol.ProtocolDetector;

/**
 * One connection's conversation, with no sockets, threads or clocks: handed the bytes read so far,
 * it says what to do next. It owns every decision of the protocol: which protocol the connection
 * speaks, what each parse result means, what a timeout or an overload answers, and when a
 * draining server closes. Every model runs it; they differ only in how they read, wait and write
 * ({@link BlockingSession} on one thread, the event loop as a state machine).
 *
 * <p><b>Threads:</b> not thread-safe; one connection's conversation is driven by one thread at a
 * time (its session thread, or its loop).
 *
 * <p><b>Use:</b> call {@link #next} until it says {@link Read}; on {@link Answer}, do its work
 * (wait), then write {@link #reply} and report with {@link #replied}.
 */
public final class Conversation {

    private static final System.Logger LOG = System.getLogger("echolab.session");

    /** What the connection should do next. */
    public sealed interface Step {}

    /**
     * Read more bytes. While a request is under way ({@code midRequest}) the header timeout
     * applies (then {@link #timedOut}); between requests the idle timeout (then a quiet close).
     */
    public record Read(boolean midRequest) implements Step {}

    /** Write these bytes at once (a 100 Continue, a refusal); close afterwards if {@code close}. */
    public record Write(byte[] bytes, boolean close) implements Step {}

    /**
     * A request to answer: perform its work for its delay (a sleep may be a timer), then write
     * {@link #reply}. Until {@link #replied} the request counts as in flight.
     */
    public record Answer(Reply reply) implements Step {}

    /** A read buffer large enough for any request line or TCP line the limits allow. */
    public static int readBufferSize(Limits limits) {
        return Math.max(16 * 1024, Math.max(limits.maxRequestLine(), limits.maxLine()) + 64);
    }

    private final ServerConfig config;
    private final EchoService service;
    private final String client;
    private Protocol protocol;               // null until told apart
    private HttpParser http;
    private LineParser lines;
    private Reply inFlight;                  // from an Answer until replied()

    public Conversation(ServerConfig config, EchoService service, String client) {
        this.config = config;
        this.service = service;
        this.client = client;
        this.protocol = switch (config.protocol) {
            case HTTP -> Protocol.HTTP;
            case TCP -> Protocol.TCP;
            case AUTO -> null;
        };
    }

    /**
     * Parses from {@code in} (read mode; consumed bytes are taken) and says what to do next.
     * {@code draining}: the server is stopping, so a reply says it is the last.
     */
    public Step next(ByteBuffer in, boolean draining) {
        if (protocol == null) {
            protocol = ProtocolDetector.detect(in, config.limits.maxRequestLine());
            if (protocol == null) {
                return new Read(in.hasRemaining());
            }
        }
        return protocol == Protocol.HTTP ? nextHttp(in, draining) : nextLine(in);
    }

    private Step nextHttp(ByteBuffer in, boolean draining) {
        if (http == null) {
            http = new HttpParser(config.limits);
        }
        return switch (http.parse(in)) {
            case HttpParser.NeedMore n -> new Read(http.midRequest());
            case HttpParser.ExpectContinue e -> new Write(HttpResponse.continue100(), false);
            case HttpParser.Complete done -> answer(service.http(done.request(), draining));
            case HttpParser.Failure f -> {
                LOG.log(Level.DEBUG, "{0}: {1} {2} ({3}); closing", client, f.status(), f.reason(), f.detail());
                yield new Write(Answers.refused(f, config.model), true);
            }
        };
    }

    private Step nextLine(ByteBuffer in) {
        if (lines == null) {
            lines = new LineParser(config.limits.maxLine());
        }
        return switch (lines.parse(in)) {
            case LineParser.NeedMore n -> new Read(lines.midLine());
            case LineParser.Line line -> answer(service.line(line.bytes()));
            case LineParser.TooLong t -> {
                LOG.log(Level.DEBUG, "{0}: TCP line over {1} bytes; closing", client, t.limit());
                yield new Write(Answers.lineTooLong(t.limit()), true);
            }
        };
    }

    private Answer answer(Reply reply) {
        inFlight = reply;
        return new Answer(reply);
    }

    /**
     * The bytes to write once the answer's work is done. If the server began draining meanwhile,
     * the reply becomes the connection's last (HTTP: {@code Connection: close}).
     */
    public Reply reply(boolean draining) {
        return draining ? inFlight.closing() : inFlight;
    }

    /** The answer in progress was written ({@code written}) or abandoned (the connection closed first). */
    public void replied(boolean written) {
        if (inFlight != null) {
            Reply done = inFlight;
            inFlight = null;
            service.done(done, client, written);
        }
    }

    /** Whether a request has begun and not been answered: bytes of it read, or its answer pending. */
    public boolean midRequest(ByteBuffer in) {
        if (inFlight != null) {
            return true;
        }
        if (protocol == null) {
            return in != null && in.hasRemaining();
        }
        return protocol == Protocol.HTTP ? http != null && http.midRequest() : lines != null && lines.midLine();
    }

    /** What to send when a begun request did not arrive in time (then close); null: close quietly. */
    public byte[] timedOut() {
        LOG.log(Level.DEBUG, "{0}: request not complete within --header-timeout; closing", client);
        return Answers.timedOut(protocol);
    }

    /** What to send when the server will not take this request now (then close). */
    public byte[] busy(String why) {
        return Answers.busy(protocol, why);
    }

    public String client() {
        return client;
    }
}
