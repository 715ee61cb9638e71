package org.echolab.service;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.echolab.protocol.Durations;
import org.echolab.protocol.Jitter;

/**
 * What a request asks to go wrong, from its query or its {@code X-Echo-*} headers (the query wins):
 * {@code status=503}; {@code fail=0.1} (pick a tenth of the requests at random: only those get the
 * status, close or reset asked for, or a 500 when none is); {@code seed=42}; {@code jitter=} (a
 * {@link Jitter} added to the wait); {@code drip=10&interval=100ms} (the body in 10 chunks, one
 * every 100 ms, chunked transfer coding); {@code close=before|middle} and
 * {@code reset=before|middle} (the connection ends before the response or halfway through it; a
 * reset is a close with SO_LINGER 0, which sends RST).
 *
 * <p><b>Reproducible:</b> every random choice for a request is a pure function of the seed and the
 * request's number <em>on its connection</em> (1 for the first), {@link #draw}. Requests on one
 * connection come in order under every model, while the server-wide request number depends on how
 * requests from different connections interleave (and under {@code process} every child counts from
 * 1), so the n-th request of a connection with seed 42 gets the same fate on every run and every
 * model. Without a seed the server picks one and says it in {@code X-Echo-Seed}, so a run can be
 * repeated. Immutable and pure but for that pick.
 */
public final class Faults {

    /** Where the connection is cut: not at all, before any byte of the response, or halfway through it. */
    public enum Cut {
        NONE,
        CLOSE_BEFORE,
        CLOSE_MIDDLE,
        RESET_BEFORE,
        RESET_MIDDLE;

        public boolean before() {
            return this == CLOSE_BEFORE || this == RESET_BEFORE;
        }

        public boolean reset() {
            return this == RESET_BEFORE || this == RESET_MIDDLE;
        }
    }

    /** The fate of one request: its status (0: as served), the jitter added to its wait, its drip and its cut. */
    public record Decision(int status, Duration jitter, int drip, Duration interval, Cut cut) {
        public static final Decision NONE = new Decision(0, Duration.ZERO, 0, Duration.ZERO, Cut.NONE);
    }

    /** The parameters this class reads, in the order the docs list them. */
    public static final java.util.List<String> PARAMETERS =
            java.util.List.of("status", "fail", "seed", "jitter", "drip", "interval", "close", "reset");

    /** Most chunks {@code drip=} may ask for. */
    public static final int MAX_DRIP = 1000;

    public static final Faults NONE = new Faults(0, -1, 0, false, null, 0, Duration.ZERO, Cut.NONE);

    private final int status;
    private final double fail; // < 0: every request gets the faults
    private final long seed;
    private final boolean random; // a seed matters: fail or jitter
    private final Jitter jitter; // null: none
    private final int drip;
    private final Duration interval;
    private final Cut cut;

    private Faults(
            int status, double fail, long seed, boolean random, Jitter jitter, int drip, Duration interval, Cut cut) {
        this.status = status;
        this.fail = fail;
        this.seed = seed;
        this.random = random;
        this.jitter = jitter;
        this.drip = drip;
        this.interval = interval;
        this.cut = cut;
    }

    /**
     * The faults {@code param} names ({@code param.apply("status")} gives the value or null).
     * {@code wait}: the request's own wait, which with the jitter and the drip must stay within {@code maxWait}.
     *
     * @throws IllegalArgumentException saying which value is wrong and what is allowed
     */
    public static Faults parse(Function<String, String> param, Duration wait, Duration maxWait) {
        int status = 0;
        String s = param.apply("status");
        if (s != null) {
            status = whole(s, "status", 200, 599);
        }
        double fail = -1;
        String f = param.apply("fail");
        if (f != null) {
            try {
                fail = Double.parseDouble(f.strip());
            } catch (NumberFormatException e) {
                fail = -1;
            }
            if (!(fail >= 0 && fail <= 1)) {
                throw new IllegalArgumentException("fail must be a rate from 0 to 1, e.g. fail=0.1 (got '" + f + "')");
            }
        }
        Jitter jitter = param.apply("jitter") == null ? null : Jitter.parse(param.apply("jitter"));
        int drip = param.apply("drip") == null ? 0 : whole(param.apply("drip"), "drip", 1, MAX_DRIP);
        Duration interval = Duration.ZERO;
        if (param.apply("interval") != null) {
            try {
                interval = Durations.parse(param.apply("interval"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad interval: " + e.getMessage());
            }
        }
        if (param.apply("interval") != null && drip == 0) {
            throw new IllegalArgumentException("interval goes with drip, e.g. drip=10&interval=100ms");
        }
        Cut cut = cut(param.apply("close"), param.apply("reset"));
        boolean random = fail >= 0 || jitter != null;
        String seedText = param.apply("seed");
        long seed;
        if (seedText != null) {
            try {
                seed = Long.parseLong(seedText.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("seed must be a whole number (got '" + seedText + "')");
            }
        } else {
            seed = random ? ThreadLocalRandom.current().nextLong(1L << 48) : 0;
        }
        Duration longest =
                wait.plus(jitter == null ? Duration.ZERO : jitter.max()).plus(interval.multipliedBy(drip));
        if (longest.compareTo(maxWait) > 0) {
            throw new IllegalArgumentException("wait, jitter and drip together may take " + Durations.format(longest)
                    + ", above this server's --max-wait of " + Durations.format(maxWait));
        }
        if (status == 0 && fail < 0 && jitter == null && drip == 0 && cut == Cut.NONE) {
            return NONE;
        }
        return new Faults(status, fail, seed, random, jitter, drip, interval, cut);
    }

    private static Cut cut(String close, String reset) {
        if (close != null && reset != null) {
            throw new IllegalArgumentException("ask for close or reset, not both");
        }
        String where = close != null ? close : reset;
        if (where == null) {
            return Cut.NONE;
        }
        boolean before = switch (where.strip().toLowerCase(Locale.ROOT)) {
            case "before" -> true;
            case "middle" -> false;
            default ->
                throw new IllegalArgumentException(
                        (close != null ? "close" : "reset") + " must be before or middle (got '" + where + "')");
        };
        return close != null
                ? (before ? Cut.CLOSE_BEFORE : Cut.CLOSE_MIDDLE)
                : (before ? Cut.RESET_BEFORE : Cut.RESET_MIDDLE);
    }

    private static int whole(String text, String name, int min, int max) {
        int n;
        try {
            n = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            n = min - 1;
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(
                    name + " must be a whole number from " + min + " to " + max + " (got '" + text + "')");
        }
        return n;
    }

    /** True if any fault was asked for. */
    public boolean any() {
        return this != NONE;
    }

    /** True if a seed decides something (fail or jitter): then the response names the seed. */
    public boolean random() {
        return random;
    }

    public long seed() {
        return seed;
    }

    public int drip() {
        return drip;
    }

    /** The fate of the {@code n}-th request on its connection (1 for the first). */
    public Decision decide(long n) {
        if (this == NONE) {
            return Decision.NONE;
        }
        boolean picked = fail < 0 || picked(seed, n, fail);
        int s = status;
        Cut c = cut;
        if (!picked) {
            s = 0;
            c = Cut.NONE;
        } else if (fail >= 0 && status == 0 && cut == Cut.NONE) {
            s = 500; // fail=RATE alone: the picked ones answer 500
        }
        Duration extra = jitter == null ? Duration.ZERO : jitter.pick(draw(seed, n, 1));
        return new Decision(s, extra, drip, interval, c);
    }

    /**
     * The draw in [0, 1) for the {@code n}-th request with {@code seed}, one {@code stream} per kind
     * of choice (0: fail, 1: jitter): SplitMix64's finaliser over the three, so it is the same on any
     * JVM and any model. A client can compute which requests fail with it.
     */
    public static double draw(long seed, long n, int stream) {
        long z = seed + (n * 4 + stream) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53;
    }

    /** Whether the {@code n}-th request on a connection with {@code seed} is picked by {@code fail=rate}. */
    public static boolean picked(long seed, long n, double rate) {
        return draw(seed, n, 0) < rate;
    }
}
