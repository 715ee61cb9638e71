// MISTAKE: connectionOpened and connectionClosed synchronized on two different locks: open++ and open-- still race
// FAILS: stress or the peak is right or the peak equals the connections held open together | open++ and open-- lose updates
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
    private long open;
    private long peak;
    private final Object openLock = new Object();
    private final Object closeLock = new Object();
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
        perClient.merge(client, 1L, Long::sum);
    }

    @Override
    public void connectionOpened() {
        synchronized (openLock) {
            long o = open;
            window.pause();
            open = o + 1;
            peak = Math.max(peak, open);
        }
    }

    @Override
    public void connectionClosed() {
        synchronized (closeLock) {
            long o = open;
            window.pause();
            open = o - 1;
        }
    }

    @Override
    public synchronized Snapshot snapshot() {
        return new Snapshot(requestNumbers.get(), served.get(), open, peak, Map.copyOf(perClient));
    }
}
