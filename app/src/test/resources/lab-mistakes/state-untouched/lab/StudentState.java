// MISTAKE: the skeleton as handed out: every method races
// FAILS: unique request numbers | read-add-write one step
package lab;

import java.util.HashMap;
import java.util.Map;
import org.echolab.state.RaceWindow;
import org.echolab.state.ServerState;

/**
 * Part 3: the server's shared state, as a threaded server would first write it. Every worker
 * thread calls these methods at the same time, and each of them has a race: find it, fix it, and
 * say in your report how you know the fix is right.
 *
 * <p>Run with it: {@code ./echolab serve --model thread --state student}; see the races from
 * outside: {@code ./echolab race --models thread --states student --race-window 1ms}.
 * Grade it: {@code ./echolab lab grade races}.
 *
 * <p>{@code window.pause()} makes each race easy to see: it waits (for {@code --race-window})
 * exactly where another thread can slip in. Leave the calls where they are; a correct fix is
 * correct with them.
 */
public final class StudentState implements ServerState {

    private final RaceWindow window;
    private long requestNumbers;                      // the last request number handed out
    private long served;                              // requests answered
    private long open;                                // connections open now
    private long peak;                                // the most ever open at once
    private final Map<String, Long> perClient = new HashMap<>();   // requests answered, by client address

    public StudentState(RaceWindow window) {
        this.window = window;
    }

    @Override
    public String name() {
        return "student";
    }

    /** Every request gets a number: 1, 2, 3, ..., each handed out exactly once. */
    @Override
    public long nextRequestNumber() {
        // TODO: two requests at once can get the same number. Why?
        long n = requestNumbers + 1;
        window.pause();
        requestNumbers = n;
        return n;
    }

    @Override
    public void requestServed(String client) {
        // TODO: counts go missing under load. Why? And what can happen to a HashMap that many
        //   threads change at once?
        long s = served;
        window.pause();
        served = s + 1;
        perClient.put(client, perClient.getOrDefault(client, 0L) + 1);
    }

    @Override
    public void connectionOpened() {
        // TODO: the peak can end up higher than the number of connections ever open at once. How?
        open++;
        long now = open;
        if (now > peak) {
            window.pause();
            peak = now;
        }
    }

    @Override
    public void connectionClosed() {
        open--;
    }

    @Override
    public Snapshot snapshot() {
        return new Snapshot(requestNumbers, served, open, peak, Map.copyOf(perClient));
    }
}
