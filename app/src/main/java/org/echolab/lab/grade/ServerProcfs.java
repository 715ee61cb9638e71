package org.echolab.lab.grade;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.echolab.bench.ProcStats;
import org.echolab.os.TcpSockets;

/**
 * What the kernel says about the graded server, read as {@code ps -L}, {@code top -H} and
 * {@code ss} would: its threads by name and CPU and its descriptors (from /proc), and the TCP
 * connections on its port ({@link TcpSockets}). The grader trusts these, not what the server
 * says about itself.
 *
 * <p>Stateless; any thread.
 */
final class ServerProcfs {

    /** USER_HZ: the unit of the CPU fields of /proc/PID/task/TID/stat on every Linux ABI Java runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    /** Threads of the JVM itself (compilers, GC, housekeeping), by the start of their 15-character name. */
    private static final List<String> JVM_OWN = List.of(
            "C1 Compiler",
            "C2 Compiler",
            "GC Thread",
            "G1 ",
            "VM ",
            "Reference Handl",
            "Finalizer",
            "Signal Dispatch",
            "Service Thread",
            "Monitor Deflati",
            "Notification",
            "Common-Cleaner",
            "Attach Listener",
            "Sweeper",
            "JFR ",
            "Training replay", // replays the AOT cache's profiles (JDK 25)
            "java");

    /**
     * One thread of the process: its id, its name (as the kernel keeps it: 15 characters at
     * most), state, CPU ticks, and how often it has given up the CPU by itself (each sleep or wait is one).
     */
    record Task(long tid, String name, char state, long ticks, long switches) {
        boolean jvmOwn() {
            return JVM_OWN.stream().anyMatch(name::startsWith);
        }
    }

    private ServerProcfs() {}

    /** Every thread of {@code pid} now, from /proc/PID/task; empty once it has ended. */
    static List<Task> tasks(long pid) {
        List<Task> tasks = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : dir) {
                try {
                    String stat = read(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // f[0] is field 3 (state); utime and stime are fields 14 and 15
                    tasks.add(new Task(
                            Long.parseLong(t.getFileName().toString()),
                            name,
                            f[0].charAt(0),
                            Long.parseLong(f[11]) + Long.parseLong(f[12]),
                            switches(read(t.resolve("status")))));
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException gone) {
            // the process ended
        }
        return tasks;
    }

    /** The threads that are not the JVM's own: the server's and the model's. */
    static List<Task> modelTasks(long pid) {
        return tasks(pid).stream().filter(t -> !t.jvmOwn()).toList();
    }

    /** CPU burnt by the model's threads between two readings, in cores (seconds of CPU per second), by thread name. */
    static Map<String, Double> coresByName(List<Task> before, List<Task> after, double seconds) {
        Map<Long, Long> was = new TreeMap<>();
        before.forEach(t -> was.put(t.tid(), t.ticks()));
        Map<String, Double> by = new TreeMap<>();
        for (Task t : after) {
            long used = t.ticks() - was.getOrDefault(t.tid(), 0L);
            if (used > 0 && !t.jvmOwn()) {
                by.merge(t.name(), used / TICKS_PER_SECOND / seconds, Double::sum);
            }
        }
        return by;
    }

    /** Times each model thread woke up between two readings, per second, by thread name. */
    static Map<String, Double> wakeupsByName(List<Task> before, List<Task> after, double seconds) {
        Map<Long, Long> was = new TreeMap<>();
        before.forEach(t -> was.put(t.tid(), t.switches()));
        Map<String, Double> by = new TreeMap<>();
        for (Task t : after) {
            Long w = was.get(t.tid());
            if (w != null && t.switches() > w && !t.jvmOwn()) {
                by.merge(t.name(), (t.switches() - w) / seconds, Double::sum);
            }
        }
        return by;
    }

    private static long switches(String status) {
        long n = 0;
        for (String line : status.split("\n")) {
            if (line.startsWith("voluntary_ctxt_switches:")) { // it blocked or slept; being preempted is not counted
                n += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return n;
    }

    /** The sockets {@code pid} holds open (its listening socket included). */
    static int sockets(long pid) {
        try {
            return (int) ProcStats.descriptorsOf(pid).stream()
                    .filter(fd -> fd.contains("socket:"))
                    .count();
        } catch (RuntimeException gone) {
            return 0;
        }
    }

    /** The children of {@code pid}: pid and state letter (Z: a zombie). */
    static Map<Long, Character> children(long pid) {
        return ProcStats.childrenOf(pid);
    }

    /**
     * Connections to {@code port} whose request the server has read and not yet answered: the
     * server's end is established and its receive queue is empty, while the client has sent a
     * request and waits. Connections still in the accept backlog or a queue hold their unread
     * request, so they do not count.
     */
    static int inService(int port, int clientsWaiting) {
        long n = TcpSockets.onPort(port).stream()
                .filter(s -> s.state() == TcpSockets.ESTABLISHED && s.unread() == 0)
                .count();
        return (int) Math.min(n, clientsWaiting);
    }

    /**
     * Where the server has put the connections from the client ports {@code clientPorts} to
     * {@code port}, as the kernel counts them, with nothing to subtract: a connection the server has
     * accepted has a socket (an inode) on the server's end; one still in the accept backlog has
     * none yet; one the server has closed (or reset) is closing or gone. The three add up to the
     * clients asked about.
     */
    record Stand(int accepted, int backlog, int closed) {}

    /** The {@link Stand} of the connections from {@code clientPorts} to {@code port} now. */
    static Stand stand(int port, Set<Integer> clientPorts) {
        int accepted = 0;
        int backlog = 0;
        for (TcpSockets.Socket end : serverEnds(port, clientPorts)) {
            if (end.open() && end.inode() == 0) {
                backlog++;
            } else if (end.open()) {
                accepted++;
            }
        }
        return new Stand(accepted, backlog, clientPorts.size() - accepted - backlog);
    }

    /**
     * How many of the connections from {@code clientPorts} to {@code port} process {@code pid}
     * still holds: their server's end is a socket that one of its descriptors names.
     */
    static int heldBy(long pid, int port, Set<Integer> clientPorts) {
        Set<String> sockets;
        try {
            sockets = ProcStats.descriptorsOf(pid).stream()
                    .map(fd -> fd.substring(fd.indexOf("->") + 2))
                    .collect(Collectors.toSet());
        } catch (RuntimeException gone) {
            return 0;
        }
        return (int) serverEnds(port, clientPorts).stream()
                .filter(end -> end.inode() != 0 && sockets.contains("socket:[" + end.inode() + "]"))
                .count();
    }

    /** The server's ends of the connections from {@code clientPorts} to {@code port}: one per client port. */
    private static List<TcpSockets.Socket> serverEnds(int port, Set<Integer> clientPorts) {
        return TcpSockets.onPort(port).stream()
                .filter(s -> !s.listening() && clientPorts.contains(s.remotePort()))
                .toList();
    }

    private static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
