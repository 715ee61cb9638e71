package org.echolab.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code watch}'s drawing of a frame, pure: under a pool with 40 busy workers it fits 80x24 with
 * its header and counts what it cuts; a row of requests back to back shows where each begins.
 */
@Timeout(10)
class TextViewTest {

    @Test
    void aBusyPoolFitsEightyByTwentyFour() {
        List<Map<String, Object>> workers = new ArrayList<>();
        List<Map<String, Object>> requests = new ArrayList<>();
        List<String> lanes = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            workers.add(Map.of(
                    "name",
                    "pool-" + i,
                    "pid",
                    7,
                    "threadState",
                    "TIMED_WAITING",
                    "doing",
                    "request " + i + " /echo wait 20000 ms, 1500 ms so far with a long tail to cut"));
            if (i <= LiveView.MAX_LANES) {
                lanes.add("pool-" + i);
                requests.add(request(i - 1, 1500, null));
            }
        }
        Map<String, Object> frame = frame("pool", workers, 24, lanes, requests, 24);

        String text = TextView.render(frame, 80, 24, 0);

        List<String> lines = text.lines().toList();
        assertThat(lines)
                .as(text)
                .hasSizeLessThanOrEqualTo(24)
                .allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
        assertThat(lines.get(0)).startsWith("echolab pool");
        assertThat(text)
                .contains("workers: 40 busy")
                .contains("24 idle")
                .containsPattern("\\+\\d+ more busy")
                .containsPattern("\\+\\d+ more rows")
                .contains("24 more not drawn");
        assertThat(text)
                .as("no trailing newline: in a terminal it would scroll the header away")
                .doesNotEndWith("\n");
    }

    @Test
    void requestsBackToBackAreToldApart() {
        // sequential: three requests of 2 s one after the other on one row, the last in flight
        List<Map<String, Object>> requests =
                List.of(request(0, 7000, 5000L), request(0, 5000, 3000L), request(0, 3000, null));
        Map<String, Object> frame = frame("sequential", List.of(), 0, List.of("echolab-accept"), requests, 0);

        String text = TextView.render(frame, 80, 24, 50);

        String row = text.lines()
                .filter(l -> l.startsWith("  echolab-accept"))
                .findFirst()
                .orElseThrow();
        assertThat(row).matches("  echolab-accept\\| *\\[#+\\[#+\\[=+\\|");
    }

    private static Map<String, Object> request(int lane, long beganMsAgo, Long endedMsAgo) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("lane", lane);
        r.put("beganMsAgo", beganMsAgo);
        r.put("endedMsAgo", endedMsAgo);
        return r;
    }

    private static Map<String, Object> frame(
            String model,
            List<Map<String, Object>> workers,
            int idle,
            List<String> lanes,
            List<Map<String, Object>> requests,
            int withoutLane) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("model", model);
        f.put("pid", 7);
        f.put("port", 8080);
        f.put("windowMs", 10_000);
        f.put("acceptQueue", 0);
        f.put("backlog", 4096);
        f.put("connectionsOpen", workers.size());
        f.put("requestsInFlight", workers.size());
        f.put("requestsServed", 1234);
        f.put("refused", 0);
        f.put("threads", 75);
        f.put("workers", workers);
        f.put("workersBusyOmitted", 0);
        f.put("workersIdle", idle);
        f.put("requests", requests);
        f.put("lanes", lanes);
        f.put("requestsWithoutLane", withoutLane);
        f.put("children", List.of());
        return f;
    }
}
