package org.echolab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.echolab.bench.ProcStats;
import org.junit.jupiter.api.Test;

/**
 * A student's first grade: the untouched skeletons in a real workspace ({@link StudentWorkspaces})
 * fail every section with hints they can act on. A grade of three items, in a class of its own so
 * that it runs beside the lab's other end-to-end tests.
 */
class FirstGradeIT extends StudentWorkspaces {

    @Test
    void theUntouchedSkeletonsFailEverySectionWithHintsAStudentCanActOn() throws Exception {
        Path ws = init("untouched");
        Run r = grade(ws, "processes", "threads", "races");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out())
                .as("stderr: %s", r.err())
                .contains("1. A process per client  (src/lab/ProcessPerClient.java)")
                .contains("FAIL  echoes right over real sockets: GET /echo: no answer within 20 s")
                .contains("lab.fork(client) (TODO 3)")
                .containsPattern(
                        "FAIL  clients served at once: 4 clients waiting 1.5 s each, arriving one by one: [01] requests? in service at once")
                .contains("the accept thread serves each client itself")
                .contains("hand each connection to the workers through the queue (TODO 4)")
                .contains("FAIL  unique request numbers")
                .contains("FAIL  stress")
                .doesNotContain("All ");
        assertThat(ws.resolve("grade/sheet.txt")).content().isEqualTo(r.out());
        assertThat(r.out())
                .as("the sheet names what it graded")
                .startsWith("Grade sheet of the workspace " + ws)
                .containsPattern("EchoLab \\d+\\.\\d+\\.\\d+, Java 25")
                .containsPattern("  [0-9a-f]{64}  src/lab/ThreadPool.java\n")
                .containsPattern("  [0-9a-f]{64}  REPORT.md\n")
                .contains("Integrity scan: your compiled classes name none of EchoLab's models or state variants.");
        assertThat(ProcStats.childrenOf(ProcessHandle.current().pid()))
                .as("the grader left no process")
                .isEmpty();
    }
}
