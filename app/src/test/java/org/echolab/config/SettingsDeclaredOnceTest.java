package org.echolab.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.echolab.models.tree.ChildJvm;
import org.echolab.protocol.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A setting is declared once ({@link Settings}) and everything else is made from that
 * declaration or checked against it: each fails here when a setting is added in one place only,
 * as a field of {@link ServerConfig} with no declaration, a declaration with no field or builder
 * method, a declaration in no group, one the child JVMs' arguments lose, or one missing from the
 * table in docs/server.md. ({@code ServeOptionsTest} checks {@code serve}'s options.)
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public class SettingsDeclaredOnceTest {

    static final Path DOCS = Path.of("..", "docs", "server.md");
    static final String TABLE_START = "<!-- settings table: made from config/Settings.java by SettingsDeclaredOnceTest;"
            + " ./mvnw -pl app test -Dtest=SettingsDeclaredOnceTest -Decholab.updateDocs=true rewrites it -->";
    static final String TABLE_END = "<!-- end of settings table -->";

    /** A configuration in which every setting differs from its default (and --max-body is the only limit changed). */
    public static ServerConfig everySettingChanged() {
        return ServerConfig.builder()
                .model("pool")
                .bind("127.0.0.2")
                .port(9000)
                .backlog(64)
                .protocol(ServerConfig.ProtocolChoice.HTTP)
                .defaultWait(Duration.ofMillis(5))
                .maxWait(Duration.ofSeconds(3))
                .limits(Limits.DEFAULT.withMaxBody(4096))
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
                .workers(ServerConfig.CORES + 1)
                .workerModel("virtual")
                .maxChildren(9)
                .spares(2)
                .maxStarting(ServerConfig.CORES + 2)
                .loops(ServerConfig.CORES + 3)
                .offload(false)
                .offloadThreads(ServerConfig.CORES + 4)
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
    }

    @Test
    void everyFieldIsASettingAndEverySettingAField() throws Exception {
        Set<String> fields = Arrays.stream(ServerConfig.class.getFields())
                .filter(f -> !Modifier.isStatic(f.getModifiers()))
                .map(Field::getName)
                .collect(Collectors.toSet());
        assertThat(fields)
                .as("ServerConfig's fields: each needs its declaration in Settings")
                .containsExactlyInAnyOrderElementsOf(
                        Settings.ALL.stream().map(Setting::field).toList());
        for (Setting<?> s : Settings.ALL) {
            assertThat(boxed(ServerConfig.class.getField(s.field()).getType()))
                    .as(s.field())
                    .isEqualTo(s.type());
        }
    }

    @Test
    void everyDeclarationIsInOneGroupAndNamedOnce() throws Exception {
        List<Setting<?>> declared = Arrays.stream(Settings.class.getFields())
                .filter(f -> f.getType() == Setting.class)
                .map(SettingsDeclaredOnceTest::value)
                .toList();
        assertThat(Settings.ALL)
                .as("Settings.GROUPS: every declaration in one group")
                .containsExactlyInAnyOrderElementsOf(declared)
                .doesNotHaveDuplicates();
        assertThat(Settings.ALL.stream().map(Setting::name)).doesNotHaveDuplicates();
        assertThat(Settings.ALL.stream().map(Setting::field)).doesNotHaveDuplicates();
        for (Setting<?> s : Settings.ALL) {
            assertThat(s.doc()).as(s.name()).endsWith(".").doesNotContain("Default:");
            assertThat(s.defaultText()).as("%s: its default in words", s.name()).isNotEmpty();
            passesItsCheck(s);
        }
    }

    /** Each named builder method sets the setting of its name, and each field reads its own setting. */
    @Test
    void eachBuilderMethodAndFieldIsWiredToItsOwnSetting() throws Exception {
        ServerConfig changed = everySettingChanged();
        for (Setting<?> s : Settings.ALL) {
            assertThat(changed.get(s))
                    .as("%s: give it a value other than its default in everySettingChanged()", s.name())
                    .isNotEqualTo(s.defaultValue());
            assertThat(ServerConfig.class.getField(s.field()).get(changed))
                    .as("field %s", s.field())
                    .isEqualTo(changed.get(s));
            assertThat(ServerConfig.Builder.class.getMethod(
                            s.field(), ServerConfig.class.getField(s.field()).getType()))
                    .as("builder method %s", s.field())
                    .isNotNull();
        }
        Set<String> named = Arrays.stream(ServerConfig.Builder.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && m.getReturnType() == ServerConfig.Builder.class)
                .map(Method::getName)
                .filter(n -> !n.equals("set") && !n.equals("put"))
                .collect(Collectors.toSet());
        assertThat(named)
                .as("Builder's named methods")
                .containsExactlyInAnyOrderElementsOf(
                        Settings.ALL.stream().map(Setting::field).toList());
        ServerConfig copy = changed.toBuilder().build();
        Settings.ALL.forEach(
                s -> assertThat(copy.get(s)).as("toBuilder: %s", s.name()).isEqualTo(changed.get(s)));
    }

    @Test
    void theChildJvmGetsEverySetting() {
        ServerConfig changed = everySettingChanged();
        List<String> args = ChildJvm.encode(changed);
        assertThat(args.stream().map(a -> a.substring(0, a.indexOf('='))))
                .containsExactlyElementsOf(
                        Settings.ALL.stream().map(Setting::field).toList());
        ServerConfig child = ChildJvm.decode(args.toArray(String[]::new));
        Settings.ALL.forEach(
                s -> assertThat(child.get(s)).as("the child's %s", s.name()).isEqualTo(changed.get(s)));
    }

    @Test
    void aValueThatFailsItsCheckIsRefusedNamingTheOptionAndTheValue() {
        assertThatThrownBy(() -> ServerConfig.builder().udpMaxDatagram(70_000).build())
                .hasMessage("--udp-max-datagram must be from 1 to 65507 bytes (got 70000B)");
        assertThatThrownBy(
                        () -> ServerConfig.builder().idleTimeout(Duration.ZERO).build())
                .hasMessage("--idle-timeout must be above 0 (got 0)");
        assertThatThrownBy(() -> ServerConfig.builder().maxConnections(0).build())
                .hasMessage("--max-connections must be at least 1, or auto (got 0)");
    }

    @Test
    void theDocsTableListsEverySettingAsDeclared() throws Exception {
        String docs = Files.readString(DOCS, StandardCharsets.UTF_8);
        int start = docs.indexOf(TABLE_START);
        int end = docs.indexOf(TABLE_END);
        assertThat(start)
                .as("docs/server.md has the marker line " + TABLE_START)
                .isNotNegative();
        assertThat(end).as("docs/server.md has the marker line " + TABLE_END).isGreaterThan(start);
        String table = table();
        String current = docs.substring(start + TABLE_START.length(), end);
        if (!current.equals(table) && Boolean.getBoolean("echolab.updateDocs")) {
            Files.writeString(DOCS, docs.substring(0, start + TABLE_START.length()) + table + docs.substring(end));
            return;
        }
        assertThat(current)
                .as("the settings table in docs/server.md, made from Settings"
                        + " (-Decholab.updateDocs=true rewrites it)")
                .isEqualTo(table);
    }

    /** The table as docs/server.md shows it: a row a setting, in the order of --help. */
    static String table() {
        StringBuilder t = new StringBuilder("\n| part | option | default | what it sets |\n|---|---|---|---|\n");
        for (Settings.Group g : Settings.GROUPS) {
            for (Setting<?> s : g.settings()) {
                String label = s.form().label().isEmpty() ? "" : " " + s.form().label();
                t.append("| ")
                        .append(g.heading())
                        .append(" | `")
                        .append(s.option())
                        .append(label.replace("|", "\\|"))
                        .append("` | ")
                        .append(s.defaultText().replace("|", "\\|"))
                        .append(" | ")
                        .append(s.doc().replace("|", "\\|"))
                        .append(" |\n");
            }
        }
        return t.toString();
    }

    private static Setting<?> value(Field f) {
        try {
            return (Setting<?>) f.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> void passesItsCheck(Setting<T> s) {
        s.check(s.defaultValue());
    }

    private static Class<?> boxed(Class<?> c) {
        return c == int.class ? Integer.class : c == long.class ? Long.class : c == boolean.class ? Boolean.class : c;
    }
}
