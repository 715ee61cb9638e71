package org.echolab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code echolab bench --render DIR}: an earlier run's report drawn again from its results.json,
 * running nothing; here the run that docs/bench holds, which predates the per-connection figures.
 */
class BenchRenderTest {

    @TempDir
    Path dir;

    @Test
    void rendersTheReportAndChartsOfAnEarlierRunFromItsResultsJson() throws Exception {
        Files.copy(Path.of("..", "docs", "bench", "results.json"), dir.resolve("results.json"));

        Output out = run("bench", "--render", dir.toString());

        assertThat(out.code).as(out.err).isZero();
        assertThat(out.out).isEqualTo("report: " + dir.resolve("report.html").toAbsolutePath() + "\n");
        for (String f : new String[] {
            "report.html",
            "report.md",
            "results.csv",
            "connections.csv",
            "charts/rps-sleep-100ms.svg",
            "charts/rps-sleep-100ms.png",
            "charts/connections.png"
        }) {
            assertThat(dir.resolve(f)).isNotEmptyFile();
        }
        assertThat(dir.resolve("report.md"))
                .content()
                .contains("| sequential | sleep 100ms | 10 | n/a |")
                .as("no thundering herd in a run from before it")
                .doesNotContain("Thundering herd");
        assertThat(dir.resolve("logs")).as("nothing ran").doesNotExist();
    }

    @Test
    void aFolderWithoutResultsOrWithOtherOptionsIsAUsageError() throws Exception {
        Output empty = run("bench", "--render", dir.toString());
        Files.writeString(dir.resolve("results.json"), "{\"cells\": \"not a list\"}");
        Output notOurs = run("bench", "--render", dir.toString());
        Output withQuick = run("bench", "--render", dir.toString(), "--quick");

        assertThat(empty.code).isEqualTo(2);
        assertThat(empty.err).contains("no results.json there");
        assertThat(notOurs.code).isEqualTo(2);
        assertThat(notOurs.err).contains("is not a results.json that echolab bench wrote");
        assertThat(withQuick.code).isEqualTo(2);
        assertThat(withQuick.err).contains("--render takes no other option");
    }

    private record Output(int code, String out, String err) {}

    private static synchronized Output run(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Output(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }
}
