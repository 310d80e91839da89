package io.apisec;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What the TLS layer established for a connection: protocol, cipher suite and the peer's
 * certificate chain as the transport verified it (leaf first, empty when the client sent none).
 *
 * @param protocol the negotiated protocol, such as {@code TLSv1.3}
 * @param cipherSuite the negotiated cipher suite
 * @param peerChain the client's certificate chain, leaf first; empty without a client certificate
 */
public record TlsInfo(String protocol, String cipherSuite, List<X509Certificate> peerChain) {
  public TlsInfo {
    peerChain = peerChain == null ? List.of() : List.copyOf(peerChain);
  }

  /** Returns whether the client presented a certificate. */
  public boolean hasPeerCertificate() {
    return !peerChain.isEmpty();
  }
}
