package org.echolab.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a server costs the machine, read from Linux's /proc for a process and all its descendants
 * at one instant: CPU time, memory, threads, processes and open descriptors.
 *
 * <p>Why each source: {@code /proc/PID/stat} gives user+system CPU of every thread that ever ran
 * in the process (fields 14-15) and of its children already reaped (16-17), so a process model
 * whose children come and go still adds up; {@code smaps_rollup} gives PSS, which splits shared
 * pages (the JDK's CDS archive, shared libraries) between the processes that map them, so a tree
 * of JVMs is not counted as many times as it has members (RSS is kept for comparison);
 * {@code status} gives the thread count; {@code fd/} lists the open descriptors.
 *
 * <p>Stateless and thread-safe. A process that ends while it is being read is left out of that
 * sample (its CPU reaches its parent's "reaped children" fields once it is waited for).
 */
public final class ProcStats {

    /** Clock ticks per second of the {@code stat} CPU fields: USER_HZ is 100 on every Linux ABI Java runs on. */
    static final double TICKS_PER_SECOND = 100.0;

    private static final Path PROC = Path.of("/proc");

    private ProcStats() {}

    /**
     * One reading of a process tree. CPU in seconds; memory in bytes. {@code machineBusySeconds}
     * (all cores, from /proc/stat) and {@code selfCpuSeconds} (this JVM: the load generator) are
     * read at the same instant, so that what else ran on the machine can be told apart.
     */
    public record Sample(
            long nanoTime,
            double cpuSeconds,
            long pssBytes,
            long rssBytes,
            int threads,
            int processes,
            int descriptors,
            double machineBusySeconds,
            double selfCpuSeconds) {}

    /** True where /proc has what {@link #sample} reads (Linux 4.14 or newer). */
    public static boolean supported() {
        return Files.isReadable(PROC.resolve("self/smaps_rollup"));
    }

    /** Reads the tree rooted at {@code root} now; {@code withMemory=false} skips smaps_rollup, the costly part. */
    public static Sample sample(long root, boolean withMemory) {
        return sample(List.of(root), withMemory);
    }

    /** Reads the trees rooted at each of {@code roots} now, as one (e.g. the instances of a cluster). */
    public static Sample sample(List<Long> roots, boolean withMemory) {
        Set<Long> pids = new LinkedHashSet<>();
        for (long root : roots) {
            pids.add(root);
            ProcessHandle.of(root).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
        }
        long now = System.nanoTime();
        double cpu = 0;
        long pss = 0, rss = 0;
        int threads = 0, processes = 0, fds = 0;
        for (long pid : pids) {
            Path dir = PROC.resolve(Long.toString(pid));
            try {
                double c = cpuSeconds(read(dir.resolve("stat")));
                int t = threads(read(dir.resolve("status")));
                int f = countEntries(dir.resolve("fd"));
                long[] mem = withMemory ? memory(read(dir.resolve("smaps_rollup"))) : new long[2];
                cpu += c;
                threads += t;
                fds += f;
                pss += mem[0];
                rss += mem[1];
                processes++;
            } catch (IOException | RuntimeException gone) {
                // the process ended between listing and reading: not part of this instant
            }
        }
        return new Sample(now, cpu, pss, rss, threads, processes, fds, machineBusySeconds(), selfCpuSeconds());
    }

    /** CPU time every core spent busy since boot: the first line of /proc/stat, less idle and iowait. */
    static double machineBusySeconds() {
        try {
            String[] f = read(PROC.resolve("stat"))
                    .lines()
                    .findFirst()
                    .orElse("")
                    .trim()
                    .split("\\s+");
            long busy = 0;
            // cpu user nice system idle iowait irq softirq steal (guest time is already in user)
            for (int i = 1; i <= 8 && i < f.length; i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** This JVM's own CPU time. */
    static double selfCpuSeconds() {
        try {
            return cpuSeconds(read(PROC.resolve("self/stat")));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Reads a /proc file to its end. {@code Files.readString} trusts the file's size, which /proc
     * reports as 0 or 4096 whatever the content: on /proc/sys files it returned one byte.
     */
    static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** utime+stime+cutime+cstime; the fields after the command name, which may itself hold spaces and ')'. */
    static double cpuSeconds(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state), so field N is f[N - 3]
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        return ticks / TICKS_PER_SECOND;
    }

    static int threads(String status) {
        return (int) field(status, "Threads:");
    }

    /** {PSS, RSS} in bytes from smaps_rollup, whose figures are in kB. */
    static long[] memory(String smapsRollup) {
        return new long[] {field(smapsRollup, "Pss:") * 1024, field(smapsRollup, "Rss:") * 1024};
    }

    private static long field(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).strip().split("\\s+")[0]);
            }
        }
        throw new IllegalArgumentException("no " + name + " line");
    }

    private static int countEntries(Path dir) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path ignored : entries) {
                n++;
            }
        }
        return n;
    }

    /** The children of {@code parent} as /proc shows them: pid and state letter (R, S, Z for a zombie...). */
    public static Map<Long, Character> childrenOf(long parent) {
        try (Stream<Path> procs = Files.list(PROC)) {
            Map<Long, Character> children = new TreeMap<>();
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .forEach(p -> {
                        try {
                            String s = Files.readString(p.resolve("stat"));
                            // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so split after the last
                            // ')'
                            String[] rest = s.substring(s.lastIndexOf(')') + 2).split(" ");
                            if (Long.parseLong(rest[1]) == parent) {
                                children.put(Long.parseLong(p.getFileName().toString()), rest[0].charAt(0));
                            }
                        } catch (IOException | RuntimeException e) {
                            // the process ended while we looked
                        }
                    });
            return children;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The targets of a process's descriptors, e.g. "3->socket:[1234]", "0->/dev/null". */
    public static List<String> descriptorsOf(long pid) {
        try (Stream<Path> fds = Files.list(PROC.resolve(pid + "/fd"))) {
            return fds.map(fd -> {
                        try {
                            return fd.getFileName() + "->" + Files.readSymbolicLink(fd);
                        } catch (IOException e) {
                            return fd.getFileName() + "->gone"; // the listing's own descriptor
                        }
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
