package org.echolab.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import org.echolab.protocol.Limits;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerConfig#toBuilder} copies every knob: {@code EchoServer} rebuilds the configuration
 * with {@code --tls}'s self-signed files through it, so a knob it forgot would be dropped
 * silently whenever {@code --tls} is given.
 */
class ServerConfigTest {

    @Test
    void toBuilderCopiesEveryField() throws Exception {
        ServerConfig defaults = ServerConfig.builder().build();
        ServerConfig c = ServerConfig.builder()
                .model("pool")
                .bind("127.0.0.2")
                .port(9000)
                .backlog(64)
                .protocol(ServerConfig.ProtocolChoice.HTTP)
                .defaultWait(Duration.ofMillis(5))
                .maxWait(Duration.ofSeconds(3))
                .limits(new Limits(1024, 2048, 10, 4096, 512))
                .maxConnections(50)
                .maxPerClient(7)
                .memoryBudget(1 << 20)
                .cpuBudget(Duration.ofSeconds(2))
                .grace(Duration.ofSeconds(3))
                .drainDelay(Duration.ofSeconds(1))
                .reusePort(true)
                .accessLog("/tmp/access.log")
                .accessLogFormat(ServerConfig.AccessLogFormat.JSON)
                .headerTimeout(Duration.ofSeconds(4))
                .bodyTimeout(Duration.ofSeconds(5))
                .writeTimeout(Duration.ofSeconds(6))
                .idleTimeout(Duration.ofSeconds(7))
                .state("synchronized")
                .raceWindow(Duration.ofMillis(1))
                .threads(12)
                .queue(3)
                .overflow(ServerConfig.Overflow.REJECT)
                .workers(3)
                .workerModel("virtual")
                .maxChildren(9)
                .spares(2)
                .maxStarting(5)
                .loops(3)
                .offload(false)
                .offloadThreads(4)
                .monitorPort(9001)
                .monitorBind("::1")
                .tls(true)
                .tlsPort(9003)
                .tlsCert("/tmp/cert.pem")
                .tlsKey("/tmp/key.pem")
                .wsMaxFrame(4000)
                .wsMaxMessage(8000)
                .udp(true)
                .udpPort(9002)
                .udpMaxDatagram(512)
                .udpQueue(16)
                .build();
        ServerConfig copy = c.toBuilder().build();
        for (Field f : ServerConfig.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            assertThat(f.get(c))
                    .as("%s: give it a value other than its default in this test", f.getName())
                    .isNotEqualTo(f.get(defaults));
            assertThat(f.get(copy)).as("%s copied by toBuilder()", f.getName()).isEqualTo(f.get(c));
        }
    }
}
