package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

/**
 * The accept loop, on a real listening socket, with failures injected where the JDK would throw
 * them: an accept thread that dies must say so ({@link ModelContext.Crash}), never leave a
 * process that looks alive and accepts nothing; a failing accept (EMFILE) backs off and goes on.
 */
class AcceptLoopTest {

    @Test
    void anErrorInTheAcceptThreadIsReportedAsACrash() throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            CompletableFuture<Throwable> crash = new CompletableFuture<>();
            AcceptLoop<Socket> loop = AcceptLoop.start(
                    List.of(new Semaphore(10)),
                    () -> {
                        listener.accept().close();
                        throw new OutOfMemoryError("injected: unable to create native thread");
                    },
                    socket -> {},
                    (thread, cause) -> crash.complete(cause));
            new Socket("127.0.0.1", listener.getLocalPort()).close();
            await().atMost(Duration.ofSeconds(10)).until(crash::isDone);
            assertThat(crash.get()).isInstanceOf(OutOfMemoryError.class).hasMessageContaining("injected");
            loop.join(); // the loop ended, and the process has been told
        }
    }

    @Test
    void aFailingAcceptBacksOffAndGoesOnAccepting() throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            int[] failures = {3};
            CompletableFuture<Socket> handed = new CompletableFuture<>();
            AcceptLoop<Socket> loop = AcceptLoop.start(
                    List.of(new Semaphore(10)),
                    () -> {
                        if (failures[0]-- > 0) {
                            throw new IOException("Too many open files (injected)");
                        }
                        return listener.accept();
                    },
                    handed::complete,
                    (thread, cause) -> handed.completeExceptionally(cause));
            try (Socket client = new Socket("127.0.0.1", listener.getLocalPort())) {
                await().atMost(Duration.ofSeconds(10)).until(handed::isDone);
                assertThat(handed.get().getPort()).isEqualTo(client.getLocalPort());
                handed.get().close();
            }
            loop.stop(listener);
            loop.join();
        }
    }
}
