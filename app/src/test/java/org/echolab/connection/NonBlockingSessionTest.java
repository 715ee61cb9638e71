package org.echolab.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.echolab.config.ServerConfig;
import org.echolab.process.Closes;
import org.echolab.process.Connections;
import org.echolab.process.Readiness;
import org.echolab.process.Resources;
import org.echolab.service.EchoService;
import org.echolab.service.Outgoing;
import org.echolab.state.AtomicState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The session against a transport that behaves as Netty's does when the client has reset the
 * connection: the write's future fails at once, inside {@link Transport#send}, and the session is
 * told so (and closes) before {@code send} returns. No socket here: what is tested is the session's
 * reaction to that order of events, which real sockets produce only now and then (a reset that
 * lands between the request and its answer, on a busy machine).
 */
@Timeout(10)
class NonBlockingSessionTest {

    @Test
    void aWriteThatFailsInsideSendClosesTheSessionOnceAndLogsNoError() throws IOException {
        List<LogRecord> errors = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    errors.add(r);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger log = Logger.getLogger(NonBlockingSession.class.getName());
        log.addHandler(handler);
        try {
            ResetOnWrite transport = new ResetOnWrite("GET /echo?msg=hi HTTP/1.1\r\nHost: x\r\n\r\n");
            NonBlockingSession session = new NonBlockingSession(transport, context(), "127.0.0.1", 40000);
            transport.session = session;

            session.start();

            assertThat(session.phase()).isEqualTo(NonBlockingSession.Phase.CLOSED);
            assertThat(transport.closes).as("closed once, for the reset").containsExactly(Closes.Cause.CLIENT_RESET);
            assertThat(transport.heldUnanswered)
                    .as("no byte of the answer was written")
                    .isTrue();
            assertThat(errors)
                    .as("errors logged (a failed write is the client's doing, not a bug)")
                    .extracting(r -> String.valueOf(r.getThrown()))
                    .isEmpty();
        } finally {
            log.removeHandler(handler);
        }
    }

    private static NonBlockingSession.Context context() {
        ServerConfig config = ServerConfig.builder().build();
        AtomicState state = new AtomicState();
        Resources process = Resources.of(config, state, Map::of, new Readiness(), null);
        Connections connections = new Connections(state, 10, 10, true, new Closes());
        return new NonBlockingSession.Context(
                config, new EchoService(config, process), process, connections, null, queued -> {});
    }

    /** One request to read; every write fails at once with a reset, reported to the session inside send. */
    private static final class ResetOnWrite implements Transport {
        NonBlockingSession session;
        final List<Closes.Cause> closes = new ArrayList<>();
        boolean heldUnanswered;
        private final ByteBuffer input;

        ResetOnWrite(String request) {
            this.input = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public ByteBuffer input() {
            return input.hasRemaining() ? input : null;
        }

        @Override
        public void consumed(int n) {}

        @Override
        public void settleInput() {}

        @Override
        public void dropInput() {}

        @Override
        public void awaitInput() {}

        @Override
        public void pauseInput() {}

        @Override
        public void readWaiting() {}

        @Override
        public Sent send(Outgoing o) {
            session.fail(new IOException("Connection reset by peer")); // the write future's listener
            return Sent.NONE;
        }

        @Override
        public long unsent() {
            return 0;
        }

        @Override
        public void resetOnClose() {}

        @Override
        public boolean shutdownOutput() {
            return false;
        }

        @Override
        public Timer schedule(long at, Runnable action) {
            return () -> {};
        }

        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public void closed(CloseReason why, boolean heldUnanswered) {
            closes.add(why.cause());
            this.heldUnanswered = heldUnanswered;
        }
    }
}
