package org.echolab.monitor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The live view as text, for {@code echolab watch}: one frame of {@code /live.json} drawn to fit
 * a terminal of {@code columns} x {@code lines}. The header (the server and its gauges) is always
 * there; the three lists below it (busy workers, the timeline's rows, child processes) share the
 * lines left, and a list cut short ends with {@code +N more}. No line is wider than the terminal.
 * The timeline has one column per fraction of the window; each request begins with {@code [},
 * then {@code #} answered or {@code =} still in flight, so requests back to back on one row are
 * told apart. Pure: a frame in, lines out.
 */
public final class TextView {

    /** The widest a worker's or row's name is drawn. */
    private static final int NAME = 24;

    private TextView() {}

    /**
     * One of the lists below the header: its title, its rows, how many more rows it has than it
     * holds ({@code beyond}), what it says when it has none, and what its {@code +N more} counts.
     */
    private record Part(String title, List<String> rows, long beyond, String empty, String more) {}

    /**
     * {@code frame}: {@code /live.json} as parsed JSON; {@code columns} x {@code lines}: the
     * terminal's size; {@code timeline}: the timeline's columns, or 0 for as many as fit.
     * Returns at most {@code lines} lines, none ending in a newline past the last.
     */
    @SuppressWarnings("unchecked")
    public static String render(Map<String, Object> frame, int columns, int lines, int timeline) {
        List<String> header = new ArrayList<>();
        header.add("echolab " + frame.get("model") + "   pid " + frame.get("pid") + "   port " + frame.get("port"));
        header.add("accept queue " + or(frame.get("acceptQueue")) + " (backlog " + frame.get("backlog")
                + ")   connections " + frame.get("connectionsOpen") + "   in flight " + frame.get("requestsInFlight"));
        header.add("served " + frame.get("requestsServed") + "   refused " + or(frame.get("refused")) + "   threads "
                + frame.get("threads"));
        if (frame.get("refusedBy") instanceof Map<?, ?> by
                && frame.get("refused") instanceof Number n
                && n.longValue() > 0) {
            StringBuilder why = new StringBuilder();
            by.forEach((reason, count) -> {
                if (count instanceof Number c && c.longValue() > 0) {
                    why.append(why.isEmpty() ? "" : ", ").append(c).append(' ').append(reason);
                }
            });
            header.add("  " + n + (n.longValue() == 1 ? " client was" : " clients were") + " turned away with a 503: "
                    + why);
        }
        if (frame.get("acceptQueue") instanceof Number n && n.intValue() > 0) {
            header.add("  " + n + (n.intValue() == 1 ? " client is" : " clients are")
                    + " connected and waiting for the server to accept them");
        }

        List<Part> parts = new ArrayList<>();
        List<Map<String, Object>> workers = (List<Map<String, Object>>) frame.get("workers");
        int idle = number(frame.get("workersIdle")), busy = workers.size() + number(frame.get("workersBusyOmitted"));
        int name = Math.min(
                NAME,
                Math.max(
                        4,
                        workers.stream()
                                .mapToInt(w -> ((String) w.get("name")).length())
                                .max()
                                .orElse(0)));
        int state = workers.stream()
                .mapToInt(w -> String.valueOf(w.get("threadState")).length())
                .max()
                .orElse(1);
        List<String> busyRows = new ArrayList<>();
        for (Map<String, Object> w : workers) {
            Object s = w.get("threadState");
            busyRows.add(String.format(
                    "  %-" + name + "s %-" + state + "s %s",
                    cut((String) w.get("name"), name),
                    s == null ? "-" : s,
                    w.get("doing")));
        }
        parts.add(new Part(
                "workers: " + busy + " busy (what each is doing now), " + idle + " idle",
                busyRows,
                busy - workers.size(),
                "none busy now",
                "busy"));

        long windowMs = ((Number) frame.get("windowMs")).longValue();
        List<String> lanes = (List<String>) frame.get("lanes");
        int label = Math.min(
                NAME, Math.max(4, lanes.stream().mapToInt(String::length).max().orElse(0)));
        int width = timeline > 0 ? timeline : Math.max(10, columns - label - 4);
        List<char[]> bars = new ArrayList<>();
        lanes.forEach(l -> bars.add(" ".repeat(width).toCharArray()));
        for (Map<String, Object> r : (List<Map<String, Object>>) frame.get("requests")) {
            if (!(r.get("lane") instanceof Number lane)) {
                continue; // every row was busy as it began: counted in the title
            }
            char[] bar = bars.get(lane.intValue());
            Object ended = r.get("endedMsAgo");
            int from = column(((Number) r.get("beganMsAgo")).longValue(), windowMs, width);
            int to = column(ended == null ? 0 : ((Number) ended).longValue(), windowMs, width);
            for (int c = from; c <= to; c++) {
                bar[c] = c == from ? '[' : ended == null ? '=' : '#';
            }
        }
        List<String> laneRows = new ArrayList<>();
        for (int i = 0; i < lanes.size(); i++) {
            laneRows.add(String.format("  %-" + label + "s|%s|", cut(lanes.get(i), label), new String(bars.get(i))));
        }
        int without = number(frame.get("requestsWithoutLane"));
        parts.add(new Part(
                "timeline, last " + windowMs / 1000 + " s ([ begins, # answered, = in flight)"
                        + (without > 0 ? ", " + without + " more not drawn" : ""),
                laneRows,
                0,
                "no request in the window",
                "rows"));

        List<Map<String, Object>> children = (List<Map<String, Object>>) frame.get("children");
        if (!children.isEmpty()) {
            List<String> childRows = new ArrayList<>();
            for (Map<String, Object> c : children) {
                childRows.add(String.format("  pid %-8s %7s ms old  %s", c.get("pid"), c.get("ageMs"), c.get("doing")));
            }
            parts.add(new Part("child processes: " + children.size(), childRows, 0, "", "children"));
        }
        return fit(header, parts, columns, lines);
    }

    /**
     * The header, then each part's title and as many of its rows as the lines left allow, shared
     * in turn (a row each, then another each, ...), with a blank line before each part if there
     * is room; every line cut to {@code columns}.
     */
    private static String fit(List<String> header, List<Part> parts, int columns, int lines) {
        int left = lines - header.size();
        int titled = 0; // parts whose title fits
        while (titled < parts.size() && left > 0) {
            titled++;
            left--;
        }
        int[] room = new int[titled]; // lines for each part's rows, its "+N more" line included
        for (boolean gave = true; gave && left > 0; ) {
            gave = false;
            for (int p = 0; p < titled && left > 0; p++) {
                if (room[p] < wanted(parts.get(p))) {
                    room[p]++;
                    left--;
                    gave = true;
                }
            }
        }
        boolean blanks = left >= titled;
        List<String> out = new ArrayList<>(header);
        for (int p = 0; p < titled; p++) {
            Part part = parts.get(p);
            if (blanks) {
                out.add("");
            }
            out.add(part.title());
            if (part.rows().isEmpty() && part.beyond() == 0 && room[p] > 0) {
                out.add("  " + part.empty());
                continue;
            }
            boolean all = room[p] >= part.rows().size() + (part.beyond() > 0 ? 1 : 0);
            int shown = all ? part.rows().size() : Math.max(0, room[p] - 1);
            out.addAll(part.rows().subList(0, shown));
            if (room[p] > shown) {
                long more = part.rows().size() - shown + part.beyond();
                if (more > 0) {
                    out.add("  +" + more + " more " + part.more());
                }
            }
        }
        StringBuilder s = new StringBuilder();
        for (String line : out.subList(0, Math.min(lines, out.size()))) {
            s.append(s.isEmpty() ? "" : "\n")
                    .append(line.length() <= columns ? line : line.substring(0, columns - 1) + "~");
        }
        return s.toString();
    }

    /** Lines a part's rows would take, all of them: its rows and a count of those it does not hold. */
    private static int wanted(Part part) {
        return Math.max(1, part.rows().size() + (part.beyond() > 0 ? 1 : 0));
    }

    private static int column(long msAgo, long windowMs, int columns) {
        long clamped = Math.max(0, Math.min(windowMs, msAgo));
        return (int) Math.min(columns - 1, (columns - 1) * (windowMs - clamped) / windowMs);
    }

    private static String cut(String name, int width) {
        return name.length() <= width ? name : name.substring(0, width - 1) + "~";
    }

    private static int number(Object v) {
        return v instanceof Number n ? n.intValue() : 0;
    }

    private static Object or(Object v) {
        return v == null ? "n/a" : v;
    }
}
