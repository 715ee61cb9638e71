package org.echolab.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.echolab.server.EchoServer;
import org.echolab.testing.Servers;
import org.echolab.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The server's key and certificate: PEM files that openssl makes, in each form it writes a key,
 * served to curl; and the self-signed certificate made when none is given, kept private and
 * deleted at stop.
 */
class TlsFilesTest {

    private static final String SAN = "subjectAltName=DNS:localhost,IP:127.0.0.1";

    @ParameterizedTest(name = "{0} key, {1}")
    @CsvSource({"rsa-pkcs8, eventloop", "rsa-pkcs1, thread", "ec-sec1, eventloop", "ec-pkcs8, virtual"})
    void pemFilesFromOpensslAreServed(String form, String model, @TempDir Path dir) throws Exception {
        Path key = dir.resolve("key.pem");
        Path cert = dir.resolve("cert.pem");
        switch (form) {
            case "rsa-pkcs8" ->
                openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key);
            case "rsa-pkcs1" -> openssl("genrsa", "-traditional", "-out", key, "2048");
            case "ec-sec1" ->
                openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", key); // with BEGIN EC PARAMETERS first
            case "ec-pkcs8" ->
                openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key);
            default -> throw new IllegalArgumentException(form);
        }
        openssl(
                "req",
                "-new",
                "-x509",
                "-key",
                key,
                "-out",
                cert,
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-addext",
                SAN);
        assertThat(Files.readString(key))
                .contains(
                        switch (form) {
                            case "rsa-pkcs1" -> "BEGIN RSA PRIVATE KEY";
                            case "ec-sec1" -> "BEGIN EC PRIVATE KEY";
                            default -> "BEGIN PRIVATE KEY";
                        });

        try (EchoServer s = Servers.start(
                Servers.config(model).tls(true).tlsCert(cert.toString()).tlsKey(key.toString()))) {
            Tools.Result r = Tools.run(
                    "curl",
                    "-sS",
                    "--max-time",
                    "20",
                    "--cacert",
                    cert.toString(),
                    "https://localhost:" + s.port() + "/echo?msg=" + form);
            assertThat(r.stdout()).as(r.stderr()).isEqualTo(form);
            assertThat(s.startupLine()).contains("tls=given cert=" + cert, "sha256=" + fingerprint(cert));
        }
        assertThat(cert).as("the user's files are left alone").exists();
    }

    @Test
    void anEncryptedKeyIsRefusedSayingWhatToDo(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("key.pem");
        Path cert = dir.resolve("cert.pem");
        openssl(
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-passout",
                "pass:secret",
                "-keyout",
                key,
                "-out",
                cert,
                "-days",
                "2",
                "-subj",
                "/CN=localhost");
        assertThatThrownBy(() -> EchoServer.start(Servers.config("thread")
                        .tls(true)
                        .tlsCert(cert.toString())
                        .tlsKey(key.toString())
                        .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--tls-key " + key + ": the key is encrypted")
                .hasMessageContaining("openssl pkey");
    }

    @Test
    void aCertificateFileWithoutACertificateIsRefused(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("key.pem");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key);
        assertThatThrownBy(() -> EchoServer.start(Servers.config("thread")
                        .tls(true)
                        .tlsCert(key.toString())
                        .tlsKey(key.toString())
                        .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--tls-cert " + key + ": no 'BEGIN CERTIFICATE' block");
    }

    @Test
    void theSelfSignedKeyIsPrivateAndDeletedAtStop() throws Exception {
        Path key;
        Path cert;
        try (EchoServer s = Servers.start(Servers.config("thread").tls(true))) {
            key = Path.of(s.config().tlsKey);
            cert = Path.of(s.config().tlsCert);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                    .isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key.getParent())))
                    .isEqualTo("rwx------");
            assertThat(s.startupLine()).contains("tls=self-signed cert=" + cert + " sha256=" + fingerprint(cert));
            Tools.Result text =
                    Tools.run("openssl", "x509", "-in", cert.toString(), "-noout", "-ext", "subjectAltName");
            assertThat(text.stdout()).contains("DNS:localhost", "IP Address:127.0.0.1");
        }
        assertThat(key).doesNotExist();
        assertThat(cert).doesNotExist();
        assertThat(key.getParent()).doesNotExist();
    }

    @Test
    void filesWithoutTlsOrOneWithoutTheOtherAreRefused() {
        assertThatThrownBy(() -> Servers.config("thread")
                        .tlsCert("c.pem")
                        .tlsKey("k.pem")
                        .build())
                .hasMessageContaining("need --tls");
        assertThatThrownBy(() ->
                        Servers.config("thread").tls(true).tlsCert("c.pem").build())
                .hasMessageContaining("--tls-cert and --tls-key go together");
    }

    private static void openssl(Object... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "openssl";
        for (int i = 0; i < args.length; i++) {
            cmd[i + 1] = args[i].toString();
        }
        Tools.Result r = Tools.run(cmd);
        assertThat(r.status()).as(String.join(" ", cmd) + ": " + r.stderr()).isZero();
    }

    private static String fingerprint(Path cert) throws Exception {
        Tools.Result r = Tools.run("openssl", "x509", "-in", cert.toString(), "-noout", "-fingerprint", "-sha256");
        return r.stdout().trim().replaceFirst("^(?i)sha256 Fingerprint=", "");
    }
}
