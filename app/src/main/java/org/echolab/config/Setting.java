package org.echolab.config;

import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One server setting, declared once in {@link Settings}: its option name, the {@link ServerConfig}
 * field that holds it, its form (type and unit), its default, a one-line doc and its check, as
 * Netty's {@code HttpDecoderConfig} and Helidon's config blueprints keep a setting's parts
 * together. The {@code serve} options and their {@code --help}, the process models' child
 * arguments and the table in docs/server.md are all made from these declarations. Immutable.
 */
public final class Setting<T> {

    private final String name;
    private final String field;
    private final Form<T> form;
    private final T defaultValue;
    private final String doc;
    private final String defaultPhrase; // null: the default as its form prints it
    private final Supplier<?> onThisMachine; // null: the default is the same on every machine
    private final Predicate<T> valid;
    private final String rule;

    private Setting(
            String name,
            String field,
            Form<T> form,
            T defaultValue,
            String doc,
            String defaultPhrase,
            Supplier<?> onThisMachine,
            Predicate<T> valid,
            String rule) {
        this.name = name;
        this.field = field;
        this.form = form;
        this.defaultValue = Objects.requireNonNull(defaultValue, name);
        this.doc = doc;
        this.defaultPhrase = defaultPhrase;
        this.onThisMachine = onThisMachine;
        this.valid = valid;
        this.rule = rule;
    }

    /**
     * A setting named as its option is ({@code max-wait} for {@code --max-wait}), held in the field
     * of the same name in camel case ({@code maxWait}), with no check yet.
     */
    static <T> Setting<T> of(String name, Form<T> form, T defaultValue, String doc) {
        return new Setting<>(name, camelCase(name), form, defaultValue, doc, null, null, v -> true, "");
    }

    /** Held in a field whose name is not the option's in camel case (kept for the code that reads it). */
    Setting<T> field(String javaName) {
        return new Setting<>(name, javaName, form, defaultValue, doc, defaultPhrase, onThisMachine, valid, rule);
    }

    /** The default said in words, where its value alone would not explain it (e.g. 0 meaning "automatic"). */
    Setting<T> defaultIs(String phrase) {
        return new Setting<>(name, field, form, defaultValue, doc, phrase, onThisMachine, valid, rule);
    }

    /** As above, for a default that depends on the machine: {@code --help} also shows its value here. */
    Setting<T> defaultIs(String phrase, Supplier<?> here) {
        return new Setting<>(name, field, form, defaultValue, doc, phrase, here, valid, rule);
    }

    /** Values outside {@code valid} are refused with "--name {@code rule} (got value)". */
    Setting<T> check(Predicate<T> isValid, String ruleInWords) {
        return new Setting<>(name, field, form, defaultValue, doc, defaultPhrase, onThisMachine, isValid, ruleInWords);
    }

    /** The option's name without its dashes, e.g. {@code max-wait}. */
    public String name() {
        return name;
    }

    /** The option as typed, e.g. {@code --max-wait}. */
    public String option() {
        return "--" + name;
    }

    /** The name of the {@link ServerConfig} field (and builder method) that holds it. */
    public String field() {
        return field;
    }

    public Form<T> form() {
        return form;
    }

    public Class<T> type() {
        return form.type();
    }

    public T defaultValue() {
        return defaultValue;
    }

    /** One line: what it sets. */
    public String doc() {
        return doc;
    }

    /** The default as the docs say it: the same on every machine. */
    public String defaultText() {
        return defaultPhrase != null ? defaultPhrase : form.print().apply(defaultValue);
    }

    /** The default as {@code --help} says it: with its value on this machine where that varies. */
    public String defaultHere() {
        return onThisMachine == null ? defaultText() : defaultText() + " (this machine: " + onThisMachine.get() + ")";
    }

    /** @throws IllegalArgumentException naming the option, the rule and the value */
    public void check(T value) {
        if (!valid.test(value)) {
            throw new IllegalArgumentException(
                    option() + " " + rule + " (got " + form.print().apply(value) + ")");
        }
    }

    @Override
    public String toString() {
        return option();
    }

    private static String camelCase(String name) {
        StringBuilder s = new StringBuilder();
        for (String word : name.split("-")) {
            s.append(s.isEmpty() ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1));
        }
        return s.toString();
    }
}
