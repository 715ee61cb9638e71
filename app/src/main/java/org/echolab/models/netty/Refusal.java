package org.echolab.models.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import java.util.concurrent.TimeUnit;
import org.echolab.connection.Deadlines;

/**
 * A channel turned away at once (its address over {@code --max-per-client}): the 503,
 * a half-close, what the client still sends dropped until it closes or
 * {@link Deadlines#LINGER} passes. It holds no slot and is not counted as open. Runs on the
 * channel's loop.
 */
final class Refusal extends ChannelInboundHandlerAdapter {
    private final byte[] answer;

    Refusal(byte[] answer) {
        this.answer = answer;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(answer))
                .addListener(f -> ((DuplexChannel) ctx.channel()).shutdownOutput());
        ctx.executor().schedule(() -> ctx.close(), Deadlines.LINGER.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ((ByteBuf) msg).release();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
