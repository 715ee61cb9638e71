package org.echolab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.echolab.models.ProcessTrees.childrenOf;
import static org.echolab.models.ProcessTrees.get;
import static org.echolab.models.ProcessTrees.workerPid;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.echolab.config.ServerConfig;
import org.echolab.os.Libc;
import org.echolab.server.EchoServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * UNP's locks around accept, seen in /proc: with a lock, exactly one worker (process or thread) is
 * blocked in {@code accept} and the others wait for the lock; without one, every idle prefork
 * worker is in {@code accept}. And a lock held by a process that dies (kill -9) passes to another worker: the
 * server keeps accepting. What each thread is blocked in comes from /proc/PID/task/TID/syscall
 * (its first field is the system call number; the numbers are x86_64's).
 */
class AcceptSerialisationTest {

    private static final long SELF = ProcessHandle.current().pid();
    private static final int WORKERS = 3;
    private static final List<String> ACCEPT = List.of("43", "288"); // accept, accept4

    @BeforeAll
    static void onX86() {
        assumeTrue(System.getProperty("os.arch").equals("amd64"), "system call numbers are x86_64's");
    }

    private static EchoServer start(String model) throws IOException {
        return EchoServer.start(ServerConfig.builder()
                .model(model)
                .port(0)
                .workers(WORKERS)
                .workerModel("sequential")
                .threads(WORKERS)
                .build());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"prefork", "prefork-flock", "prefork-mutex"})
    @Timeout(120)
    void preforkWorkersWaitInAcceptOrForTheLock(String model) throws Exception {
        int expected = Models.byName(model).traits().unpRow() == 2 ? WORKERS : 1;
        try (EchoServer server = start(model)) {
            // every worker started: each has its accept thread, blocked in accept or in the lock (the
            // lock's holder may still be on its way from the lock into accept: wait for it to get there)
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> acceptThreads(childrenOf(SELF).keySet()).size() == WORKERS
                            && blocked(childrenOf(SELF).keySet())
                            && inAccept(childrenOf(SELF).keySet()).size() == expected);
            // and so it stays: never more than the lock lets in
            await().during(Duration.ofMillis(200))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> inAccept(childrenOf(SELF).keySet()).size() == expected);
            assertThat(get(server.address(), "/echo?msg=x"))
                    .startsWith("HTTP/1.1 200")
                    .endsWith("x");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"prefork-flock", "prefork-mutex"})
    @Timeout(120)
    void theLockOutlivesAHolderKilledWithSignal9(String model) throws Exception {
        try (EchoServer server = start(model)) {
            // every worker blocked, and the lock's holder in accept (it may still be on its way there)
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> acceptThreads(childrenOf(SELF).keySet()).size() == WORKERS
                            && blocked(childrenOf(SELF).keySet())
                            && inAccept(childrenOf(SELF).keySet()).size() == 1);
            List<Long> holder = inAccept(childrenOf(SELF).keySet());
            assertThat(holder).hasSize(1);
            long killed = holder.get(0);
            // the holder dies holding the lock, blocked in accept
            assertThat(Libc.kill((int) killed, Libc.SIGKILL)).isTrue();
            // another worker takes the lock and accepts; no replacement is needed for that
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                List<Long> now = inAccept(childrenOf(SELF).keySet());
                return now.size() == 1 && !now.contains(killed);
            });
            String answer = get(server.address(), "/echo?msg=after");
            assertThat(answer).startsWith("HTTP/1.1 200").endsWith("after");
            assertThat(workerPid(answer)).isNotEqualTo(killed);
        }
    }

    /**
     * Threads of one JVM never wait in accept side by side, mutex or not: the JDK's socket takes a
     * lock of its own around accept (NioSocketImpl's read lock), so {@code prethread} is UNP's row 7
     * too; {@code prethread-mutex} only writes the lock out.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"prethread", "prethread-mutex"})
    @Timeout(60)
    void prethreadedThreadsWaitInAcceptOneAtATime(String model) throws Exception {
        int expected = 1;
        try (EchoServer server = start(model)) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> threadsNamed(SELF, "prethread-").size() == WORKERS);
            // each thread is parked in accept, or in the mutex (futex) once it has tried
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> count(threadsNamed(SELF, "prethread-"), ACCEPT) == expected);
            // and it stays so: sampled over a while, never two side by side
            await().during(Duration.ofMillis(200))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> count(threadsNamed(SELF, "prethread-"), ACCEPT) == expected);
            assertThat(get(server.address(), "/echo?msg=x"))
                    .startsWith("HTTP/1.1 200")
                    .endsWith("x");
        }
    }

    // ---- /proc -------------------------------------------------------------------------------

    /** Each worker's accept thread ({@code echolab-accept}). */
    private static List<Path> acceptThreads(Iterable<Long> workers) {
        List<Path> all = new ArrayList<>();
        for (long pid : workers) {
            all.addAll(threadsNamed(pid, "echolab-accept"));
        }
        return all;
    }

    /** Whether every accept thread is blocked in a system call (accept or the lock's), none running. */
    private static boolean blocked(Iterable<Long> workers) {
        List<Path> threads = acceptThreads(workers);
        return !threads.isEmpty()
                && threads.stream().allMatch(t -> {
                    String call = syscall(t);
                    return !call.isEmpty() && !call.equals("running") && Character.isDigit(call.charAt(0));
                });
    }

    /** The workers whose accept thread is blocked in accept. */
    private static List<Long> inAccept(Iterable<Long> workers) {
        List<Long> pids = new ArrayList<>();
        for (long pid : workers) {
            if (count(threadsNamed(pid, "echolab-accept"), ACCEPT) > 0) {
                pids.add(pid);
            }
        }
        return pids;
    }

    private static long count(List<Path> threads, List<String> calls) {
        return threads.stream().filter(t -> calls.contains(syscall(t))).count();
    }

    /** /proc/PID/task/TID of the threads whose name starts with {@code prefix}. */
    private static List<Path> threadsNamed(long pid, String prefix) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return tasks.filter(t -> read(t.resolve("comm")).startsWith(prefix)).toList();
        } catch (IOException gone) {
            return List.of();
        }
    }

    /** The number of the system call the thread is blocked in ("running" if it runs). */
    private static String syscall(Path task) {
        return read(task.resolve("syscall")).split(" ")[0];
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException gone) {
            return "";
        }
    }
}
