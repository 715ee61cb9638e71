package org.echolab.cli;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.echolab.config.ServerConfig;
import org.echolab.config.Setting;
import org.echolab.config.Settings;
import org.echolab.models.Models;
import org.echolab.state.States;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code serve}'s options, made from the settings' declarations ({@link Settings}) with picocli's
 * programmatic API: an option a setting, read by the setting's form; its {@code --help} line from
 * the setting's doc and default; a {@code --help} section a group. An option not given is not
 * set, so the configuration's own default applies: no default is written twice.
 */
final class SettingOptions implements IModelTransformer {

    /** Settings whose values are names a registry knows: {@code --help} lists them. */
    private static final Map<Setting<?>, Supplier<List<String>>> NAMES =
            Map.of(Settings.MODEL, Models::names, Settings.STATE, States::names);

    @Override
    public CommandSpec transform(CommandSpec spec) {
        List<OptionSpec> others = List.copyOf(spec.options()); // --help, --version, --verbose
        Settings.ALL.forEach(s -> spec.addOption(option(s)));
        // a section a group in --help (picocli's argument groups would also do it, but would let an option be repeated)
        spec.usageMessage().sectionMap().put(UsageMessageSpec.SECTION_KEY_OPTION_LIST, help -> {
            StringBuilder text = new StringBuilder(help.optionListExcludingGroups(others));
            for (Settings.Group group : Settings.GROUPS) {
                text.append(String.format("%n%s:%n", group.heading()));
                text.append(help.optionListExcludingGroups(group.settings().stream()
                        .map(s -> spec.findOption(s.option()))
                        .toList()));
            }
            return text.toString();
        });
        return spec;
    }

    private static OptionSpec option(Setting<?> s) {
        String help = s.doc();
        if (NAMES.containsKey(s)) {
            help += " One of: " + String.join(", ", NAMES.get(s).get()) + ".";
        }
        help += " Default: " + s.defaultHere() + ".";
        OptionSpec.Builder o =
                OptionSpec.builder(s.option()).description(literal(help)).type(s.type());
        if (s.type() == Boolean.class) {
            // a flag: --udp turns it on; one that is on by default is turned off with --no-offload
            boolean on = (Boolean) s.defaultValue();
            return o.arity("0")
                    .negatable(on)
                    .defaultValue(Boolean.toString(on))
                    .fallbackValue("true")
                    .build();
        }
        return o.paramLabel(s.form().label())
                .arity("1")
                .converters(text -> {
                    try {
                        return s.form().parse().apply(text);
                    } catch (IllegalArgumentException e) {
                        throw new TypeConversionException(e.getMessage());
                    }
                })
                .build();
    }

    /** Whether {@code setting}'s option was given on this command line. */
    static boolean given(CommandSpec spec, Setting<?> setting) {
        ParseResult parsed = spec.commandLine().getParseResult();
        return parsed.hasMatchedOption(spec.findOption(setting.option()));
    }

    /** A builder with the value of every option given; the rest keep their defaults. */
    static ServerConfig.Builder read(CommandSpec spec) {
        ServerConfig.Builder b = ServerConfig.builder();
        for (Setting<?> s : Settings.ALL) {
            if (given(spec, s)) {
                b.put(s, spec.findOption(s.option()).getValue());
            }
        }
        return b;
    }

    /** picocli reads a description as a format with variables: these are plain text. */
    private static String literal(String text) {
        return text.replace("%", "%%").replace("${", "$${");
    }
}
