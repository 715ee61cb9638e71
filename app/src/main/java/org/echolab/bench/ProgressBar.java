package org.echolab.bench;

import java.io.PrintStream;
import java.time.Duration;

/**
 * The live progress line on stderr: cells done of all, the cell running, its current rate, and
 * time left. On a terminal it redraws one line; otherwise (CI logs) it prints a line per step.
 * Called from the runner's thread and the load generator's progress thread, hence synchronized.
 */
public final class ProgressBar {

    private static final int WIDTH = 24;

    private final PrintStream out;
    private final boolean terminal;
    private final int total;
    private final long startedNanos = System.nanoTime();
    private int done;
    private String current = "";
    private int lastLength;

    public ProgressBar(PrintStream out, boolean terminal, int total) {
        this.out = out;
        this.terminal = terminal;
        this.total = Math.max(1, total);
    }

    /** A new step begins. */
    public synchronized void begin(String what) {
        current = what;
        draw("", !terminal);
    }

    /** Live figures of the step running. */
    public synchronized void live(String figures) {
        if (terminal) {
            draw(figures, false);
        }
    }

    /** The step ended with this outcome. */
    public synchronized void end(String outcome) {
        done++;
        draw(outcome, !terminal);
    }

    public synchronized void finish() {
        if (terminal) {
            out.print("\r" + " ".repeat(lastLength) + "\r");
            out.flush();
        }
    }

    private void draw(String figures, boolean newline) {
        int filled = done * WIDTH / total;
        long elapsed = System.nanoTime() - startedNanos;
        String eta = done == 0 ? "?" : format(Duration.ofNanos(elapsed / done * (total - done)));
        String line = "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + done + "/" + total + "  " + current
                + (figures.isEmpty() ? "" : "  " + figures) + "  left ~" + eta;
        if (newline) {
            out.println(line);
        } else {
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
        }
        out.flush();
    }

    private static String format(Duration d) {
        long s = d.toSeconds();
        return s >= 60 ? (s / 60) + "m" + String.format("%02d", s % 60) + "s" : s + "s";
    }
}
