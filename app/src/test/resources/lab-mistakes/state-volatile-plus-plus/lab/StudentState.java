// MISTAKE: the request counter made volatile, still read, then written (a volatile count++)
// FAILS: unique request numbers | volatile; one step
package lab;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.echolab.state.RaceWindow;
import org.echolab.state.ServerState;

/** One mistake (see the first line) in an otherwise correct state. */
public final class StudentState implements ServerState {

    private final RaceWindow window;
    private volatile long requestNumbers;
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
        long n = requestNumbers + 1;
        window.pause();
        requestNumbers = n;
        return n;
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
