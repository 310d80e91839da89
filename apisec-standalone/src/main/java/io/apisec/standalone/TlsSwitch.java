package io.apisec.standalone;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The key and trust managers the TLS listener asks at every handshake, delegating to the current
 * {@link TlsMaterial}: a reload swaps the material and the next handshake uses it, while
 * connections already open keep theirs. (Vert.x's own SSL update briefly leaves new connections
 * without a context, so the swap happens here instead.) Thread-safe.
 */
final class TlsSwitch {
  private final AtomicReference<TlsMaterial> current;
  final X509ExtendedKeyManager keyManager = new KeyManager();
  final X509ExtendedTrustManager trustManager = new TrustManager();

  TlsSwitch(TlsMaterial first) {
    this.current = new AtomicReference<>(first);
  }

  void update(TlsMaterial next) {
    current.set(next);
  }

  private final class KeyManager extends X509ExtendedKeyManager {
    private X509ExtendedKeyManager delegate() {
      return current.get().keyManager();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return delegate().getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return delegate().chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return delegate().chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return delegate().getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return delegate().getPrivateKey(alias);
    }
  }

  private final class TrustManager extends X509ExtendedTrustManager {
    private X509ExtendedTrustManager delegate() {
      return current.get().trustManager();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      delegate().checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      delegate().checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      delegate().checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      throw new CertificateException("this listener trusts no servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      throw new CertificateException("this listener trusts no servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("this listener trusts no servers");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate().getAcceptedIssuers();
    }
  }
}
