// MISTAKE: synchronized on a new Object each call: every thread has its own lock, so nothing is excluded
// FAILS: unique request numbers | one step
package lab;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.echolab.state.RaceWindow;
import org.echolab.state.ServerState;

/** One mistake (see the first line) in an otherwise correct state. */
public final class StudentState implements ServerState {

    private final RaceWindow window;
    private long requestNumbers;
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong open = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final Map<String, Long> perClient = new ConcurrentHashMap<>();

    public StudentState(RaceWindow window) {
        this.window = window;
    }

    @Override
    public String name() {
        return "student";
    }

    @Override
    public long nextRequestNumber() {
        synchronized (new Object()) {
            long n = requestNumbers + 1;
            window.pause();
            requestNumbers = n;
            return n;
        }
    }

    @Override
    public void requestServed(String client) {
        served.incrementAndGet();
        perClient.merge(client, 1L, Long::sum);
    }

    @Override
    public void connectionOpened() {
        long now = open.incrementAndGet();
        peak.accumulateAndGet(now, Math::max);
    }

    @Override
    public void connectionClosed() {
        open.decrementAndGet();
    }

    @Override
    public Snapshot snapshot() {
        return new Snapshot(requestNumbers, served.get(), open.get(), peak.get(), Map.copyOf(perClient));
    }
}
