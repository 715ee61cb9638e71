package org.echolab.bench;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The limits of this machine that decide how far a benchmark may go, read from /proc when the
 * run starts: cores, open-descriptor limit ({@code ulimit -n}), task ids (every thread and process
 * takes one from {@code pid_max}) and available memory.
 */
public record Machine(int cores, long fdLimit, long pidMax, long tasksInUse, long memAvailableBytes, String kernel) {

    public static Machine current() {
        return new Machine(
                Runtime.getRuntime().availableProcessors(),
                limit("Max open files", 1024),
                number(read("/proc/sys/kernel/pid_max").strip(), 32768),
                countTasks(),
                meminfo("MemAvailable:") * 1024,
                read("/proc/sys/kernel/osrelease").strip());
    }

    /** Task ids still free, leaving the rest of the machine its share. */
    public long freeTasks() {
        return pidMax - tasksInUse;
    }

    private static long limit(String name, long fallback) {
        for (String line : read("/proc/self/limits").split("\n")) {
            if (line.startsWith(name)) {
                return number(line.substring(name.length()).strip().split("\\s+")[0], fallback);
            }
        }
        return fallback;
    }

    /** The 4th field of /proc/loadavg is "running/total" tasks. */
    private static long countTasks() {
        String[] f = read("/proc/loadavg").split("\\s+");
        return f.length > 3 && f[3].contains("/") ? number(f[3].substring(f[3].indexOf('/') + 1), 0) : 0;
    }

    private static long meminfo(String name) {
        for (String line : read("/proc/meminfo").split("\n")) {
            if (line.startsWith(name)) {
                return number(line.substring(name.length()).strip().split("\\s+")[0], 0);
            }
        }
        return 0;
    }

    private static long number(String s, long fallback) {
        try {
            return s.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String read(String path) {
        try {
            return ProcStats.read(Path.of(path));
        } catch (IOException e) {
            return "";
        }
    }
}
