package org.echolab.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Date header is formatted once a second: it must still name the second it is sent in, never the one before. */
class HttpDateTest {

    private static long secondOf(String date) {
        return ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
    }

    @Test
    void namesTheWallClocksSecondAcrossItsChanges() {
        Set<String> seen = new HashSet<>();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ZERO).until(() -> {
            long before = System.currentTimeMillis();
            String date = Answers.HttpDate.now();
            long after = System.currentTimeMillis();
            assertThat(secondOf(date))
                    .as("%s, asked between %d and %d ms", date, before, after)
                    .isBetween(Math.floorDiv(before, 1000), Math.floorDiv(after, 1000));
            assertThat(date).matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
            seen.add(date);
            return seen.size() >= 3; // two changes of the second, each seen as it came
        });
    }
}
