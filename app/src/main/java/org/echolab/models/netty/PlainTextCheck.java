package org.echolab.models.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import java.lang.System.Logger.Level;
import org.echolab.tls.ServerTls;

/**
 * {@code --tls}: the first byte tells TLS (a handshake record) from plain text, which is
 * answered in kind with a 400 that says to use {@code https://}; then the close. Removes
 * itself once it has seen a TLS record. Runs on the channel's loop.
 */
final class PlainTextCheck extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(PlainTextCheck.class.getName());

    private final String client;

    PlainTextCheck(String client) {
        this.client = client;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf first = (ByteBuf) msg;
        byte[] answer = first.isReadable() ? ServerTls.plainTextAnswer(first.getByte(first.readerIndex())) : null;
        if (answer == null) {
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(first);
            return;
        }
        first.release(); // the request came in this read: nothing unread to reset the close
        LOG.log(
                Level.INFO,
                "{0}: plain text (an http:// request?) sent to the TLS port; answered 400 and closed",
                client);
        ctx.writeAndFlush(Unpooled.wrappedBuffer(answer)) // from here: past the SslHandler, in plain text
                .addListener(
                        f -> ((DuplexChannel) ctx.channel()).shutdownOutput().addListener(g -> ctx.close()));
    }
}
