package org.echolab.lab.grade;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The student's {@code REPORT.md} as the grader reads it: the predictions table of section 0 (a
 * number per design and figure, written before measuring) and the answer under each question
 * heading ({@code ### 4. ...}): the lines under it that are not the question's quoted ({@code >})
 * lines. Pure: text in, what it says out; nothing is judged here.
 */
record Report(boolean found, Map<String, Map<Figure, OptionalDouble>> predictions, List<Answer> answers) {

    /** The designs predicted, as the table's first column names them (its rows, in order). */
    static final List<String> DESIGNS = List.of("sequential", "thread", "pool", "process");

    /** What is predicted for each design, in the table's column order. */
    enum Figure {
        THROUGHPUT("throughput", "req/s"),
        FIRST_BYTE("first byte", "ms"),
        MEMORY("memory per connection", "MiB");

        final String words;
        final String unit;

        Figure(String words, String unit) {
            this.words = words;
            this.unit = unit;
        }
    }

    /**
     * One question and what the student wrote under it, the question's quoted lines left out;
     * {@code cite}: the question asks for the student's own figures (its heading says "cite your figures").
     */
    record Answer(String question, String text, boolean cite) {

        int words() {
            String t = text.strip();
            return t.isEmpty() ? 0 : t.split("\\s+").length;
        }
    }

    private static final Pattern HEADING = Pattern.compile("(?m)^###\\s+(.+)$");
    /** A number as people write one: 1,500 or 1500 or 12.5 (not a part of a word, as in "p99"). */
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.])(\\d{1,3}(?:,\\d{3})+|\\d+(?:\\.\\d+)?)");

    /** Reads {@code file}; a missing file is a report with nothing in it. */
    static Report read(Path file) throws IOException {
        try {
            return parse(Files.readString(file));
        } catch (NoSuchFileException e) {
            return new Report(false, Map.of(), List.of());
        }
    }

    static Report parse(String text) {
        return new Report(true, predictions(text), answers(text));
    }

    /** Each design's row of the predictions table; a cell without a number (the template's "?") is empty. */
    private static Map<String, Map<Figure, OptionalDouble>> predictions(String text) {
        Map<String, Map<Figure, OptionalDouble>> rows = new LinkedHashMap<>();
        for (String line : text.lines().toList()) {
            String[] cells = line.strip().split("\\|", -1);
            if (cells.length < 6 || !line.strip().startsWith("|")) {
                continue;
            }
            String design = cells[1].strip().toLowerCase(Locale.ROOT);
            String key = DESIGNS.stream().filter(design::startsWith).findFirst().orElse(null);
            if (key == null || rows.containsKey(key)) {
                continue;
            }
            Map<Figure, OptionalDouble> row = new LinkedHashMap<>();
            for (Figure f : Figure.values()) {
                row.put(f, firstNumber(cells[2 + f.ordinal()]));
            }
            rows.put(key, row);
        }
        return rows;
    }

    /** The text under each {@code ###} heading, up to the next heading of any level. */
    private static List<Answer> answers(String text) {
        List<Answer> answers = new ArrayList<>();
        Matcher m = HEADING.matcher(text);
        List<int[]> spans = new ArrayList<>();
        List<String> questions = new ArrayList<>();
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
            questions.add(m.group(1).strip());
        }
        for (int i = 0; i < spans.size(); i++) {
            int from = spans.get(i)[1];
            int to = text.length();
            Matcher next = Pattern.compile("(?m)^#{1,3}\\s").matcher(text);
            if (next.find(from)) {
                to = next.start();
            }
            String q = questions.get(i);
            String answer = text.substring(from, to)
                    .lines()
                    .filter(l -> !l.stripLeading().startsWith(">"))
                    .collect(java.util.stream.Collectors.joining("\n"))
                    .strip();
            answers.add(new Answer(q, answer, q.toLowerCase(Locale.ROOT).contains("cite your figures")));
        }
        return answers;
    }

    /** Every number written in {@code text}. */
    static List<Double> numbers(String text) {
        List<Double> found = new ArrayList<>();
        Matcher m = NUMBER.matcher(text);
        while (m.find()) {
            found.add(Double.parseDouble(m.group(1).replace(",", "")));
        }
        return found;
    }

    private static OptionalDouble firstNumber(String cell) {
        List<Double> n = numbers(cell);
        return n.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(n.getFirst());
    }
}
