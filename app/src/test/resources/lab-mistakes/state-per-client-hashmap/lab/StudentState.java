// MISTAKE: the per-client counts in a plain HashMap that every worker changes
// FAILS: stress or the counts add up | HashMap; ConcurrentHashMap
package lab;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.HashMap;
import org.echolab.state.RaceWindow;
import org.echolab.state.ServerState;

/** One mistake (see the first line) in an otherwise correct state. */
public final class StudentState implements ServerState {

    private final RaceWindow window;
    private final AtomicLong requestNumbers = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong open = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final Map<String, Long> perClient = new HashMap<>();

    public StudentState(RaceWindow window) {
        this.window = window;
    }

    @Override
    public String name() {
        return "student";
    }

    @Override
    public long nextRequestNumber() {
        return requestNumbers.incrementAndGet();
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
        synchronized (perClient) {
            return new Snapshot(requestNumbers.get(), served.get(), open.get(), peak.get(), Map.copyOf(perClient));
        }
    }
}
