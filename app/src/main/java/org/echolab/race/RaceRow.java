package org.echolab.race;

import java.time.Duration;
import org.echolab.load.Fairness;

/**
 * One line of the {@code echolab race} table: what the clients and the server's state saw after
 * {@code expected} requests answered OK, and whether that is what the pair should show.
 *
 * @param served       the state's count of requests served (expected: every answered request)
 * @param lastNumber   the state's last request number (expected: as many as requests)
 * @param duplicates   request numbers the clients saw more than once (X-Echo-Request), counting
 *                     every repeat: 3 responses numbered 7 are 2 duplicates
 * @param perClient    the per-client count for 127.0.0.1, or -1 where the variant keeps none
 * @param open         connections open by the state's count after the server stopped (expected 0)
 * @param peak         the state's peak of open connections (expected 1 to {@code maxOpen})
 * @param maxOpen      the most connections that can have been open at once: those the clients
 *                     opened, plus the load generator's probe connection
 * @param errors       requests not answered OK (must be 0: races corrupt counts, not replies)
 * @param fairness     how the answers were spread over the clients' connections; not part of the
 *                     verdict (races are about counts), but it shows how the model shares itself out:
 *                     {@code sequential} serves one connection until it leaves
 */
public record RaceRow(
        String model,
        String state,
        Expectation expectation,
        long expected,
        long served,
        long lastNumber,
        long duplicates,
        long perClient,
        long open,
        long peak,
        long maxOpen,
        long errors,
        Duration window,
        Fairness fairness) {

    public long lost() {
        return expected - served;
    }

    public boolean peakRight() {
        return open == 0 && peak >= 1 && peak <= maxOpen;
    }

    /** No loss, no duplicate, right last number, per-client count and peak. */
    public boolean clean() {
        return lost() == 0
                && lastNumber == expected
                && duplicates == 0
                && (perClient < 0 || perClient == expected)
                && peakRight();
    }

    /** What was seen matches what the pair should show, and every request was answered. */
    public boolean asExpected() {
        return errors == 0 && clean() == (expectation == Expectation.CLEAN);
    }
}
