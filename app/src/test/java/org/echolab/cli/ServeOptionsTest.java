package org.echolab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.echolab.config.ServerConfig;
import org.echolab.config.Setting;
import org.echolab.config.Settings;
import org.echolab.config.SettingsDeclaredOnceTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code serve}'s options are the settings' declarations: one a setting and no other, each read
 * into its own setting, and one not given leaves the configuration's default. Parsed in this
 * JVM; no server starts.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServeOptionsTest {

    private static CommandLine serve(List<String> args) {
        CommandLine serve = new CommandLine(new ServeCommand());
        serve.parseArgs(args.toArray(String[]::new));
        return serve;
    }

    private static ServerConfig read(List<String> args) {
        return SettingOptions.read(serve(args).getCommandSpec()).build();
    }

    @Test
    void serveHasAnOptionForEverySettingAndNoOther() {
        List<String> options = new CommandLine(new ServeCommand())
                .getCommandSpec().options().stream()
                        .map(OptionSpec::longestName)
                        .filter(n ->
                                !List.of("--help", "--version", "--verbose").contains(n))
                        .toList();
        assertThat(options)
                .as("serve's options besides --help, --version and --verbose: each needs its declaration in Settings")
                .containsExactlyInAnyOrderElementsOf(
                        Settings.ALL.stream().map(Setting::option).toList());
    }

    @Test
    void everyOptionGivenReachesItsSetting() {
        ServerConfig changed = SettingsDeclaredOnceTest.everySettingChanged();
        List<String> args = new ArrayList<>();
        for (Setting<?> s : Settings.ALL) {
            args.add(asTyped(s, changed));
        }
        ServerConfig c = read(args);
        Settings.ALL.forEach(s -> assertThat(c.get(s)).as("%s", args).isEqualTo(changed.get(s)));
    }

    @Test
    void anOptionNotGivenLeavesTheDefault() {
        ServerConfig c = read(List.of());
        Settings.ALL.forEach(s -> assertThat(c.get(s)).as(s.name()).isEqualTo(s.defaultValue()));
        assertThat(read(List.of("--no-offload")).offload).isFalse();
        assertThat(read(List.of("--offload")).offload).isTrue();
        assertThat(read(List.of("--udp")).udp).isTrue();
    }

    @Test
    void helpShowsEveryGroupOptionAndDefault() {
        String help = new CommandLine(new ServeCommand())
                .getUsageMessage(CommandLine.Help.Ansi.OFF)
                .replaceAll("\\s+", " ");
        for (Settings.Group g : Settings.GROUPS) {
            assertThat(help).contains(g.heading() + ":");
            for (Setting<?> s : g.settings()) {
                assertThat(help).contains(s.option()).contains("Default: " + s.defaultHere() + ".");
            }
        }
    }

    /** {@code s} as typed to give it its value in {@code config}: --name=value, --flag or --no-flag. */
    private static <T> String asTyped(Setting<T> s, ServerConfig config) {
        T value = config.get(s);
        if (value instanceof Boolean on) {
            return on ? s.option() : "--no-" + s.name();
        }
        return s.option() + "=" + s.form().print().apply(value);
    }
}
