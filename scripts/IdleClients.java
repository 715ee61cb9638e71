import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens N keep-alive HTTP connections to an EchoLab server, makes one request on each (so the
 * server has accepted and served it), then holds them all idle for the hold time (or until
 * killed) and closes them. One thread, one selector: the client's own cost stays small.
 * Bounded: at most 20,000 connections, held at most 600 s, to 127.0.0.1 only.
 *
 * <pre>
 *   java scripts/IdleClients.java PORT N HOLD_SECONDS
 * </pre>
 * Prints {@code idle N} once all N connections have their response and sit idle.
 */
public class IdleClients {

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: java scripts/IdleClients.java PORT N HOLD_SECONDS");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        int n = Integer.parseInt(args[1]);
        int hold = Integer.parseInt(args[2]);
        if (n < 1 || n > 20_000 || hold < 1 || hold > 600) {
            System.err.println("N must be 1..20000 and HOLD_SECONDS 1..600");
            System.exit(2);
        }
        byte[] request = "GET /health HTTP/1.1\r\nHost: idle\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
        List<SocketChannel> channels = new ArrayList<>(n);
        try (Selector selector = Selector.open()) {
            int answered = 0;
            int opened = 0;
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (answered < n) {
                // open in batches of 500 so the server's accept backlog is never overrun
                while (opened < n && opened - answered < 500) {
                    SocketChannel ch = SocketChannel.open();
                    channels.add(ch);
                    ch.configureBlocking(false);
                    ch.connect(server);
                    ch.register(selector, SelectionKey.OP_CONNECT);
                    opened++;
                }
                selector.select(1000);
                for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    SocketChannel ch = (SocketChannel) key.channel();
                    if (key.isConnectable()) {
                        ch.finishConnect();
                        ch.write(ByteBuffer.wrap(request));
                        key.interestOps(SelectionKey.OP_READ);
                    } else if (key.isReadable()) {
                        buf.clear();
                        int r = ch.read(buf);
                        if (r < 0) {
                            throw new IOException("server closed a connection");
                        }
                        // /health answers "ok\n": the response is complete when it ends so
                        if (new String(buf.array(), 0, r, StandardCharsets.US_ASCII).endsWith("ok\n")) {
                            key.interestOps(0);
                            answered++;
                        }
                    }
                }
            }
            System.out.println("idle " + answered);
            System.out.flush();
            Thread.sleep(hold * 1000L);        // the measuring script ends us sooner, by pid
        } finally {
            for (SocketChannel ch : channels) {
                ch.close();
            }
        }
    }
}
