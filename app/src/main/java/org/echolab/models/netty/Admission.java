package org.echolab.models.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Semaphore;
import org.echolab.connection.ClientCounts;
import org.echolab.process.Refusals;
import org.echolab.service.Answers;
import org.echolab.state.ServerState;

/**
 * Who may connect to a Netty server: the {@code --max-connections} slots and the
 * {@code --max-per-client} counts, with the open/peak gauges of the shared state. The one place
 * the Netty models count connections in and out.
 *
 * <p>A slot is taken as the listener hands a new channel over; when the last one is taken the
 * listener stops reading (auto-read off), so further clients wait in the kernel's backlog as
 * under every other model. A channel the transport accepted before the pause took effect
 * (io_uring may have an accept in flight) waits here, unregistered, for the next free slot.
 * A slot given back goes to the first channel waiting, else turns reading on again.
 *
 * <p><b>Threads:</b> the slots and the waiting channels are handled on the listener's loop only;
 * a connection closing on another loop gives its slot back with a task posted there.
 */
public final class Admission {

    private final Semaphore slots;
    private final ClientCounts clients;
    private final ServerState state;
    private final Refusals refusals;
    private final Queue<Channel> waiting = new ArrayDeque<>();      // the listener's loop only
    private volatile ChannelHandlerContext gate;                    // the listener's first handler

    Admission(int maxConnections, ClientCounts clients, ServerState state, Refusals refusals) {
        this.slots = new Semaphore(maxConnections);
        this.clients = clients;
        this.state = state;
        this.refusals = refusals;
    }

    /** The listener's first handler: takes a slot for each channel it accepts, before Netty hands the channel to a loop. */
    public ChannelHandler gate() {
        return new Gate();
    }

    private final class Gate extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            gate = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object accepted) {
            if (!waiting.isEmpty() || !takeSlot()) {
                waiting.add((Channel) accepted);    // accepted ahead of the pause: it waits for a slot
                return;
            }
            ctx.fireChannelRead(accepted);          // on to Netty's acceptor, which registers it with a loop
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            waiting.forEach(Channel::close);        // the listener is closed: no slot will come for them
            waiting.clear();
            ctx.fireChannelInactive();
        }
    }

    private boolean takeSlot() {
        if (!slots.tryAcquire()) {
            return false;
        }
        if (slots.availablePermits() == 0) {
            gate.channel().config().setAutoRead(false);     // the rest wait in the backlog
        }
        return true;
    }

    /** A slot taken by the gate is free again (any thread): it goes to a waiting channel, or accepting resumes. */
    void giveSlot() {
        slots.release();
        ChannelHandlerContext g = gate;
        g.executor().execute(() -> {
            while (!waiting.isEmpty() && takeSlot()) {
                g.fireChannelRead(waiting.poll());
            }
            Channel listener = g.channel();
            if (slots.availablePermits() > 0 && !listener.config().isAutoRead() && listener.isOpen()) {
                listener.config().setAutoRead(true);
            }
        });
    }

    /**
     * Counts an admitted connection from {@code client} in; null if it may stay, else the 503 to
     * answer it with (its address holds {@code --max-per-client} already), counted as refused.
     */
    byte[] open(String client) {
        if (!clients.open(client)) {
            refusals.count(Refusals.Reason.PER_CLIENT, client, clients.refusal());
            return Answers.busy(null, clients.refusal());
        }
        state.connectionOpened();
        return null;
    }

    /** A connection that {@link #open} counted in has closed. */
    void close(String client) {
        state.connectionClosed();
        clients.close(client);
    }
}
