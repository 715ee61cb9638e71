package org.echolab.lab;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.echolab.config.ServerConfig;
import org.echolab.models.ConcurrencyModel;
import org.echolab.models.ModelContext;
import org.echolab.models.Models;
import org.echolab.models.Models.Interleaving;
import org.echolab.models.Models.PerConnection;
import org.echolab.models.Models.Traits;
import org.echolab.models.UnsupportedPlatformException;
import org.echolab.os.Libc;
import org.echolab.os.ListeningSocket;

/**
 * A student's {@link Lab.Model} as a concurrency model like the project's own, so that it runs
 * under {@code serve}, {@code load}, {@code race} and {@code bench}. It does the socket setup,
 * runs the student's accept loop on a thread of its own and, on stop, ends accepting, drains
 * (thread models), lets the student's {@code stop()} end its workers or children, and cleans up
 * whatever was left, saying so in the log and in {@code /stats}.
 *
 * <p><b>Threads:</b> {@code echolab-accept} runs the student's {@code run()}; everything else
 * belongs to the student's model.
 */
public final class LabModel implements ConcurrencyModel {

    private static final System.Logger LOG = System.getLogger(LabModel.class.getName());
    /** How long the student's accept loop and {@code stop()} may take once the server stops. */
    private static final Duration STOP_PATIENCE = Duration.ofSeconds(10);

    private final String name;
    private final boolean processes;
    private final Function<Lab, Lab.Model> make;
    private Lab lab;
    private Lab.Model model;
    private Thread acceptThread;
    private volatile Throwable failure;
    private volatile String stopProblem = "";
    private volatile int childrenLeftAtStop;
    private volatile List<String> threadsLeftAtStop = List.of();
    private Set<Thread> threadsBefore = Set.of();

    private LabModel(String name, boolean processes, Function<Lab, Lab.Model> make) {
        this.name = name;
        this.processes = processes;
        this.make = make;
    }

    /** The registry entry of a student's model that hands connections to threads. */
    public static Models.Entry threads(String name, String summary, Function<Lab, Lab.Model> make) {
        return new Models.Entry(
                name,
                summary,
                new Traits(Interleaving.THREADS, PerConnection.NOTHING, false, 8),
                c -> new LabModel(name, false, make));
    }

    /** The registry entry of a student's model that hands each connection to a child process. */
    public static Models.Entry processes(String name, String summary, Function<Lab, Lab.Model> make) {
        return new Models.Entry(
                name,
                summary,
                new Traits(Interleaving.PROCESSES, PerConnection.PROCESS, false, 1),
                c -> new LabModel(name, true, make));
    }

    @Override
    public InetSocketAddress start(ModelContext ctx) throws IOException {
        ServerConfig config = ctx.config();
        InetSocketAddress address;
        if (processes) {
            UnsupportedPlatformException.throwIf(Libc.unsupportedReason());
            ListeningSocket listener = ListeningSocket.open(config.bind, config.port, config.backlog);
            lab = new Lab(ctx.stack(), null, listener);
            address = new InetSocketAddress(InetAddress.getByName(config.bind), listener.port());
        } else {
            ServerSocket listener = ctx.openListener();
            lab = new Lab(ctx.stack(), listener, null);
            address = (InetSocketAddress) listener.getLocalSocketAddress();
        }
        threadsBefore = Set.copyOf(Thread.getAllStackTraces().keySet());
        try {
            model = make.apply(lab);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, name + ": your model's constructor failed", e);
            lab.stopAccepting();
            lab.cleanUp();
            throw new IOException(name + ": your model's constructor failed: " + e, e);
        }
        acceptThread = Thread.ofPlatform().name("echolab-accept").start(() -> {
            try {
                model.run();
            } catch (Throwable e) {
                failure = e;
                LOG.log(Level.ERROR, name + ": your run() failed; the server accepts no more clients", e);
            }
        });
        return address;
    }

    @Override
    public void stop(Duration grace) throws InterruptedException {
        lab.stopAccepting();
        if (!processes) {
            lab.stack().connections().drain(grace); // idle connections close; requests in flight finish
        }
        acceptThread.join(STOP_PATIENCE.toMillis());
        if (acceptThread.isAlive()) {
            stopProblem =
                    "run() did not return within " + STOP_PATIENCE.toSeconds() + " s after accept() returned null";
            LOG.log(Level.WARNING, "{0}: {1}; interrupting it", name, stopProblem);
            acceptThread.interrupt();
            acceptThread.join(STOP_PATIENCE.toMillis());
        }
        Thread stopper = Thread.ofPlatform().name("echolab-lab-stop").start(() -> {
            try {
                model.stop();
            } catch (Throwable e) {
                LOG.log(Level.ERROR, name + ": your stop() failed", e);
            }
        });
        stopper.join(STOP_PATIENCE.plus(grace).toMillis());
        if (stopper.isAlive()) {
            stopProblem =
                    "stop() did not return within " + STOP_PATIENCE.plus(grace).toSeconds() + " s";
            LOG.log(Level.WARNING, "{0}: {1}", name, stopProblem);
            stopper.interrupt();
        }
        childrenLeftAtStop = lab.unreaped().size();
        if (childrenLeftAtStop > 0) {
            LOG.log(
                    Level.WARNING,
                    "{0}: {1} child process(es) not reaped after stop(); killing and reaping them",
                    name,
                    childrenLeftAtStop);
        }
        lab.cleanUp();
        threadsLeftAtStop = threadsLeft();
        if (!threadsLeftAtStop.isEmpty()) {
            LOG.log(
                    Level.WARNING,
                    "{0}: {1} thread(s) of your model still running after stop(): {2}",
                    name,
                    threadsLeftAtStop.size(),
                    threadsLeftAtStop);
        }
    }

    /**
     * The threads the student's model started that outlive its {@code stop()}, after a short
     * wait for those that were told to end and are ending; EchoLab's own are not counted.
     */
    private List<String> threadsLeft() throws InterruptedException {
        List<String> left = List.of();
        for (int tick = 0; tick < 20; tick++) {
            left = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.isAlive()
                            && !threadsBefore.contains(t)
                            && !t.getName().startsWith("echolab-"))
                    .map(Thread::getName)
                    .sorted()
                    .toList();
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(25);
        }
        return left;
    }

    @Override
    public String describe() {
        return "a lab model (" + (processes ? "processes" : "threads") + ")";
    }

    @Override
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (lab == null) {
            return m;
        }
        if (processes) {
            m.putAll(lab.tree().totals()); // the children's requests and connections
            m.put("children", lab.unreaped().size());
            m.put("forked", lab.forked());
            m.put("reaped", lab.reaped());
            m.put("descriptorsOpenInParent", lab.descriptorsOpen());
            m.put("childrenLeftAtStop", childrenLeftAtStop);
        } else {
            m.put("sessionsActive", lab.sessionsActive());
            m.put("sessionsPeak", lab.sessionsPeak());
            m.put("threadsLeftAtStop", threadsLeftAtStop.size());
        }
        m.put("acceptLoopFailed", failure == null ? "" : failure.toString());
        m.put("stopProblem", stopProblem);
        return m;
    }
}
