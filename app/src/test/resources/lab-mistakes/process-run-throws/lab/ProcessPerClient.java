// MISTAKE: run() starts a reaper it never made, and throws
// FAILS: echoes right over real sockets | your run() threw; NullPointerException
package lab;

import java.io.IOException;
import org.echolab.lab.Lab;

/** One mistake (see the first line) in an otherwise correct process per client. */
public final class ProcessPerClient implements Lab.Model {

    private final Lab lab;
    private Thread reaper;

    public ProcessPerClient(Lab lab) {
        this.lab = lab;
    }

    @Override
    public void run() throws IOException, InterruptedException {
        reaper.start();
        Lab.Descriptor client;
        while ((client = lab.acceptDescriptor()) != null) {
            try {
                lab.fork(client);
            } finally {
                client.close();
            }
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
        reaper.join();
    }
}
