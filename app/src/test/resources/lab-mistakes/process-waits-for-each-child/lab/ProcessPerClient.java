// MISTAKE: the parent waits for each child to exit before it accepts the next client
// FAILS: clients served at once | waits for each child; go on accepting
package lab;

import java.io.IOException;
import org.echolab.lab.Lab;

/** One mistake (see the first line) in an otherwise correct process per client. */
public final class ProcessPerClient implements Lab.Model {

    private final Lab lab;

    public ProcessPerClient(Lab lab) {
        this.lab = lab;
    }

    @Override
    public void run() throws IOException, InterruptedException {
        Lab.Descriptor client;
        while ((client = lab.acceptDescriptor()) != null) {
            try {
                lab.fork(client);
            } finally {
                client.close();
            }
            lab.waitForChild();         // reap it before the next client
        }
    }

    private void reapChildren() {
        try {
            while (lab.waitForChild() != -1) {
                // reaped one; wait for the next
            }
        } catch (InterruptedException e) {
            // stop(): end
        }
    }

    @Override
    public void stop() throws InterruptedException {
        lab.finishChildren();
    }
}
