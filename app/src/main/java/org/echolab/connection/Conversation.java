package org.echolab.connection;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import org.echolab.config.ServerConfig;
import org.echolab.process.Budget;
import org.echolab.process.Refusals;
import org.echolab.process.Resources;
import org.echolab.protocol.HttpParser;
import org.echolab.protocol.HttpResponse;
import org.echolab.protocol.Limits;
import org.echolab.protocol.LineParser;
import org.echolab.protocol.ProtocolDetector;
import org.echolab.protocol.ProtocolDetector.Protocol;
import org.echolab.protocol.WebSocketDecoder;
import org.echolab.protocol.WebSocketFrames;
import org.echolab.service.Answers;
import org.echolab.service.EchoService;
import org.echolab.service.Origin;
import org.echolab.service.Reply;
import org.echolab.service.Work;
import org.echolab.tls.TlsInfo;

/**
 * One connection's conversation, with no sockets, threads or clocks: handed the bytes read so far,
 * it says what to do next. It owns every decision of the protocol: which protocol the connection
 * speaks, what each parse result means, which timeout governs each read, what a timeout or an
 * overload answers, what the process's {@link Budget}s allow, and when a draining server closes.
 * Every model runs it; they differ only in how they read, wait and write ({@link BlockingSession}
 * on one thread, {@link NonBlockingSession} as a state machine for the event loop and Netty).
 *
 * <p><b>Protocols:</b> HTTP or TCP lines, told apart by the first line; an HTTP connection whose
 * {@code GET /ws} handshake succeeds switches to WebSocket once its 101 is answered, and from then
 * on its bytes are frames: a message is an {@link Answer} (its echo, after its wait), a ping a
 * {@link Write} of the pong, a close or a broken rule a {@link Write} of the close frame that
 * ends the connection. The transport underneath is the models' business: bytes in, bytes out.
 *
 * <p><b>Threads:</b> not thread-safe; one connection's conversation is driven by one thread at a
 * time (its session thread, or its loop).
 *
 * <p><b>Use:</b> call {@link #next} until it says {@link Read}; on {@link Answer}, do its work
 * (wait), then write {@link #reply} and report with {@link #replied}. When the client ends its
 * input, {@link #endOfInput} may have one last answer. When the connection ends, for whatever
 * reason, call {@link #end}: it gives back what the conversation held.
 */
public final class Conversation {

    private static final System.Logger LOG = System.getLogger(Conversation.class.getName());

    /** What the connection should do next. */
    public sealed interface Step {}

    /**
     * Read more bytes, within the {@link Deadlines} of {@code kind}: {@code HEADER} while a
     * request's head is under way or none has come yet on a new connection, {@code BODY} while its
     * body is, {@code IDLE} between requests. The deadline counts from the start of the
     * {@code phase}, which changes whenever the kind of wait does (then {@link #timedOut}).
     */
    public record Read(Deadlines.Kind kind, long phase) implements Step {}

    /**
     * Write these bytes at once (a 100 Continue, a refusal); close afterwards if {@code close},
     * lingering ({@link Deadlines#LINGER}): after a refusal the client may still be sending what
     * the server did not read, and closing at once would reset the connection under the answer.
     */
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
    private final Resources process; // the budgets it takes from, the ledger it reports to
    private final String client;
    private final int port; // the peer's; -1 if unknown
    private long requests; // requests begun on this connection: the Origin's number
    private TlsInfo tls; // null: plain (or the handshake is not done)
    private Protocol protocol; // null until told apart
    private HttpParser http;
    private LineParser lines;
    private WebSocketDecoder frames; // after a WebSocket upgrade
    private Reply.Upgrade messages; // what each WebSocket message waits, unless it says
    private Reply inFlight; // from an Answer until replied()
    private boolean answerSent; // a byte of inFlight's answer was written
    private boolean answeredOne; // a request has been answered: a silent connection is now idle, not new
    private Deadlines.Kind waiting; // the kind of the last Read, until something else happens
    private long phase;
    private long heldBytes; // taken from the memory budget: the body being read and the reply
    private long heldCpu; // taken from the CPU budget: the answer's work=cpu, in nanoseconds

    public Conversation(ServerConfig config, EchoService service, Resources process, String client) {
        this(config, service, process, client, -1);
    }

    /** {@code client}: the peer's address; {@code port}: its port, which {@code /anything} reports. */
    public Conversation(ServerConfig config, EchoService service, Resources process, String client, int port) {
        this.config = config;
        this.service = service;
        this.process = process;
        this.client = client;
        this.port = port;
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
                return read(in.hasRemaining() || !answeredOne ? Deadlines.Kind.HEADER : Deadlines.Kind.IDLE);
            }
        }
        return switch (protocol) {
            case HTTP -> nextHttp(in, draining);
            case TCP -> nextLine(in);
            case WEBSOCKET -> nextMessage(in);
        };
    }

    private Step nextHttp(ByteBuffer in, boolean draining) {
        if (http == null) {
            http = new HttpParser(config.limits, this::takeForBody);
        }
        return switch (http.parse(in)) {
            case HttpParser.NeedMore n ->
                read(
                        http.inBody()
                                ? Deadlines.Kind.BODY
                                : http.midRequest() || !answeredOne ? Deadlines.Kind.HEADER : Deadlines.Kind.IDLE);
            case HttpParser.ExpectContinue e -> write(HttpResponse.continue100(), false);
            case HttpParser.Complete done -> {
                Reply reply = service.http(done.request(), draining, new Origin(client, port, ++requests, tls));
                Step step = answer(reply);
                if (step instanceof Answer && reply.upgraded() != null) {
                    protocol = Protocol.WEBSOCKET; // bytes after the 101 are frames
                    messages = reply.upgraded();
                    frames = new WebSocketDecoder(config.wsMaxFrame, config.wsMaxMessage, this::takeForBody);
                }
                yield step;
            }
            case HttpParser.Failure f -> {
                LOG.log(Level.DEBUG, "{0}: {1} {2} ({3}); closing", client, f.status(), f.reason(), f.detail());
                process.ledger().rejected(client, "-", f.status());
                yield write(Answers.refused(f, config.model), true);
            }
        };
    }

    private Step nextLine(ByteBuffer in) {
        if (lines == null) {
            lines = new LineParser(config.limits.maxLine());
        }
        return switch (lines.parse(in)) {
            case LineParser.NeedMore n ->
                read(lines.midLine() || !answeredOne ? Deadlines.Kind.HEADER : Deadlines.Kind.IDLE);
            case LineParser.Line line -> answer(service.line(line.bytes(), line.ending()));
            case LineParser.TooLong t -> {
                LOG.log(Level.DEBUG, "{0}: TCP line over {1} bytes; closing", client, t.limit());
                process.ledger().rejected(client, "LINE", 0);
                yield write(Answers.lineTooLong(t.limit()), true);
            }
        };
    }

    /**
     * The client closed its side (end of input); {@code in}: the bytes still unparsed. A TCP line
     * cut short by it is answered, as the connection's last reply ({@link Answer}); otherwise
     * there is nothing to do (null). Call it only when {@link #next} asked to {@link Read}.
     */
    public Step endOfInput(ByteBuffer in) {
        if (protocol == null && in.hasRemaining()) {
            protocol = ProtocolDetector.detectAtEnd(in);
        }
        if (protocol != Protocol.TCP || inFlight != null) {
            return null;
        }
        if (nextLine(in) instanceof Write refusal) {
            return refusal; // over the limit
        }
        LineParser.Line last = lines.finish();
        if (last == null) {
            return null;
        }
        Step step = answer(service.line(last.bytes(), last.ending()));
        if (step instanceof Answer) {
            inFlight = inFlight.closing();
            return new Answer(inFlight);
        }
        return step;
    }

    /**
     * WebSocket: between messages the idle timeout governs, within one (a frame or a fragmented
     * message begun) the body timeout. An unsolicited pong is ignored (RFC 6455 5.5.3).
     */
    private Step nextMessage(ByteBuffer in) {
        while (true) {
            switch (frames.next(in)) {
                case WebSocketDecoder.NeedMore n -> {
                    return read(frames.midMessage() ? Deadlines.Kind.BODY : Deadlines.Kind.IDLE);
                }
                case WebSocketDecoder.Message m -> {
                    return answer(service.message(m, messages));
                }
                case WebSocketDecoder.Ping p -> {
                    return write(WebSocketFrames.frame(WebSocketFrames.PONG, p.payload()), false);
                }
                case WebSocketDecoder.Pong p -> {
                    // keep reading
                }
                case WebSocketDecoder.Close c -> {
                    return write(WebSocketFrames.close(c.code(), c.reason()), true); // the same code back, then close
                }
                case WebSocketDecoder.Failure f -> {
                    LOG.log(Level.DEBUG, "{0}: WebSocket close {1}: {2}", client, f.code(), f.reason());
                    return write(WebSocketFrames.close(f.code(), f.reason()), true);
                }
            }
        }
    }

    /** A read of {@code kind}: the same phase as the last read if that was of the same kind too. */
    private Read read(Deadlines.Kind kind) {
        if (kind != waiting) {
            waiting = kind;
            phase++;
        }
        return new Read(kind, phase);
    }

    private Write write(byte[] bytes, boolean close) {
        waiting = null;
        return new Write(bytes, close);
    }

    /** The service's reply, if the budgets allow what it holds and the CPU work it asks for; else 503. */
    private Step answer(Reply reply) {
        waiting = null;
        answeredOne = true;
        long cpu = reply.work() == Work.CPU ? Math.max(0, reply.delay().toNanos()) : 0;
        String refusal = null;
        Refusals.Reason reason = null;
        if (!process.memory().take(reply.held())) {
            refusal = "the server holds as many replies as --memory-budget allows; retry later";
            reason = Refusals.Reason.MEMORY_BUDGET;
        } else if (!process.cpu().take(cpu)) {
            process.memory().give(reply.held());
            refusal = "the CPU work in flight is at --cpu-budget; retry later";
            reason = Refusals.Reason.CPU_BUDGET;
        }
        if (refusal != null) {
            process.ledger().refused(reply.entry(), client);
            return write(busy(reason, refusal), true);
        }
        heldBytes += reply.held();
        heldCpu = cpu;
        inFlight = reply;
        answerSent = false;
        return new Answer(reply);
    }

    /** The parser's request for a body buffer, taken from the memory budget. */
    private boolean takeForBody(int bytes) {
        if (!process.memory().take(bytes)) {
            return false;
        }
        heldBytes += bytes;
        return true;
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
            giveBack();
            process.ledger().done(done.entry(), client, written);
        }
    }

    /** Bytes were written: if an answer is in progress, it has begun to go out (a {@link Write}'s bytes are not an answer's). */
    void sent() {
        if (inFlight != null) {
            answerSent = true;
        }
    }

    /**
     * Whether the connection holds a complete request (parsed, its answer decided) of whose answer
     * not one byte was written: if the server closes it now, that request is unanswered
     * ({@link org.echolab.process.Closes}). Ask before {@link #end}.
     */
    boolean holdsUnanswered() {
        return inFlight != null && !answerSent;
    }

    /** The connection is closing, for whatever reason: abandons an answer in progress and gives back what was held. */
    public void end() {
        replied(false);
        giveBack();
    }

    private void giveBack() {
        process.memory().give(heldBytes);
        process.cpu().give(heldCpu);
        heldBytes = 0;
        heldCpu = 0;
    }

    /** Whether a request has begun and not been answered: bytes of it read, or its answer pending. */
    public boolean midRequest(ByteBuffer in) {
        if (inFlight != null) {
            return true;
        }
        if (protocol == null) {
            return in != null && in.hasRemaining();
        }
        return switch (protocol) {
            case HTTP -> http != null && http.midRequest();
            case TCP -> lines != null && lines.midLine();
            case WEBSOCKET -> frames.midMessage();
        };
    }

    /** What to send when a request did not arrive in time (then close); null: close quietly (nothing came). */
    public byte[] timedOut() {
        LOG.log(Level.DEBUG, "{0}: request not complete within its timeout; closing", client);
        if (!midRequest(null)) {
            return null;
        }
        process.ledger().rejected(client, "-", protocol == Protocol.TCP ? 0 : 408);
        return Answers.timedOut(protocol);
    }

    /** What to send when the model has no place for this client now (then close): counted as {@link Refusals.Reason#FULL}. */
    public byte[] busy(String why) {
        return busy(Refusals.Reason.FULL, why);
    }

    /** What to send when the server will not take this request now, for {@code reason} (then close); counted and logged. */
    public byte[] busy(Refusals.Reason reason, String why) {
        return Refusal.answer(protocol, process.ledger(), reason, client, why);
    }

    public String client() {
        return client;
    }

    /** The connection's TLS handshake is done: what it settled, for the answers that describe the connection. */
    public void secured(TlsInfo info) {
        tls = info;
    }
}
