// MISTAKE: the parent never closes its copy of the connection
// FAILS: the client sees the close when its child is done and no descriptors left open in the parent | client.close(); Close(connfd)
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
        reaper = Thread.ofPlatform().name("reaper").start(this::reapChildren);
        Lab.Descriptor client;
        while ((client = lab.acceptDescriptor()) != null) {
            lab.fork(client);
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
