package org.echolab.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.echolab.protocol.WebSocketFrames;

/**
 * WebSocket clients for tests: the JDK's {@link WebSocket} with a listener that queues what
 * arrives ({@link Events}), and a raw one ({@link Raw}) that can break the protocol's rules.
 */
public final class WebSocketClients {

    private WebSocketClients() {}

    /** What the JDK client received, in order: a whole text or binary message, a pong, the close. */
    public sealed interface Event {}

    public record Text(String text) implements Event {}

    public record Binary(byte[] bytes) implements Event {}

    public record Pong(byte[] bytes) implements Event {}

    public record Closed(int code, String reason) implements Event {}

    /** A connected JDK WebSocket with the queue of what it received; closing it closes its HttpClient. */
    public static final class Events implements WebSocket.Listener, AutoCloseable {
        private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();
        private HttpClient client;
        private WebSocket socket;

        /** Connects to {@code ws://127.0.0.1:port/target}. */
        public static Events connect(int port, String target) throws Exception {
            return connect(port, target, null);
        }

        /** Connects to {@code wss://127.0.0.1:port/target} trusting {@code tls}'s certificates, or {@code ws://} if it is null. */
        public static Events connect(int port, String target, SSLContext tls) throws Exception {
            Events e = new Events();
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
            if (tls != null) {
                b.sslContext(tls);
            }
            e.client = b.build();
            e.socket = e.client
                    .newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create((tls == null ? "ws" : "wss") + "://127.0.0.1:" + port + target), e)
                    .get(30, TimeUnit.SECONDS);
            return e;
        }

        public WebSocket socket() {
            return socket;
        }

        /** The next event, within 30 s. */
        public Event next() throws InterruptedException {
            Event e = events.poll(30, TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("nothing received within 30 s");
            }
            return e;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                events.add(new Text(text.toString()));
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.writeBytes(b);
            if (last) {
                events.add(new Binary(binary.toByteArray()));
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            byte[] b = new byte[message.remaining()];
            message.get(b);
            events.add(new Pong(b));
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            events.add(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            events.add(new Closed(-1, String.valueOf(error)));
        }

        @Override
        public void close() {
            if (socket != null) {
                socket.abort();
            }
            client.close();
        }
    }

    /** A client on a plain socket: the handshake, then frames as written, broken or not. */
    public static final class Raw implements AutoCloseable {
        private static final byte[] MASK = {0x11, 0x22, 0x33, 0x44};
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        /** A frame as the server sent it. */
        public record Frame(boolean fin, int opcode, byte[] payload) {
            /** A close frame's code (1005 when it has none). */
            public int closeCode() {
                return payload.length < 2 ? WebSocketFrames.NO_STATUS : (payload[0] & 0xFF) << 8 | payload[1] & 0xFF;
            }
        }

        public Raw(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(20_000);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        /** Sends {@code request} and returns the response head (status line and headers). */
        public String handshake(String request) throws IOException {
            send(request.getBytes(StandardCharsets.ISO_8859_1));
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed during the handshake: " + head);
                }
                head.append((char) b);
            }
            return head.toString();
        }

        /** A valid upgrade of {@code target}, with RFC 6455's sample key. */
        public static String upgrade(String target) {
            return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        }

        public Raw send(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
            return this;
        }

        /** A masked frame, as a client must send it. */
        public Raw frame(boolean fin, int opcode, byte[] payload) throws IOException {
            return send(WebSocketFrames.masked(fin, opcode, payload, MASK));
        }

        public Frame read() throws IOException {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long n = b1 & 0x7F;
            if (n == 126) {
                n = in.readUnsignedShort();
            } else if (n == 127) {
                n = in.readLong();
            }
            if ((b1 & 0x80) != 0) {
                throw new IOException("the server masked its frame");
            }
            byte[] payload = new byte[(int) n];
            in.readFully(payload);
            return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
        }

        /** True if the server closed the connection (end of stream or reset). */
        public boolean closedByServer() throws IOException {
            try {
                return in.read() == -1;
            } catch (IOException e) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
