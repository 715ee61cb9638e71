package org.echolab.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads certificates and a private key from PEM files, in every form openssl writes a key:
 * PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) and SEC1
 * ({@code BEGIN EC PRIVATE KEY}). BouncyCastle's PEM parser does the reading: the JDK reads none
 * of these without hand-written Base64 and DER code, and its own PEM API is still a preview.
 * Failures say which file and what to do, in the CLI's words.
 */
final class PemFiles {

    private PemFiles() {}

    /** The certificates in {@code file} (the server's own first, then the chain), given with {@code option}. */
    static List<X509Certificate> certificates(String option, Path file) {
        List<X509Certificate> certs = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser pem = parser(file)) {
            for (Object o; (o = pem.readObject()) != null; ) {
                if (o instanceof X509CertificateHolder holder) {
                    certs.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException(
                    option + " " + file + ": cannot be read as PEM certificates (" + e + ")", e);
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException(option + " " + file + ": no 'BEGIN CERTIFICATE' block in it");
        }
        return certs;
    }

    /** The first private key in {@code file}; an encrypted key is refused (decrypt it with {@code openssl pkey}). */
    static PrivateKey privateKey(Path file) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser pem = parser(file)) {
            for (Object o; (o = pem.readObject()) != null; ) {
                switch (o) {
                    case PrivateKeyInfo pkcs8 -> {
                        return converter.getPrivateKey(pkcs8);
                    }
                    case PEMKeyPair pair -> {
                        return converter.getKeyPair(pair).getPrivate();
                    }
                    case PEMEncryptedKeyPair e -> throw encrypted(file);
                    case PKCS8EncryptedPrivateKeyInfo e -> throw encrypted(file);
                    default -> {} // parameters (BEGIN EC PARAMETERS), certificates: not the key
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "--tls-key " + file + ": cannot be read as a PEM private key (" + e + ")", e);
        }
        throw new IllegalArgumentException("--tls-key " + file + ": no private key in it");
    }

    private static IllegalArgumentException encrypted(Path file) {
        return new IllegalArgumentException("--tls-key " + file + ": the key is encrypted; give a decrypted copy"
                + " (openssl pkey -in " + file + " -out key.pem), readable only by you");
    }

    private static PEMParser parser(Path file) throws IOException {
        Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        return new PEMParser(reader);
    }
}
