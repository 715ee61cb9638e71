package org.echolab.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.echolab.config.ServerConfig;
import org.echolab.logging.Logs;
import org.echolab.models.tree.ChildJvm;
import org.echolab.os.Libc;

/**
 * Makes the {@code process} children's AOT cache at build time ({@code package}, after the jar is
 * shaded): starts a {@code process} server from the jar, whose first child trains the cache
 * ({@link ChildJvm}) while it serves one real inherited connection (HTTP echo, POST, /stats), then
 * waits for the cache and stops. Run: {@code java --enable-native-access=ALL-UNNAMED -cp
 * target/echolab.jar org.echolab.server.AotTraining}. Where the process models cannot run it says
 * so and succeeds: the cache is an optimisation.
 */
public final class AotTraining {

    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        Logs.configure("aot-training", false);
        // one line for the whole training, not the server's and the child's own
        java.util.logging.Logger quiet = java.util.logging.Logger.getLogger(Logs.OURS);
        quiet.setLevel(java.util.logging.Level.WARNING);
        java.util.logging.Logger own = java.util.logging.Logger.getLogger(AotTraining.class.getName());
        own.setLevel(java.util.logging.Level.INFO); // kept to the end: the LogManager keeps weak references
        System.Logger log = System.getLogger(AotTraining.class.getName());
        if (Libc.unsupportedReason().isPresent()) {
            log.log(
                    System.Logger.Level.INFO,
                    "no AOT cache for child JVMs: " + Libc.unsupportedReason().get());
            java.lang.ref.Reference.reachabilityFence(own);
            return;
        }
        long began = System.nanoTime();
        Path jar = Path.of(System.getProperty("java.class.path")).toAbsolutePath();
        Path cache = ChildJvm.cacheOf(jar);
        Files.deleteIfExists(cache);
        try (EchoServer server = EchoServer.start(
                        ServerConfig.builder().model("process").port(0).build());
                Socket s = new Socket(server.address().getAddress(), server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("GET /echo?msg=train&wait=1ms HTTP/1.1\r\nHost: t\r\n\r\n"
                            + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"
                            + "GET /stats HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            readAll(s.getInputStream());
            // the child exits, the JVM assembles the cache, the parent renames it into place
            for (int i = 0; i < 1200 && !Files.exists(cache); i++) {
                Thread.sleep(100);
            }
        }
        log.log(
                System.Logger.Level.INFO,
                Files.exists(cache)
                        ? "AOT cache for child JVMs trained in " + (System.nanoTime() - began) / 1_000_000_000 + " s: "
                                + cache
                        : "the training child left no AOT cache; children will train one on first use");
        java.lang.ref.Reference.reachabilityFence(own);
    }

    private static void readAll(InputStream in) throws IOException {
        in.transferTo(OutputStream.nullOutputStream());
    }
}
