package org.echolab.models.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import org.echolab.process.Connections;

/**
 * The listener's side of the process's {@link Connections} registry: a {@code --max-connections}
 * slot is taken (without waiting) for each channel the listener accepts, before Netty hands it to
 * a loop; the connection is then admitted to the registry on its loop.
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

    private final Connections connections;
    private final Queue<Channel> waiting = new ArrayDeque<>(); // the listener's loop only
    private volatile ChannelHandlerContext gate; // the listener's first handler

    Admission(Connections connections) {
        this.connections = connections;
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
                waiting.add((Channel) accepted); // accepted ahead of the pause: it waits for a slot
                return;
            }
            ctx.fireChannelRead(accepted); // on to Netty's acceptor, which registers it with a loop
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            waiting.forEach(Channel::close); // the listener is closed: no slot will come for them
            waiting.clear();
            ctx.fireChannelInactive();
        }
    }

    private boolean takeSlot() {
        if (connections.tryTakeSlot()) {
            return true;
        }
        gate.channel().config().setAutoRead(false); // the rest wait in the backlog
        return false;
    }

    /** The registry has a slot free again (any thread): it goes to a waiting channel, or accepting resumes. */
    void slotFreed() {
        ChannelHandlerContext g = gate;
        try {
            g.executor().execute(() -> admitWaiting(g));
        } catch (RejectedExecutionException e) {
            // the listener's loop has ended (a connection that closed late in a stop): no one is left to admit
        }
    }

    /** On the listener's loop: free slots to the channels waiting, then accepting on again if none waits. */
    private void admitWaiting(ChannelHandlerContext g) {
        while (!waiting.isEmpty() && takeSlot()) {
            g.fireChannelRead(waiting.poll());
        }
        Channel listener = g.channel();
        if (waiting.isEmpty() && !listener.config().isAutoRead() && listener.isOpen()) {
            listener.config().setAutoRead(true); // a channel accepted with no slot free waits above
        }
    }
}
