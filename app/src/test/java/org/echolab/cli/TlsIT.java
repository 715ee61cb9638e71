package org.echolab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.echolab.testing.Tools;
import org.junit.jupiter.api.Test;

/** The packaged jar with {@code --tls} as users run it: curl, then {@code echolab load https://...}, then SIGTERM. */
class TlsIT {

    private static final Pattern STARTUP = Pattern.compile(
            "listening on 127\\.0\\.0\\.1:(\\d+) .* tls=self-signed cert=(\\S+) sha256=([0-9A-F:]{95}) https://127\\.0\\.0\\.1:\\1/");

    private static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-jar",
                System.getProperty("echolab.jar")));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The server's startup line, matched by {@code pattern} (else the test fails with its stderr). */
    private static Matcher startupLine(Process server, Path err, Pattern pattern) throws java.io.IOException {
        String startup =
                new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
        Matcher m = pattern.matcher(String.valueOf(startup));
        assertThat(m.find()).as(startup + "\n" + Files.readString(err)).isTrue();
        return m;
    }

    /** SIGTERM: the server exits 0 and deletes its self-signed key and certificate. */
    private static void stopsCleanly(Process server, Path err, Path cert) throws Exception {
        server.destroy();
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).as(Files.readString(err)).isZero();
        assertThat(cert)
                .as("the self-signed key and certificate are deleted at stop")
                .doesNotExist();
    }

    @Test
    void servesHttpsWithASelfSignedCertificateThatLoadAndCurlTrust() throws Exception {
        Path err = Tools.logFile("tls-");
        Process server = new ProcessBuilder(
                        java("serve", "--tls", "--port", "0", "--model", "eventloop", "--monitor-port", "-1"))
                .redirectError(err.toFile())
                .start();
        try {
            Matcher m = startupLine(server, err, STARTUP);
            String port = m.group(1);
            Path cert = Path.of(m.group(2));

            Tools.Result curl = Tools.run(
                    "curl",
                    "-sS",
                    "--max-time",
                    "10",
                    "--cacert",
                    cert.toString(),
                    "https://127.0.0.1:" + port + "/echo?msg=hi");
            assertThat(curl.stdout()).as(curl.stderr()).isEqualTo("hi");
            Tools.Result load =
                    Tools.run(java("load", "https://127.0.0.1:" + port + "/echo", "-k", "-c", "4", "-n", "200", "-q")
                            .toArray(new String[0]));
            assertThat(load.status()).as(load.stdout() + load.stderr()).isZero();
            assertThat(load.stdout()).contains("requests   200 ok", "errors     0\n");

            stopsCleanly(server, err, cert);
        } finally {
            server.destroyForcibly();
        }
    }

    private static final Pattern BOTH = Pattern.compile(
            "listening on 127\\.0\\.0\\.1:(\\d+) and 127\\.0\\.0\\.1:(\\d+)"
                    + " \\(TLS\\) .* tls=self-signed cert=(\\S+) sha256=\\S+ http://127\\.0\\.0\\.1:\\1/ https://127\\.0\\.0\\.1:\\2/");

    @Test
    void servesHttpOnThePortAndHttpsOnTheTlsPortAtOnce() throws Exception {
        Path err = Tools.logFile("tls-port-");
        Process server = new ProcessBuilder(java("serve", "--port", "0", "--tls-port", "0", "--monitor-port", "-1"))
                .redirectError(err.toFile())
                .start();
        try {
            Matcher m = startupLine(server, err, BOTH);
            Path cert = Path.of(m.group(3));

            Tools.Result http =
                    Tools.run("curl", "-sS", "--max-time", "10", "http://127.0.0.1:" + m.group(1) + "/echo?msg=plain");
            assertThat(http.stdout()).as(http.stderr()).isEqualTo("plain");
            Tools.Result https = Tools.run(
                    "curl",
                    "-sS",
                    "--max-time",
                    "10",
                    "--cacert",
                    cert.toString(),
                    "https://127.0.0.1:" + m.group(2) + "/echo?msg=secure");
            assertThat(https.stdout()).as(https.stderr()).isEqualTo("secure");

            stopsCleanly(server, err, cert); // one drain for both ports
        } finally {
            server.destroyForcibly();
        }
    }
}
