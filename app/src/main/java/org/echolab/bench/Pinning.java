package org.echolab.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Where a benchmark's servers and its own load generation run: one core for the server under test
 * and another for the client, as {@code scripts/perf-check.sh} does, so that the client takes no
 * CPU from the server it measures (a client sharing the cores pulls every ratio toward 1.0). The
 * server is started under {@code taskset -c SERVER} (its children inherit the core, and a JVM
 * there sees one processor), and this JVM pins every one of its threads to the client's core with
 * {@code taskset -a -p -c CLIENT PID} (threads it starts later inherit it).
 *
 * <p>Each server's JVM starts with the flags {@code ./echolab serve} gives its model's server on one
 * core, read from where they are declared ({@code scripts/server-jvm.sh}), as the perf check's do.
 *
 * <p>On a machine that lets this process use fewer than 2 cores, or without {@code taskset}, the
 * run is not pinned: {@code pinned} is false and {@code note} says why, for the report to say so.
 * As results.json records it; null in results from before runs were pinned.
 *
 * @param serverCpu the core every server runs on (-1: not pinned)
 * @param clientCpu the core this JVM, the load generator, runs on (-1: not pinned)
 * @param serverJvmByModel the flags each model's server starts with (none when not pinned)
 */
public record Pinning(
        boolean pinned, int serverCpu, int clientCpu, String note, Map<String, List<String>> serverJvmByModel) {

    /** Absent from results written before pinned servers had their one-core JVM flags by model: none. */
    public Pinning {
        serverJvmByModel = serverJvmByModel == null
                ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(serverJvmByModel)); // the models' order
    }

    /** A pinning whose servers' JVMs keep their own choices. */
    public Pinning(boolean pinned, int serverCpu, int clientCpu, String note) {
        this(pinned, serverCpu, clientCpu, note, Map.of());
    }

    /** The flags {@code model}'s server starts with. */
    public List<String> serverJvm(String model) {
        return serverJvmByModel.getOrDefault(model, List.of());
    }

    /** Not pinned, and why. */
    public static Pinning not(String why) {
        return new Pinning(false, -1, -1, why);
    }

    /**
     * Pins this JVM to the second core it may use and returns the pinning that starts the servers
     * of {@code models} on the first (on a 2-core machine: servers on core 0, the bench on core 1,
     * as the perf check), or why it cannot.
     */
    public static Pinning pinThisJvm(Path serverJvmScript, Collection<String> models) {
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
        Map<String, List<String>> jvm;
        String flags;
        String override = System.getenv("ECHOLAB_SERVER_JVM_OPTS");
        try {
            jvm = serverJvmOptions(serverJvmScript, server, override, models);
            String source = override == null ? serverJvmScript.getFileName().toString() : "ECHOLAB_SERVER_JVM_OPTS";
            flags = override != null && override.isBlank()
                    ? "and keeps its own choices (ECHOLAB_SERVER_JVM_OPTS is empty)"
                    : "and starts with " + byFlags(jvm) + " (" + source + ")";
        } catch (IOException e) {
            jvm = Map.of();
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

    /** The flags and the models that start with them: "-XX:+UseSerialGC -Xmn16m (virtual), -XX:+UseSerialGC (pool)". */
    static String byFlags(Map<String, List<String>> jvm) {
        Map<List<String>, List<String>> models = new LinkedHashMap<>();
        jvm.forEach((model, flags) ->
                models.computeIfAbsent(flags, f -> new ArrayList<>()).add(model));
        return models.entrySet().stream()
                .map(e -> (e.getKey().isEmpty() ? "no flags" : String.join(" ", e.getKey())) + " ("
                        + String.join(", ", e.getValue()) + ")")
                .collect(Collectors.joining(", "));
    }

    /**
     * The JVM flags {@code ./echolab serve} gives each model's server on core {@code cpu}:
     * {@code script} ({@code scripts/server-jvm.sh}, where they are declared) sourced under
     * {@code taskset -c cpu}, so the bench's servers start as the perf check's do. {@code
     * override}: the value of ECHOLAB_SERVER_JVM_OPTS, which replaces them (empty: none), or null
     * when it is not set.
     *
     * @return each of {@code models} with its flags, in their order
     * @throws IOException naming the script when it is missing or fails
     */
    static Map<String, List<String>> serverJvmOptions(Path script, int cpu, String override, Collection<String> models)
            throws IOException {
        if (!Files.isRegularFile(script)) {
            throw new IOException("no " + script + ", which declares the one-core flags");
        }
        List<String> command = new ArrayList<>(List.of(
                "taskset",
                "-c",
                Integer.toString(cpu),
                "bash",
                "-c",
                "source \"$0\" && for m in \"$@\"; do echo \"$(echolab_server_jvm_opts \"$m\")\"; done",
                script.toString()));
        command.addAll(models);
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD); // only what it prints on stdout are flags
        if (override == null) {
            pb.environment().remove("ECHOLAB_SERVER_JVM_OPTS");
        } else {
            pb.environment().put("ECHOLAB_SERVER_JVM_OPTS", override);
        }
        Process p = pb.start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines()
                .toList();
        try {
            if (p.waitFor() != 0) {
                throw new IOException(script + " failed (exit " + p.exitValue() + "); 'bash " + script + "' says why");
            }
            if (lines.size() != models.size()) {
                throw new IOException(script + " printed " + lines.size() + " lines of flags for " + models.size()
                        + " models: its echolab_server_jvm_opts must print one line per model");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + script);
        }
        Map<String, List<String>> flags = new LinkedHashMap<>();
        int i = 0;
        for (String model : models) {
            String line = lines.get(i++).strip();
            flags.put(model, line.isEmpty() ? List.of() : List.of(line.split("\\s+")));
        }
        return flags;
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
