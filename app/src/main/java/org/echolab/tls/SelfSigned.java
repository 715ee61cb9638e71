package org.echolab.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificate {@code --tls} uses when given none: made at start, for {@code localhost},
 * {@code 127.0.0.1} and {@code ::1}, valid for 30 days, with an EC P-256 key. It is written as two
 * PEM files in a directory of its own that only this user may read (0700, files 0600), because
 * the process models' children read the same files to serve with the same key; {@link #close}
 * deletes them when the server stops.
 *
 * <p>Why BouncyCastle: the JDK can sign but has no public API to build an X.509 certificate, and
 * running {@code keytool} as a child process would cost a JVM start and still leave the key in a
 * keystore the PEM-reading path does not share. BouncyCastle builds it in a few lines, in process.
 */
public final class SelfSigned implements AutoCloseable {

    private static final Duration VALID = Duration.ofDays(30);

    private final Path dir;
    private final Path cert;
    private final Path key;

    private SelfSigned(Path dir) {
        this.dir = dir;
        this.cert = dir.resolve("cert.pem");
        this.key = dir.resolve("key.pem");
    }

    /** Makes a new key and certificate and writes them to a new private temporary directory. */
    public static SelfSigned create() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = g.generateKeyPair();
            SelfSigned s = new SelfSigned(Files.createTempDirectory(
                    "echolab-tls-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
            s.write(s.cert, certificate(pair));
            s.write(s.key, new JcaPKCS8Generator(pair.getPrivate(), null).generate());
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the self-signed certificate: " + e.getMessage(), e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a self-signed certificate: " + e, e);
        }
    }

    private static X509CertificateHolder certificate(KeyPair pair) throws IOException, OperatorCreationException {
        X500Name name = new X500Name("CN=localhost,O=EchoLab self-signed");
        Instant now = Instant.now();
        GeneralNames sans = new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.iPAddress, "::1")
        });
        return new JcaX509v3CertificateBuilder(
                        name,
                        new BigInteger(64, new SecureRandom()),
                        Date.from(now.minus(Duration.ofHours(1))),
                        Date.from(now.plus(VALID)),
                        name,
                        pair.getPublic())
                // as 'openssl req -x509' makes one: its own CA, so that a client can trust it with --cacert
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                .addExtension(Extension.subjectAlternativeName, false, sans)
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
    }

    private void write(Path file, Object pemObject) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(pemObject);
        }
    }

    public Path cert() {
        return cert;
    }

    public Path key() {
        return key;
    }

    /** Deletes the key and the certificate. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(key);
            Files.deleteIfExists(cert);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            System.getLogger(SelfSigned.class.getName())
                    .log(System.Logger.Level.WARNING, "could not delete " + dir + ": " + e);
        }
    }
}
