package org.echolab.models;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.echolab.server.EchoServer;

/** What the process-model tests look at: /proc, and plain HTTP/1.1 over a real socket. */
final class ProcessTrees {

    private static final Pattern WORKER_PID = Pattern.compile("X-Echo-Worker: pid=(\\d+)");

    private ProcessTrees() {}

    /** One request on a new connection ({@code Connection: close}); the whole response as text. */
    static String get(InetSocketAddress server, String target) throws IOException {
        try (Socket s = new Socket(server.getAddress(), server.getPort())) {
            s.setSoTimeout(60_000);
            s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return readAll(s.getInputStream());
        }
    }

    static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The pid in a response's X-Echo-Worker header. */
    static long workerPid(String response) {
        Matcher m = WORKER_PID.matcher(response);
        if (!m.find()) {
            throw new AssertionError("no X-Echo-Worker pid in: " + response);
        }
        return Long.parseLong(m.group(1));
    }

    /** The process tree figures of a running server (the parent's /stats, in process). */
    @SuppressWarnings("unchecked")
    static long tree(EchoServer server, String figure) {
        Map<String, Object> tree = (Map<String, Object>) server.stats().get("processTree");
        return ((Number) tree.get(figure)).longValue();
    }

    /** Children of this JVM as /proc shows them: pid and state letter (R, S, Z...). */
    static Map<Long, Character> childrenOf(long parent) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .map(ProcessTrees::stat)
                    .filter(s -> s != null && s.ppid == parent)
                    .collect(java.util.stream.Collectors.toMap(s -> s.pid, s -> s.state));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Stat(long pid, char state, long ppid) {}

    private static Stat stat(Path proc) {
        try {
            String s = Files.readString(proc.resolve("stat"));
            // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so split after the last ')'
            String[] rest = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return new Stat(Long.parseLong(proc.getFileName().toString()), rest[0].charAt(0), Long.parseLong(rest[1]));
        } catch (IOException | RuntimeException e) {
            return null;            // the process ended while we looked
        }
    }

    /** This JVM's open descriptors. */
    static List<String> openFds() {
        return fdsOf(ProcessHandle.current().pid());
    }

    /** The targets of a process's descriptors, e.g. "socket:[1234]", "/dev/null". */
    static List<String> fdsOf(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.map(fd -> {
                try {
                    return fd.getFileName() + "->" + Files.readSymbolicLink(fd);
                } catch (IOException e) {
                    return fd.getFileName() + "->gone";     // the listing's own descriptor
                }
            }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
