// MISTAKE: two locks taken in opposite orders (requestServed: counts, then clients; connectionClosed: clients, then counts): a deadlock
// FAILS: stress | two locks; one order
package lab;

import java.util.HashMap;
import java.util.Map;
import org.echolab.state.RaceWindow;
import org.echolab.state.ServerState;

/** One mistake (see the first line) in an otherwise correct state. */
public final class StudentState implements ServerState {

    private final RaceWindow window;
    private final Object counts = new Object();
    private final Object clients = new Object();
    private long requestNumbers;
    private long served;
    private long open;
    private long peak;
    private final Map<String, Long> perClient = new HashMap<>();
    private String lastClient = "";

    public StudentState(RaceWindow window) {
        this.window = window;
    }

    @Override
    public String name() {
        return "student";
    }

    @Override
    public long nextRequestNumber() {
        synchronized (counts) {
            return ++requestNumbers;
        }
    }

    @Override
    public void requestServed(String client) {
        synchronized (counts) {
            served++;
            window.pause();
            synchronized (clients) {
                perClient.merge(client, 1L, Long::sum);
                lastClient = client;
            }
        }
    }

    @Override
    public void connectionOpened() {
        synchronized (counts) {
            open++;
            peak = Math.max(peak, open);
        }
    }

    @Override
    public void connectionClosed() {
        synchronized (clients) {
            window.pause();
            synchronized (counts) {
                open--;
            }
        }
    }

    @Override
    public Snapshot snapshot() {
        synchronized (counts) {
            synchronized (clients) {
                return new Snapshot(requestNumbers, served, open, peak, Map.copyOf(perClient));
            }
        }
    }
}
