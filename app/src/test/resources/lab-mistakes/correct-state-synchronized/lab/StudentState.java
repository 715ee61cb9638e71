// CORRECT: every method synchronized on this one object, the race windows left where they were
package lab;

import java.util.Map;
import java.util.HashMap;
import org.echolab.state.RaceWindow;
import org.echolab.state.ServerState;

/** One mistake (see the first line) in an otherwise correct state. */
public final class StudentState implements ServerState {

    private final RaceWindow window;
    private long requestNumbers;
    private long served;
    private long open;
    private long peak;
    private final Map<String, Long> perClient = new HashMap<>();

    public StudentState(RaceWindow window) {
        this.window = window;
    }

    @Override
    public String name() {
        return "student";
    }

    @Override
    public synchronized long nextRequestNumber() {
        long n = requestNumbers + 1;
        window.pause();
        requestNumbers = n;
        return n;
    }

    @Override
    public synchronized void requestServed(String client) {
        long s = served;
        window.pause();
        served = s + 1;
        perClient.put(client, perClient.getOrDefault(client, 0L) + 1);
    }

    @Override
    public synchronized void connectionOpened() {
        open++;
        long now = open;
        if (now > peak) {
            window.pause();
            peak = now;
        }
    }

    @Override
    public synchronized void connectionClosed() {
        open--;
    }

    @Override
    public synchronized Snapshot snapshot() {
        return new Snapshot(requestNumbers, served, open, peak, Map.copyOf(perClient));
    }
}
