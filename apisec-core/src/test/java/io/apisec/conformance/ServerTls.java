package io.apisec.conformance;

import io.apisec.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS material an adapter's server under test uses: its certificate for 127.0.0.1 and
 * localhost, and the CA whose client certificates it requests (client auth "want").
 *
 * @param server the server certificate and key
 * @param clientCa the CA that issues client certificates
 */
public record ServerTls(TestPki.Issued server, X509Certificate clientCa) {
  /** The password of every key store here. */
  public String password() {
    return TestPki.password();
  }

  public KeyManagerFactory keyManagers() {
    try {
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(server.keyStore(), password().toCharArray());
      return kmf;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public TrustManagerFactory trustManagers() {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(TestPki.trustStore(clientCa));
      return tmf;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The server key and chain as PKCS#12 bytes. */
  public byte[] keyStorePkcs12() {
    return bytes(server.keyStore());
  }

  /** The client CA as a PKCS#12 trust store. */
  public byte[] trustStorePkcs12() {
    return bytes(TestPki.trustStore(clientCa));
  }

  private byte[] bytes(KeyStore store) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      store.store(out, password().toCharArray());
      return out.toByteArray();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
