package org.echolab.service;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.echolab.process.Activity;
import org.echolab.process.Ledger;
import org.echolab.protocol.LineDirective;
import org.echolab.protocol.WebSocketDecoder;
import org.echolab.protocol.WebSocketFrames;

/**
 * The echoes of what is not an HTTP request: a TCP line, a WebSocket message, a UDP datagram. Each
 * comes back as it came, after the wait; each may start with a {@link LineDirective}
 * ({@code [wait=.. work=..]}, not echoed), a WebSocket message only if it is text; a bad directive
 * is answered with an {@code ERR} line. Thread-safe: it holds nothing of its own.
 */
final class Messages {

    private final Duration defaultWait;
    private final Parameters parameters;
    private final Ledger ledger;

    Messages(Duration defaultWait, Parameters parameters, Ledger ledger) {
        this.defaultWait = defaultWait;
        this.parameters = parameters;
        this.ledger = ledger;
    }

    /**
     * The echo of one TCP line, given without its {@code ending}, which the echo keeps: CR LF
     * stays CR LF, and a last line cut short by the end of input comes back as it came, with none.
     */
    Reply line(byte[] line, byte[] ending) {
        Directed d = directed(line, defaultWait, Work.SLEEP, "line");
        byte[] out = Arrays.copyOf(d.text(), d.text().length + ending.length);
        System.arraycopy(ending, 0, out, d.text().length, ending.length);
        return Reply.line(out, d.delay(), d.work(), d.entered("LINE", out.length));
    }

    /** The echo of one WebSocket message, in one frame, after the wait its connection's upgrade asked for. */
    Reply message(WebSocketDecoder.Message m, Reply.Upgrade defaults) {
        Directed d = m.text()
                ? directed(m.payload(), defaults.delay(), defaults.work(), "ws")
                : began(m.payload(), defaults.delay(), defaults.work(), "ws", Activity.LINE_OK);
        byte[] frame = WebSocketFrames.frame(m.text() ? WebSocketFrames.TEXT : WebSocketFrames.BINARY, d.text());
        return Reply.message(
                frame,
                WebSocketFrames.close(WebSocketFrames.GOING_AWAY, "the server is stopping"),
                d.delay(),
                d.work(),
                d.entered(null, 0));
    }

    /** The echo of one UDP datagram; only {@code work=sleep}: the UDP side has a timer, not threads to burn. */
    Reply datagram(byte[] data) {
        Directed d = directed(data, defaultWait, Work.SLEEP, "udp");
        if (d.work() == Work.CPU) {
            return Reply.line(
                    Answers.errorLine("work=cpu is not served over UDP"),
                    Duration.ZERO,
                    Work.SLEEP,
                    d.entered(null, 0));
        }
        return Reply.line(d.text(), d.delay(), d.work(), d.entered(null, 0));
    }

    /**
     * Bytes to echo after {@code delay} doing {@code work}, for a request {@code begun} in the
     * ledger as {@code what}, with {@code outcome} {@link Activity#LINE_OK} or {@link Activity#LINE_ERR}.
     */
    private record Directed(
            Duration delay, Work work, byte[] text, Ledger.Begun begun, String what, int outcome, Ledger ledger) {

        /** The request answered: {@code request} is its access-log text (null: not logged), {@code bytes} the echo's length. */
        Ledger.Entry entered(String request, long bytes) {
            return ledger.answered(begun, what, outcome, delay.toMillis(), request, bytes);
        }
    }

    /** {@code bytes} read for a {@link LineDirective}, which overrides the given wait and work; a bad one becomes an ERR line. */
    private Directed directed(byte[] bytes, Duration wait, Work work, String what) {
        try {
            LineDirective d = LineDirective.parse(bytes);
            Duration w = d.waitText() == null ? wait : parameters.waitOf(d.waitText());
            Work k = d.workText() == null ? work : Parameters.workOf(d.workText());
            return began(d.text(), w, k, what, Activity.LINE_OK);
        } catch (LineDirective.Malformed | Refusal e) {
            byte[] err = ("ERR " + e.getMessage()).getBytes(StandardCharsets.UTF_8);
            return began(err, Duration.ZERO, Work.SLEEP, what, Activity.LINE_ERR);
        }
    }

    /** A request that is not HTTP began: counted, numbered, and given its slot in the live view. */
    private Directed began(byte[] text, Duration wait, Work work, String what, int outcome) {
        return new Directed(wait, work, text, ledger.begin(), what, outcome, ledger);
    }
}
