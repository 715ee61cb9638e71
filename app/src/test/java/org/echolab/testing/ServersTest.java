package org.echolab.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** The test helpers' own checks, proved by what they reject. */
class ServersTest {

    @Test
    void assertNotListeningRejectsAPortWithAListener() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> Servers.assertNotListening(listener.getLocalPort(), "the listener"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("the listener: port " + listener.getLocalPort() + " is still taken");
        }
    }

    @Test
    void assertNotListeningPassesOnceTheListenerClosedEvenWithItsConnectionsInTimeWait() throws Exception {
        int port;
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Socket client = new Socket()) {
            port = listener.getLocalPort();
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            listener.accept().close(); // the server's side closes first: its end waits in TIME_WAIT
        }
        assertThatCode(() -> Servers.assertNotListening(port, "the closed listener"))
                .doesNotThrowAnyException();
    }
}
