package org.echolab.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** -v shows EchoLab's own DEBUG records, in the one line format, and none of the JDK's. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LogsTest {

    /** The format of every line: {@code 2026-11-30 12:30:18.123 INFO  [echolab 4321] connection.Conversation: message}. */
    static final String LINE =
            "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} (ERROR|WARN |INFO |DEBUG|TRACE) \\[[a-z-]+ \\d+\\] [\\w.-]+: .*";

    @Test
    void verboseIsEchoLabsStoryNotTheJdksDebugLines() {
        PrintStream saved = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            Logs.configure("test", true); // the handler binds System.err as it is now
            System.getLogger("java.lang.Runtime")
                    .log(Level.DEBUG, "Runtime.exit() logging", new Throwable("Runtime.exit(0)"));
            System.getLogger("jdk.internal.httpclient.debug").log(Level.DEBUG, "a JDK debug line");
            System.getLogger("org.echolab.connection.Conversation").log(Level.DEBUG, "127.0.0.1: connection opened");
            System.getLogger("org.echolab.cli.ServeCommand").log(Level.INFO, "stopped");
        } finally {
            Logs.configure("echolab", false);
            System.setErr(saved);
        }
        String err = bytes.toString(StandardCharsets.UTF_8);
        assertThat(err)
                .contains("DEBUG [test " + ProcessHandle.current().pid()
                        + "] connection.Conversation: 127.0.0.1: connection opened")
                .contains("INFO  [test ")
                .doesNotContain("Runtime.exit")
                .doesNotContain("JDK debug");
        assertThat(err.lines()).hasSize(2).allMatch(l -> l.matches(LINE));
    }
}
