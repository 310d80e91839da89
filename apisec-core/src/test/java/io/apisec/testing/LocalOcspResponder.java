package io.apisec.testing;

import com.sun.net.httpserver.HttpServer;
import io.apisec.testing.TestPki.Issued;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.cert.ocsp.jcajce.JcaBasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.jcajce.JcaCertificateID;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * A real OCSP responder (RFC 6960 over HTTP POST) on 127.0.0.1 and a free port, answering from
 * a table of serial numbers (unlisted serials are unknown) with responses signed by BouncyCastle:
 * by the CA, a delegated responder, or — to test refusal — any key. Its time comes from the
 * test's clock. It can hold responses back (a slow responder) until released or closed, and
 * counts the requests it received. Thread-safe.
 */
public final class LocalOcspResponder implements AutoCloseable {
  /** What the responder says about a certificate. */
  public enum Answer { GOOD, REVOKED, UNKNOWN }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Clock clock;
  private final Map<BigInteger, Answer> answers = new ConcurrentHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile PrivateKey signingKey;
  private volatile X509Certificate signer;
  private volatile List<X509Certificate> included = List.of();
  private volatile Duration age = Duration.ZERO;
  private volatile Duration validity = Duration.ofHours(1);
  private volatile int httpStatus = 200;
  private volatile byte[] body;
  private volatile CountDownLatch hold = new CountDownLatch(0);

  private LocalOcspResponder(Issued ca, Clock clock) throws IOException {
    this.clock = clock;
    this.signingKey = ca.key();
    this.signer = ca.certificate();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", exchange -> {
      try (InputStream in = exchange.getRequestBody(); OutputStream out = exchange.getResponseBody()) {
        requests.incrementAndGet();
        byte[] body = in.readAllBytes();
        hold.await(30, TimeUnit.SECONDS);
        if (httpStatus != 200) {
          exchange.sendResponseHeaders(httpStatus, -1);
          return;
        }
        byte[] fixed = this.body;
        byte[] response = fixed != null ? fixed : answer(new OCSPReq(body));
        exchange.getResponseHeaders().set("Content-Type", "application/ocsp-response");
        exchange.sendResponseHeaders(200, response.length);
        out.write(response);
      } catch (Exception e) {
        exchange.sendResponseHeaders(500, -1);
      } finally {
        exchange.close();
      }
    });
    server.start();
  }

  /** A responder signing as {@code ca} until told otherwise, with the time of {@code clock}. */
  public static LocalOcspResponder start(Issued ca, Clock clock) {
    try {
      return new LocalOcspResponder(ca, clock);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The URL to name in certificates (authority information access) or configure. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/ocsp";
  }

  public LocalOcspResponder answer(X509Certificate certificate, Answer answer) {
    answers.put(certificate.getSerialNumber(), answer);
    return this;
  }

  /** Signs with {@code key} as {@code certificate}, including {@code certificate} in responses when asked. */
  public LocalOcspResponder signAs(X509Certificate certificate, PrivateKey key, boolean include) {
    this.signer = certificate;
    this.signingKey = key;
    this.included = include ? List.of(certificate) : List.of();
    return this;
  }

  /** thisUpdate is {@code age} before the clock's now, nextUpdate {@code validity} after it (none when null). */
  public LocalOcspResponder timing(Duration age, Duration validity) {
    this.age = age;
    this.validity = validity;
    return this;
  }

  /** Answers every request with this HTTP status (200 restores OCSP answers). */
  public LocalOcspResponder httpStatus(int status) {
    this.httpStatus = status;
    return this;
  }

  /** Answers every request with these bytes, whatever they are ({@code null} restores OCSP answers). */
  public LocalOcspResponder body(byte[] bytes) {
    this.body = bytes;
    return this;
  }

  /** Holds every response back until {@link #release()} or {@link #close()}. */
  public LocalOcspResponder hold() {
    this.hold = new CountDownLatch(1);
    return this;
  }

  public void release() {
    hold.countDown();
  }

  /** Requests received so far. */
  public int requests() {
    return requests.get();
  }

  /** A DER response about {@code certificate} as the responder would send it, for stapling. */
  public byte[] response(X509Certificate certificate, X509Certificate issuer) {
    try {
      DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().build();
      CertificateID id = new JcaCertificateID(digests.get(CertificateID.HASH_SHA1), issuer, certificate.getSerialNumber());
      return build(List.of(id));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private byte[] answer(OCSPReq request) throws Exception {
    List<CertificateID> ids = new ArrayList<>();
    for (Req req : request.getRequestList()) {
      ids.add(req.getCertID());
    }
    return build(ids);
  }

  private byte[] build(List<CertificateID> ids) throws Exception {
    DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().build();
    BasicOCSPRespBuilder builder = new JcaBasicOCSPRespBuilder(signer.getPublicKey(), digests.get(CertificateID.HASH_SHA1));
    Instant now = clock.instant();
    Instant thisUpdate = now.minus(age);
    Date nextUpdate = validity == null ? null : Date.from(now.plus(validity));
    for (CertificateID id : ids) {
      Answer answer = answers.getOrDefault(id.getSerialNumber(), Answer.UNKNOWN);
      CertificateStatus status = switch (answer) {
        case GOOD -> CertificateStatus.GOOD;
        case REVOKED -> new RevokedStatus(Date.from(now.minus(Duration.ofHours(2))), CRLReason.keyCompromise);
        case UNKNOWN -> new UnknownStatus();
      };
      builder.addResponse(id, status, Date.from(thisUpdate), nextUpdate, null);
    }
    X509CertificateHolder[] chain = included.isEmpty() ? null
        : new X509CertificateHolder[] {new JcaX509CertificateHolder(included.get(0))};
    String algorithm = signingKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    OCSPResp response = new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL,
        builder.build(new JcaContentSignerBuilder(algorithm).build(signingKey), chain, Date.from(now)));
    return response.getEncoded();
  }

  @Override
  public void close() {
    hold.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
