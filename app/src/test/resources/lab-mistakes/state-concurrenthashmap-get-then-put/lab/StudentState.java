// MISTAKE: a ConcurrentHashMap, but counted with get, then put: two steps
// FAILS: the counts add up | get, then put; merge
package lab;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.echolab.state.RaceWindow;
import org.echolab.state.ServerState;

/** One mistake (see the first line) in an otherwise correct state. */
public final class StudentState implements ServerState {

    private final RaceWindow window;
    private final AtomicLong requestNumbers = new AtomicLong();
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
        return requestNumbers.incrementAndGet();
    }

    @Override
    public void requestServed(String client) {
        served.incrementAndGet();
        long count = perClient.getOrDefault(client, 0L);
        window.pause();
        perClient.put(client, count + 1);
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
        return new Snapshot(requestNumbers.get(), served.get(), open.get(), peak.get(), Map.copyOf(perClient));
    }
}
