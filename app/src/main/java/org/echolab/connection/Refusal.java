package org.echolab.connection;

import java.io.IOException;
import java.net.Socket;
import org.echolab.config.ServerConfig;
import org.echolab.process.Ledger;
import org.echolab.process.Refusals;
import org.echolab.protocol.ProtocolDetector.Protocol;
import org.echolab.service.Answers;

/**
 * Turning a client away, the one way every model does it, at the accept (an address over
 * {@code --max-per-client}, a model with no place) or later (a budget, a full offload queue): the
 * answer in the connection's protocol ({@link Answers#busy}: an HTTP 503 with {@code Retry-After},
 * an {@code ERR busy: why; closing} line, a WebSocket close), counted by its reason and written to
 * the access log ({@link Ledger#turnedAway}). Before the first byte the protocol is the one
 * {@code --protocol} fixes; under {@code auto} it is taken for HTTP, the likeliest client.
 * Stateless and thread-safe.
 */
public final class Refusal {

    private Refusal() {}

    /** What a client speaking {@code protocol} (null: not known yet, so HTTP) is told; counted and logged. */
    public static byte[] answer(Protocol protocol, Ledger ledger, Refusals.Reason reason, String client, String why) {
        ledger.turnedAway(reason, client, why, protocol == Protocol.TCP ? 0 : 503);
        return Answers.busy(protocol, why);
    }

    /**
     * What a connection turned away before it sent anything is told, in the protocol
     * {@code config} fixes; counted and logged. For a model that writes it itself (a channel of
     * its own); {@link #refuse} writes it on a socket.
     */
    public static byte[] atAccept(
            ServerConfig config, Ledger ledger, Refusals.Reason reason, String client, String why) {
        return answer(
                config.protocol == ServerConfig.ProtocolChoice.TCP ? Protocol.TCP : null, ledger, reason, client, why);
    }

    /**
     * Turns away the client of a blocking {@code socket} just accepted: writes the answer, drops
     * what the client has sent so far, so that the close is a FIN and not a reset that could
     * destroy the answer before the client reads it, and closes. Never blocks for long: the answer
     * fits a new socket's send buffer.
     */
    public static void refuse(
            Socket socket, ServerConfig config, Ledger ledger, Refusals.Reason reason, String client, String why) {
        byte[] answer = atAccept(config, ledger, reason, client, why);
        try (socket) {
            socket.getOutputStream().write(answer);
            socket.shutdownOutput();
            var in = socket.getInputStream();
            in.skipNBytes(Math.max(0, in.available()));
        } catch (IOException ignored) {
            // the client is gone already; closing is all that is left
        }
    }
}
