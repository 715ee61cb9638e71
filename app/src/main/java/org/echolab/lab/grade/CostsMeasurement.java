package org.echolab.lab.grade;

import static org.echolab.lab.grade.CostsRun.CLIENTS;
import static org.echolab.lab.grade.CostsRun.FIRST_BYTE_TRIES;
import static org.echolab.lab.grade.CostsRun.POOL_THREADS;
import static org.echolab.lab.grade.CostsRun.WAIT;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.echolab.bench.BenchPlan;
import org.echolab.bench.BenchRunner;
import org.echolab.bench.CellResult;
import org.echolab.bench.Machine;
import org.echolab.bench.ProgressBar;
import org.echolab.bench.ServerProcess;
import org.echolab.bench.Workload;
import org.echolab.lab.grade.CostsRun.Design;
import org.echolab.lab.grade.CostsRun.Measured;
import org.echolab.load.Fairness;

/**
 * Grade item 4's measurement: the designs under the stated scenarios ({@link CostsRun#scenarios}),
 * throughput and memory by the project's benchmark (a fresh server process per design, its whole
 * process tree read from /proc), and the time to the first byte of a new connection to a fresh
 * idle server.
 *
 * <p><b>Threads:</b> one caller; the benchmark runs its own client threads.
 */
final class CostsMeasurement {

    private CostsMeasurement() {}

    static List<Measured> measure(List<Design> designs, Path out, PrintStream progress) throws IOException {
        Path jar = ServerProcess.ownJar();
        List<String> serverArgs = List.of("--threads=" + POOL_THREADS, "--queue=" + CLIENTS);
        BenchPlan plan = new BenchPlan(
                "lab",
                designs.stream().map(Design::model).toList(),
                List.of(CLIENTS),
                List.of(new Workload("sleep", WAIT)),
                Duration.ofSeconds(1),
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                0,
                0,
                List.of(),
                0,
                Duration.ofMillis(100),
                serverArgs,
                false);
        List<CellResult> cells = new BenchRunner(
                        plan,
                        jar,
                        out.resolve("logs"),
                        Machine.current(),
                        new ProgressBar(progress, false, plan.cells()))
                .matrix();
        List<Measured> measured = new ArrayList<>();
        for (int i = 0; i < designs.size(); i++) {
            Design d = designs.get(i);
            CellResult c = cells.get(i);
            progress.println("  first byte: " + d.model());
            FirstByte fb =
                    firstByte(jar, d.model(), serverArgs, out.resolve("logs").resolve(d.model() + "-first-byte.log"));
            String problem = !c.ran()
                    ? c.status() + ": " + c.reason()
                    : c.errors() > 0
                            ? c.errors() + " errors (" + c.errorsByKind() + "): not a measurement"
                            : fb.problem;
            double throughput = c.requestsPerSecond();
            Fairness f = c.fairness();
            if (f != null && f.anyStarved() && f.connections() - f.starved() == 1) {
                // one connection served, the others starved (sequential): the load generator's time runs on
                // while it drains the starved ones at the end; the served one's answers over the period are the rate
                throughput = f.max() / (double) plan.duration().toSeconds();
            }
            measured.add(new Measured(
                    d,
                    throughput,
                    fb.fastestMs,
                    c.memoryPerConnectionBytes() / 1048576.0,
                    c.p50Millis(),
                    c.cpuMicrosPerRequest(),
                    c.errors(),
                    problem));
        }
        return measured;
    }

    private record FirstByte(double fastestMs, String problem) {}

    /**
     * A fresh server; one connection to warm it, then {@value CostsRun#FIRST_BYTE_TRIES} timed from
     * connect to first byte, and the fastest of them: whatever else the machine does only adds time.
     */
    private static FirstByte firstByte(Path jar, String model, List<String> args, Path log) {
        try (ServerProcess server = ServerProcess.start(jar, model, args, log)) {
            timeToFirstByte(server.port());
            double[] ms = new double[FIRST_BYTE_TRIES];
            for (int i = 0; i < ms.length; i++) {
                ms[i] = timeToFirstByte(server.port());
            }
            Arrays.sort(ms);
            return new FirstByte(ms[0], null);
        } catch (IOException e) {
            return new FirstByte(0, "first byte: " + e.getMessage());
        }
    }

    private static double timeToFirstByte(int port) throws IOException {
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream()
                    .write("GET /echo?msg=first HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            if (in.read() < 0) {
                throw new IOException("the server closed the connection without an answer");
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return ms;
        }
    }
}
