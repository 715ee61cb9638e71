package org.echolab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reads real process trees from /proc: a shell with two children, and a busy loop. */
class ProcStatsTest {

    private Process started;

    @AfterEach
    void stop() {
        if (started != null) {
            List<ProcessHandle> tree = started.descendants().toList();
            tree.forEach(ProcessHandle::destroyForcibly);
            started.destroyForcibly();
        }
    }

    @Test
    void countsEveryProcessOfTheTreeWithItsThreadsMemoryAndDescriptors() throws IOException {
        started = new ProcessBuilder("bash", "-c", "sleep 60 & sleep 60 & wait").start();

        await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcStats.sample(started.pid(), true).processes() == 3);
        ProcStats.Sample s = ProcStats.sample(started.pid(), true);

        assertThat(s.processes()).isEqualTo(3);
        assertThat(s.threads()).isGreaterThanOrEqualTo(3); // one each at least
        assertThat(s.descriptors()).isGreaterThanOrEqualTo(3 * 3); // stdin, stdout, stderr each
        assertThat(s.pssBytes()).isPositive();
        assertThat(s.rssBytes()).isGreaterThanOrEqualTo(s.pssBytes()); // shared pages count whole in RSS
    }

    @Test
    void readsTheMachinesBusyTimeAndItsOwnCpuAlongside() throws IOException {
        started = new ProcessBuilder("bash", "-c", "while :; do :; done").start();
        ProcStats.Sample before = ProcStats.sample(started.pid(), false);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> ProcStats.sample(started.pid(), false).cpuSeconds() >= 0.2);
        ProcStats.Sample after = ProcStats.sample(started.pid(), false);

        // the whole machine was busy at least as long as the busy child
        assertThat(after.machineBusySeconds() - before.machineBusySeconds())
                .isGreaterThanOrEqualTo(after.cpuSeconds() - before.cpuSeconds() - 0.05);
        assertThat(after.selfCpuSeconds()).isPositive();
    }

    @Test
    void withoutMemoryItSkipsSmapsButCountsTheRest() throws IOException {
        started = new ProcessBuilder("sleep", "60").start();

        ProcStats.Sample s = ProcStats.sample(started.pid(), false);

        assertThat(s.processes()).isEqualTo(1);
        assertThat(s.pssBytes()).isZero();
        assertThat(s.rssBytes()).isZero();
    }

    @Test
    void addsUpTheCpuTimeOfABusyChild() throws IOException {
        started = new ProcessBuilder("bash", "-c", "while :; do :; done").start();

        await().atMost(Duration.ofSeconds(30))
                .until(() -> ProcStats.sample(started.pid(), false).cpuSeconds() >= 0.2);
    }

    @Test
    void aProcessThatIsGoneGivesAnEmptySample() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();

        ProcStats.Sample s = ProcStats.sample(p.pid(), true);

        assertThat(s.processes()).isZero();
        assertThat(s.cpuSeconds()).isZero();
    }

    @Test
    void parsesStatWhoseCommandNameHoldsSpacesAndParentheses() {
        // fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime
        // cstime ...
        String stat = "4242 (a b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 50 30 20 20 0 1 0 123 456 789\n";

        assertThat(ProcStats.cpuSeconds(stat)).isEqualTo(2.5); // (150+50+30+20) ticks / 100
    }

    @Test
    void parsesMemoryInKilobytesAndThreads() {
        String rollup = "55a0-7ffd ---p 00000000 00:00 0 [rollup]\nRss:  2048 kB\nPss:   1024 kB\nPss_Anon: 10 kB\n";

        assertThat(ProcStats.memory(rollup)).containsExactly(1024L * 1024, 2048L * 1024);
        assertThat(ProcStats.threads("Name:\tjava\nThreads:\t27\n")).isEqualTo(27);
    }
}
