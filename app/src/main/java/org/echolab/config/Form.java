package org.echolab.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import org.echolab.protocol.Durations;
import org.echolab.protocol.Sizes;

/**
 * How people write a setting's values: its Java type, the label {@code --help} shows, and text to
 * value and back. A duration or a size needs its unit ({@link Durations}, {@link Sizes}): a bare
 * number is refused, naming what was typed. Immutable.
 *
 * @param parse throws IllegalArgumentException with a message that quotes the text
 */
public record Form<T>(Class<T> type, String label, Function<String, T> parse, Function<T, String> print) {

    public static final Form<String> TEXT = new Form<>(String.class, "TEXT", Function.identity(), Function.identity());
    public static final Form<Integer> WHOLE = new Form<>(Integer.class, "N", Form::whole, String::valueOf);
    public static final Form<Boolean> FLAG = new Form<>(Boolean.class, "", Form::flag, on -> on ? "on" : "off");
    public static final Form<Duration> DURATION =
            new Form<>(Duration.class, "DURATION", Durations::parse, Durations::format);
    /** Bytes in an {@code int}: at most 2 GiB less a byte. */
    public static final Form<Integer> SIZE =
            new Form<>(Integer.class, "SIZE", text -> (int) Sizes.parse(text, Integer.MAX_VALUE), n -> Sizes.format(n));

    public static final Form<Long> LONG_SIZE = new Form<>(Long.class, "SIZE", Sizes::parse, Sizes::format);

    /** One of an enum's constants, written in lower case and read in any case. */
    public static <E extends Enum<E>> Form<E> choice(Class<E> type) {
        E[] all = type.getEnumConstants();
        String names = String.join(", ", Arrays.stream(all).map(Form::lower).toList());
        return new Form<>(
                type,
                String.join("|", Arrays.stream(all).map(Form::lower).toList()),
                text -> {
                    for (E e : all) {
                        if (e.name().equalsIgnoreCase(text.strip())) {
                            return e;
                        }
                    }
                    throw new IllegalArgumentException("'" + text + "' is not one of " + names);
                },
                Form::lower);
    }

    /** The same form under another label, e.g. {@code PORT} for a whole number. */
    public Form<T> label(String label) {
        return new Form<>(type, label, parse, print);
    }

    private static int whole(String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number");
        }
    }

    private static boolean flag(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw new IllegalArgumentException("'" + text + "' is not on or off");
        };
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
