package org.echolab.server;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.echolab.config.ServerConfig;
import org.echolab.process.Ledger;
import org.echolab.service.EchoService;
import org.echolab.service.Reply;

/**
 * UDP echo (RFC 862) beside the TCP server: each datagram goes back to its sender, the same bytes,
 * after the server's default wait or the one a {@code [wait=250ms]} directive at its start asks
 * for ({@link EchoService#datagram}).
 *
 * <p><b>Threads:</b> one platform thread receives ({@code echolab-udp}) and sends at once the
 * echoes that need no wait; one timer thread ({@code echolab-udp-timer}) sends the others when
 * their wait is over. No model's thread, process or loop ever sees a datagram, so this runs the
 * same way under every model, in the server's own process (the parent, for the process models).
 *
 * <p><b>Bounds:</b> a datagram over {@code --udp-max-datagram} is dropped (it is received into a
 * buffer one byte larger, so it is seen as too large, not silently cut); at most
 * {@code --udp-queue} echoes wait at once, and a datagram that would be one more is dropped. What
 * a flood costs is therefore one thread's CPU and a bounded heap, never the TCP side's threads or
 * memory; beyond what the receiving thread keeps up with, the kernel drops datagrams from the
 * socket's buffer. Drops are counted in {@code /stats} ({@code udp*}).
 *
 * <p><b>Lifecycle:</b> {@link #start} binds and starts both threads; {@link #close} closes the
 * socket, which ends the receiving thread, and drops the echoes still waiting.
 */
final class UdpEcho implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(UdpEcho.class.getName());

    private final ServerConfig config;
    private final EchoService service;
    private final Ledger ledger;
    private final DatagramChannel channel;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("echolab-udp-timer").daemon().unstarted(r));
    private final Thread receiver;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong echoed = new AtomicLong();
    private final AtomicLong oversized = new AtomicLong();
    private final AtomicLong queueFull = new AtomicLong();

    private UdpEcho(ServerConfig config, EchoService service, Ledger ledger, DatagramChannel channel) {
        this.config = config;
        this.service = service;
        this.ledger = ledger;
        this.channel = channel;
        this.receiver = Thread.ofPlatform().name("echolab-udp").daemon().unstarted(this::receive);
    }

    /** Binds {@code --bind}:{@code port} for UDP and starts echoing. */
    static UdpEcho start(ServerConfig config, EchoService service, Ledger ledger, int port) throws IOException {
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
            channel.bind(new InetSocketAddress(config.bind, port));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        UdpEcho udp = new UdpEcho(config, service, ledger, channel);
        udp.receiver.start();
        return udp;
    }

    int port() {
        try {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The {@code /stats} figures. */
    Map<String, Object> figures() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("udpPort", port());
        m.put("udpReceived", received.get());
        m.put("udpEchoed", echoed.get());
        m.put("udpWaiting", waiting.get());
        m.put("udpDroppedOversized", oversized.get());
        m.put("udpDroppedQueueFull", queueFull.get());
        return m;
    }

    /** The receiving thread: one datagram at a time, until the socket is closed. */
    private void receive() {
        ByteBuffer buffer = ByteBuffer.allocate(config.udpMaxDatagram + 1);
        while (channel.isOpen()) {
            SocketAddress from;
            try {
                buffer.clear();
                from = channel.receive(buffer);
            } catch (ClosedChannelException e) {
                return; // close(): the server is stopping
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "UDP receive failed: {0}", e.toString());
                continue;
            }
            received.incrementAndGet();
            if (buffer.position() > config.udpMaxDatagram) {
                oversized.incrementAndGet(); // dropped: an echo of part of it would be a lie
                continue;
            }
            answer(Arrays.copyOf(buffer.array(), buffer.position()), from);
        }
    }

    private void answer(byte[] datagram, SocketAddress to) {
        String client = ((InetSocketAddress) to).getAddress().getHostAddress();
        Reply reply = service.datagram(datagram);
        long nanos = reply.delay().toNanos();
        if (nanos <= 0) {
            send(reply, to, client);
            return;
        }
        if (waiting.incrementAndGet() > config.udpQueue) { // claim a place among the waiting echoes, or drop
            waiting.decrementAndGet();
            queueFull.incrementAndGet();
            ledger.done(reply.entry(), client, false);
            return;
        }
        timer.schedule(
                () -> {
                    waiting.decrementAndGet();
                    send(reply, to, client);
                },
                nanos,
                TimeUnit.NANOSECONDS);
    }

    private void send(Reply reply, SocketAddress to, String client) {
        boolean sent = false;
        try {
            channel.send(ByteBuffer.wrap(reply.bytes()), to);
            sent = true;
            echoed.incrementAndGet();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "UDP echo to {0} failed: {1}", client, e.toString());
        } finally {
            ledger.done(reply.entry(), client, sent);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with it
        }
        timer.shutdownNow();
        try {
            receiver.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
