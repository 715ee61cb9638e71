package org.echolab.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live view as text, for {@code echolab watch}: one frame of {@code /live.json} drawn in a
 * terminal. The timeline has one row per worker and one column per fraction of the window:
 * {@code #} a request answered in that column, {@code =} one still in flight. Pure: a frame in,
 * lines out.
 */
public final class TextView {

    private static final int NAME = 24;

    private TextView() {}

    /** {@code frame}: {@code /live.json} as parsed JSON; {@code columns}: the timeline's width. */
    @SuppressWarnings("unchecked")
    public static String render(Map<String, Object> frame, int columns) {
        StringBuilder out = new StringBuilder();
        out.append("echolab ").append(frame.get("model")).append("   pid ").append(frame.get("pid"))
                .append("   port ").append(frame.get("port")).append('\n');
        out.append(String.format("accept queue %s (backlog %s)   connections %s   in flight %s   served %s   refused %s   threads %s%n",
                or(frame.get("acceptQueue")), frame.get("backlog"), frame.get("connectionsOpen"),
                frame.get("requestsInFlight"), frame.get("requestsServed"), or(frame.get("refused")), frame.get("threads")));
        if (frame.get("refusedBy") instanceof Map<?, ?> by && frame.get("refused") instanceof Number n && n.longValue() > 0) {
            StringBuilder why = new StringBuilder();
            by.forEach((reason, count) -> {
                if (count instanceof Number c && c.longValue() > 0) {
                    why.append(why.isEmpty() ? "" : ", ").append(c).append(' ').append(reason);
                }
            });
            out.append("  ").append(n).append(n.longValue() == 1 ? " client was" : " clients were")
                    .append(" turned away with a 503: ").append(why).append('\n');
        }
        Object queued = frame.get("acceptQueue");
        if (queued instanceof Number n && n.intValue() > 0) {
            out.append("  ").append(n).append(n.intValue() == 1 ? " client is" : " clients are")
                    .append(" connected and waiting for the server to accept them\n");
        }

        List<Map<String, Object>> workers = (List<Map<String, Object>>) frame.get("workers");
        out.append("\nworkers (what each is doing now)\n");
        if (workers.isEmpty()) {
            out.append("  none served in the window\n");
        }
        for (Map<String, Object> w : workers) {
            Object state = w.get("threadState");
            out.append(String.format("  %-" + NAME + "s %-14s %s%n", cut((String) w.get("name")), state == null ? "-" : state, w.get("doing")));
        }

        long windowMs = ((Number) frame.get("windowMs")).longValue();
        out.append(String.format("%ntimeline, the last %d s (# answered, = in flight; now at the right)%n", windowMs / 1000));
        Map<String, char[]> rows = new LinkedHashMap<>();
        for (Map<String, Object> r : (List<Map<String, Object>>) frame.get("requests")) {
            char[] row = rows.computeIfAbsent((String) r.get("worker"), k -> " ".repeat(columns).toCharArray());
            long began = ((Number) r.get("beganMsAgo")).longValue();
            Object ended = r.get("endedMsAgo");
            int from = column(began, windowMs, columns);
            int to = column(ended == null ? 0 : ((Number) ended).longValue(), windowMs, columns);
            for (int c = from; c <= to; c++) {
                row[c] = ended == null ? '=' : '#';
            }
        }
        rows.forEach((name, row) -> out.append(String.format("  %-" + NAME + "s|%s|%n", cut(name), new String(row))));

        List<Map<String, Object>> children = (List<Map<String, Object>>) frame.get("children");
        if (!children.isEmpty()) {
            out.append("\nchild processes: ").append(children.size()).append('\n');
            for (Map<String, Object> c : children) {
                out.append(String.format("  pid %-8s %7s ms old  %s%n", c.get("pid"), c.get("ageMs"), c.get("doing")));
            }
        }
        return out.toString();
    }

    private static int column(long msAgo, long windowMs, int columns) {
        long clamped = Math.max(0, Math.min(windowMs, msAgo));
        return (int) Math.min(columns - 1, (columns - 1) * (windowMs - clamped) / windowMs);
    }

    private static String cut(String name) {
        return name.length() <= NAME ? name : name.substring(0, NAME - 1) + "~";
    }

    private static Object or(Object v) {
        return v == null ? "n/a" : v;
    }
}
