// MISTAKE: served counted as read, pause, write: lost updates
// FAILS: the counts add up | loses updates to served
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
    private long served;
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
        long s = served;
        window.pause();
        served = s + 1;
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
        return new Snapshot(requestNumbers.get(), served, open.get(), peak.get(), Map.copyOf(perClient));
    }
}
