package org.echolab.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Where a benchmark's servers and its own load generation run: one core for the server under test
 * and another for the client, as {@code scripts/perf-check.sh} does, so that the client takes no
 * CPU from the server it measures (a client sharing the cores pulls every ratio toward 1.0). The
 * server is started under {@code taskset -c SERVER} (its children inherit the core, and a JVM
 * there sees one processor), and this JVM pins every one of its threads to the client's core with
 * {@code taskset -a -p -c CLIENT PID} (threads it starts later inherit it).
 *
 * <p>Each server's JVM starts with the flags {@code ./echolab serve} gives a server on one core,
 * read from where they are declared ({@code scripts/server-jvm.sh}), as the perf check's do.
 *
 * <p>On a machine that lets this process use fewer than 2 cores, or without {@code taskset}, the
 * run is not pinned: {@code pinned} is false and {@code note} says why, for the report to say so.
 * As results.json records it; null in results from before runs were pinned.
 *
 * @param serverCpu the core every server runs on (-1: not pinned)
 * @param clientCpu the core this JVM, the load generator, runs on (-1: not pinned)
 * @param serverJvm the flags every server's JVM starts with (none when not pinned)
 */
public record Pinning(boolean pinned, int serverCpu, int clientCpu, String note, List<String> serverJvm) {

    /** Absent from results written before pinned servers had their one-core JVM flags: none. */
    public Pinning {
        serverJvm = serverJvm == null ? List.of() : List.copyOf(serverJvm);
    }

    /** A pinning whose servers' JVMs keep their own choices. */
    public Pinning(boolean pinned, int serverCpu, int clientCpu, String note) {
        this(pinned, serverCpu, clientCpu, note, List.of());
    }

    /** Not pinned, and why. */
    public static Pinning not(String why) {
        return new Pinning(false, -1, -1, why);
    }

    /**
     * Pins this JVM to the second core it may use and returns the pinning that starts servers on
     * the first (on a 2-core machine: servers on core 0, the bench on core 1, as the perf check),
     * or why it cannot.
     */
    public static Pinning pinThisJvm(Path serverJvmScript) {
        List<Integer> cpus;
        try {
            cpus = cpuList(ProcStats.read(Path.of("/proc/self/status")));
        } catch (IOException | IllegalArgumentException e) {
            return not("cannot read which cores this process may use (/proc/self/status): " + e.getMessage());
        }
        if (cpus.size() < 2) {
            return not("this process may use " + cpus.size()
                    + " core, and a fair measurement needs one for the server and another for the client");
        }
        int server = cpus.get(0), client = cpus.get(1);
        String pid = Long.toString(ProcessHandle.current().pid());
        String failed = run("taskset", "-a", "-p", "-c", Integer.toString(client), pid);
        if (failed != null) {
            return not("'taskset -a -p -c " + client + " " + pid + "' failed (" + failed
                    + "); install util-linux for taskset");
        }
        List<String> jvm;
        String flags;
        try {
            jvm = serverJvmOptions(serverJvmScript, server, System.getenv("ECHOLAB_SERVER_JVM_OPTS"));
            flags = jvm.isEmpty()
                    ? "and keeps its own choices (ECHOLAB_SERVER_JVM_OPTS is empty)"
                    : "and starts with " + String.join(" ", jvm) + " (" + serverJvmScript.getFileName() + ")";
        } catch (IOException e) {
            jvm = List.of();
            flags = "and keeps its own choices: " + e.getMessage();
        }
        return new Pinning(
                true,
                server,
                client,
                "every server on core " + server + " (taskset -c " + server + "; a JVM there sees 1 processor "
                        + flags + ", nginx runs 1 worker), the load generator (this JVM) on core " + client
                        + " (taskset -a -p -c " + client + ")",
                jvm);
    }

    /**
     * The JVM flags {@code ./echolab serve} gives a server on core {@code cpu}: {@code script}
     * ({@code scripts/server-jvm.sh}, where they are declared) sourced under {@code taskset -c cpu},
     * so the bench's servers start as the perf check's do. {@code override}: the value of
     * ECHOLAB_SERVER_JVM_OPTS, which replaces them (empty: none), or null when it is not set.
     *
     * @throws IOException naming the script when it is missing or fails
     */
    static List<String> serverJvmOptions(Path script, int cpu, String override) throws IOException {
        if (!Files.isRegularFile(script)) {
            throw new IOException("no " + script + ", which declares the one-core flags");
        }
        ProcessBuilder pb = new ProcessBuilder(
                        "taskset",
                        "-c",
                        Integer.toString(cpu),
                        "bash",
                        "-c",
                        "source \"$0\" && printf '%s' \"$echolab_server_jvm_opts\"",
                        script.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD); // only what it prints on stdout are flags
        if (override == null) {
            pb.environment().remove("ECHOLAB_SERVER_JVM_OPTS");
        } else {
            pb.environment().put("ECHOLAB_SERVER_JVM_OPTS", override);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (p.waitFor() != 0) {
                throw new IOException(script + " failed (exit " + p.exitValue() + "); 'bash " + script + "' says why");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + script);
        }
        return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
    }

    /** What the report and the console say: where each side ran, or, loudly, that they shared the cores. */
    public String describe() {
        return pinned
                ? "Pinned: " + note + "."
                : "NOT PINNED: " + note
                        + ". Servers and the load generator shared the cores, so the client took CPU from each server"
                        + " and every ratio is pulled toward 1.0.";
    }

    /** {@code command} as started on the server's core. */
    public List<String> onServerCore(List<String> command) {
        if (!pinned) {
            return command;
        }
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", Integer.toString(serverCpu)));
        cmd.addAll(command);
        return cmd; // taskset execs the command: the process started keeps its pid
    }

    /** The cores in a {@code Cpus_allowed_list} line of /proc/PID/status (e.g. {@code 0-1,4}), in order. */
    static List<Integer> cpuList(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("Cpus_allowed_list:")) {
                TreeSet<Integer> cpus = new TreeSet<>();
                for (String range :
                        line.substring(line.indexOf(':') + 1).strip().split(",")) {
                    String[] ends = range.strip().split("-");
                    int from = Integer.parseInt(ends[0]), to = Integer.parseInt(ends[ends.length - 1]);
                    for (int c = from; c <= to; c++) {
                        cpus.add(c);
                    }
                }
                return List.copyOf(cpus);
            }
        }
        throw new IllegalArgumentException("no Cpus_allowed_list line");
    }

    /** Runs a command to its end: null when it succeeded, else what went wrong. */
    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? null : "exit " + p.exitValue() + ": " + out;
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
