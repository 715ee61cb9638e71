package org.echolab.connection;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.echolab.service.Outgoing;

/**
 * How a non-blocking model moves one connection's bytes and keeps its timers, for the
 * {@link NonBlockingSession} that decides everything else: the hand-written event loop (a
 * selector, OP_READ and OP_WRITE, a timer queue) and Netty (a pipeline handler, auto-read, write
 * futures, its loop's scheduler) each implement it once.
 *
 * <p><b>Threads:</b> every call comes on the connection's loop thread, except {@link #execute},
 * which any thread may call.
 */
public interface Transport {

    /** The bytes read and not yet parsed (read mode), or null if none. */
    ByteBuffer input();

    /** The conversation took {@code n} bytes from the front of {@link #input}. */
    void consumed(int n);

    /** Parsing stopped for now: bytes left wait for the next step; an empty input goes. */
    void settleInput();

    /** Forgets the unparsed bytes (the connection lingers, ends or closes). */
    void dropInput();

    /** The session waits for a request or lingers: reading on. */
    void awaitInput();

    /** The session works or writes: reading paused (now, or before the loop reads again). */
    void pauseInput();

    /** The drain found the session between requests: read what waits in the socket, if the loop has not yet. */
    void readWaiting();

    /** Writes what the socket takes of {@code o} now; when it takes less, watches for more. */
    Sent send(Outgoing o) throws IOException;

    /** Bytes taken by {@link #send} and not yet on the socket (a transport's own outbound buffer). */
    long unsent();

    /** The close that follows sends RST (a fault's reset). */
    void resetOnClose() throws IOException;

    /** Half-closes: the output ends (TLS: close_notify first); false if the connection is gone. */
    boolean shutdownOutput();

    /** Runs {@code action} on the loop at or soon after {@code at} (nanoTime). */
    Timer schedule(long at, Runnable action);

    /** Runs {@code task} on the loop, soon; any thread may call it. */
    void execute(Runnable task);

    /**
     * The session has closed for {@code why}: release the socket and the connection's slot;
     * {@code heldUnanswered}: it held a complete request none of whose answer was written.
     */
    void closed(CloseReason why, boolean heldUnanswered);

    /** A timer that need not fire any more; one that still does finds itself superseded. */
    interface Timer {
        void cancel();
    }

    /** What one {@link #send} achieved. */
    enum Sent {
        /** All of it is on the socket. */
        ALL,
        /** Some went out, and the socket is full again. */
        SOME,
        /** None went out: the socket is full. */
        NONE
    }
}
