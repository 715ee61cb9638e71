package org.echolab.models;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.echolab.bench.ProcStats;
import org.echolab.server.EchoServer;

/** What the process-model tests look at: /proc, and plain HTTP/1.1 over a real socket. */
final class ProcessTrees {

    private static final Pattern WORKER_PID = Pattern.compile("X-Echo-Worker: pid=(\\d+)");

    private ProcessTrees() {}

    /** One request on a new connection ({@code Connection: close}); the whole response as text. */
    static String get(InetSocketAddress server, String target) throws IOException {
        try (Socket s = new Socket(server.getAddress(), server.getPort())) {
            s.setSoTimeout(60_000);
            s.getOutputStream()
                    .write(("GET " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
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
        return ProcStats.childrenOf(parent);
    }

    /** This JVM's open descriptors. */
    static List<String> openFds() {
        return fdsOf(ProcessHandle.current().pid());
    }

    /** The targets of a process's descriptors, e.g. "socket:[1234]", "/dev/null". */
    static List<String> fdsOf(long pid) {
        return ProcStats.descriptorsOf(pid);
    }
}
