package org.echolab.os;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The TCP sockets on one local port, as the kernel gives them to {@code ss}: a netlink
 * {@code sock_diag} dump that the kernel filters by port, so one answer lists each socket once:
 * the listening sockets, connections still in the accept backlog, accepted ones, closing ones.
 *
 * <p>Not {@code /proc/net/tcp}: the kernel writes that table a page per read and resumes each read
 * by its place in a hash bucket, so while sockets come and go a line is read twice or not at all.
 * On a table that thousands of connections opened and closed, one read of a port with 15 sockets
 * gave 971 lines for it, and others fewer than 15.
 *
 * <p>Linux only (an empty list elsewhere). Stateless; any thread: each call has a netlink socket of
 * its own.
 */
public final class TcpSockets {

    /** TCP states, as {@code <netinet/tcp.h>} numbers them. */
    public static final int ESTABLISHED = 1, SYN_RECV = 3, CLOSE_WAIT = 8, LISTEN = 10;

    /**
     * One socket: its state (e.g. {@link #ESTABLISHED}), its ports, the bytes received and not yet
     * read (for a listening socket: the connections in its accept backlog) and queued to send, and
     * its inode: the socket file a descriptor names ({@code socket:[inode]}), 0 while no process
     * has it (not accepted yet, or closed).
     */
    public record Socket(int state, int localPort, int remotePort, long unread, long unsent, long inode) {

        public boolean listening() {
            return state == LISTEN;
        }

        /** Open on this end: established, or closed by the peer only, or its handshake not yet done here. */
        public boolean open() {
            return state == ESTABLISHED || state == CLOSE_WAIT || state == SYN_RECV;
        }
    }

    // <linux/netlink.h>, <linux/sock_diag.h>, <linux/inet_diag.h>
    private static final short SOCK_DIAG_BY_FAMILY = 20, NLMSG_ERROR = 2, NLMSG_DONE = 3;
    private static final short NLM_F_REQUEST = 0x1, NLM_F_DUMP = 0x300;
    private static final int NLMSG_HEADER = 16, INET_DIAG_REQ_V2 = 56, INET_DIAG_MSG = 72;
    private static final byte IPPROTO_TCP = 6;
    private static final int ALL_STATES = -1;
    private static final int ANSWER_LIMIT_MILLIS = 5_000;

    private TcpSockets() {}

    /**
     * The TCP sockets, IPv4 and IPv6, whose local port is {@code port} (1 to 65535: to the kernel,
     * 0 asks for every socket), now.
     */
    public static List<Socket> onPort(int port) {
        return onPort(port, ALL_STATES);
    }

    /**
     * The listening TCP sockets on {@code port} (1 to 65535), now. The kernel leaves the port's
     * connections out of its answer, so this costs the same with ten thousand of them as with none.
     */
    public static List<Socket> listeningOn(int port) {
        return onPort(port, 1 << LISTEN);
    }

    /** The sockets on {@code port} in the states of the bit mask {@code states} (bit N: state N). */
    private static List<Socket> onPort(int port, int states) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("no TCP socket has local port " + port);
        }
        if (Libc.unsupportedReason().isPresent()) {
            return List.of();
        }
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int family : new int[] {Libc.AF_INET, Libc.AF_INET6}) {
                dump(family, port, states, sockets);
            }
        } catch (IOException e) {
            return List.of(); // no sock_diag in this kernel
        }
        return sockets;
    }

    /** Asks the kernel for the sockets of {@code family} on local port {@code port} in {@code states}, and adds them. */
    private static void dump(int family, int port, int states, List<Socket> into) throws IOException {
        int fd = Libc.netlinkSocket(Libc.NETLINK_SOCK_DIAG);
        try {
            ByteBuffer ask =
                    ByteBuffer.allocate(NLMSG_HEADER + INET_DIAG_REQ_V2).order(ByteOrder.nativeOrder());
            ask.putInt(NLMSG_HEADER + INET_DIAG_REQ_V2)
                    .putShort(SOCK_DIAG_BY_FAMILY)
                    .putShort((short) (NLM_F_REQUEST | NLM_F_DUMP))
                    .putInt(1) // sequence number
                    .putInt(0); // to the kernel
            // struct inet_diag_req_v2: family, protocol, extensions, pad, the states wanted, then the
            // socket id, whose source port (big-endian) the kernel filters a dump by
            ask.put((byte) family).put(IPPROTO_TCP).put((byte) 0).put((byte) 0).putInt(states);
            ask.order(ByteOrder.BIG_ENDIAN).putShort((short) port);
            Libc.write(fd, ask.array(), 0, ask.capacity());

            byte[] buffer = new byte[64 * 1024];
            while (true) {
                if (!Libc.awaitReadable(fd, ANSWER_LIMIT_MILLIS)) {
                    throw new IOException("the kernel did not answer a sock_diag dump");
                }
                int n = Libc.read(fd, buffer, 0, buffer.length);
                ByteBuffer answer = ByteBuffer.wrap(buffer, 0, n).order(ByteOrder.nativeOrder());
                for (int at = 0; at + NLMSG_HEADER <= n; ) {
                    int length = answer.getInt(at);
                    short type = answer.getShort(at + 4);
                    if (type == NLMSG_DONE) {
                        return;
                    }
                    if (type == NLMSG_ERROR || length < NLMSG_HEADER) {
                        throw new IOException("sock_diag refused the dump (error " + -answer.getInt(at + 16) + ")");
                    }
                    if (type == SOCK_DIAG_BY_FAMILY && length >= NLMSG_HEADER + INET_DIAG_MSG) {
                        into.add(socket(answer, at + NLMSG_HEADER));
                    }
                    at += (length + 3) & ~3;
                }
            }
        } finally {
            Libc.close(fd);
        }
    }

    /**
     * One {@code struct inet_diag_msg} at {@code at}: family, state, timer, retransmits (a byte
     * each), the socket id (ports big-endian, then addresses, interface and cookie: 48 bytes), then
     * expires, rqueue, wqueue, uid and inode.
     */
    private static Socket socket(ByteBuffer b, int at) {
        ByteBuffer network = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        int state = b.get(at + 1) & 0xff;
        int localPort = Short.toUnsignedInt(network.getShort(at + 4));
        int remotePort = Short.toUnsignedInt(network.getShort(at + 6));
        long unread = Integer.toUnsignedLong(b.getInt(at + 56));
        long unsent = Integer.toUnsignedLong(b.getInt(at + 60));
        long inode = Integer.toUnsignedLong(b.getInt(at + 68));
        return new Socket(state, localPort, remotePort, unread, unsent, inode);
    }
}
