package org.echolab.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The terminal's size, for a frame that must fit it: {@code COLUMNS} and {@code LINES} where the
 * environment exports them, else what {@code stty size} reads from the controlling terminal
 * ({@code /dev/tty}), else 80 x 24. Read on the calling thread; {@code stty} is a child process.
 */
record TerminalSize(int columns, int lines) {

    static final TerminalSize FALLBACK = new TerminalSize(80, 24);

    static TerminalSize now() {
        Map<String, String> env = System.getenv();
        int columns = positive(env.get("COLUMNS")), lines = positive(env.get("LINES"));
        if (columns > 0 && lines > 0) {
            return new TerminalSize(columns, lines);
        }
        TerminalSize tty = stty();
        return new TerminalSize(columns > 0 ? columns : tty.columns, lines > 0 ? lines : tty.lines);
    }

    /** {@code stty size} on /dev/tty prints "LINES COLUMNS"; no terminal (a pipe, a service): the fallback. */
    private static TerminalSize stty() {
        File tty = new File("/dev/tty");
        if (!tty.canRead()) {
            return FALLBACK;
        }
        try {
            Process p = new ProcessBuilder("stty", "size")
                    .redirectInput(tty)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (!p.waitFor(2, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return FALLBACK;
            }
            String[] size = out.split("\\s+");
            int lines = size.length == 2 ? positive(size[0]) : 0, columns = size.length == 2 ? positive(size[1]) : 0;
            return lines > 0 && columns > 0 ? new TerminalSize(columns, lines) : FALLBACK;
        } catch (IOException e) {
            return FALLBACK; // no stty, or no controlling terminal
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FALLBACK;
        }
    }

    private static int positive(String s) {
        try {
            return s == null ? 0 : Math.max(0, Integer.parseInt(s.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
