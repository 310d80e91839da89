package io.apisec.mtls;

import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The OCSP (RFC 6960) messages of the revocation check: a request for one certificate (a SHA-1
 * CertID, as every responder must support, without a nonce so that answers can be cached and
 * pre-produced responses served), the fields of a response needed to classify and cache it, and
 * the responder URL a certificate names. Reading never trusts what it reads: signatures,
 * responder authorisation and freshness are the JDK validator's to check. Stateless; thread-safe.
 */
final class OcspMessages {
  static final String SHA1 = "1.3.14.3.2.26";
  private static final byte[] SHA1_ALGORITHM = Der.encode(Der.SEQUENCE,
      new byte[] {0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a}, new byte[] {0x05, 0x00});
  private static final String BASIC = "1.3.6.1.5.5.7.48.1.1";
  private static final String AIA = "1.3.6.1.5.5.7.1.1";
  private static final String AD_OCSP = "1.3.6.1.5.5.7.48.1";

  /** The identity of one certificate in OCSP: hashes of its issuer's name and key, and its serial. */
  record CertId(byte[] issuerNameHash, byte[] issuerKeyHash, BigInteger serial) {
    static CertId of(X509Certificate certificate, X509Certificate issuer) {
      try {
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        byte[] nameHash = sha1.digest(issuer.getSubjectX500Principal().getEncoded());
        Der.Element keyBits = Der.parse(issuer.getPublicKey().getEncoded()).child(1);
        // the hash covers the key bits without the BIT STRING's unused-bits byte
        byte[] keyHash = sha1.digest(Arrays.copyOfRange(keyBits.value(), 1, keyBits.value().length));
        return new CertId(nameHash, keyHash, certificate.getSerialNumber());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("SHA-1 is not available", e);
      }
    }

    byte[] encoded() {
      return Der.encode(Der.SEQUENCE, SHA1_ALGORITHM, Der.encode(Der.OCTET_STRING, issuerNameHash),
          Der.encode(Der.OCTET_STRING, issuerKeyHash), Der.encode(Der.INTEGER, serial.toByteArray()));
    }

    boolean matches(String hashOid, byte[] nameHash, byte[] keyHash, BigInteger otherSerial) {
      return SHA1.equals(hashOid) && MessageDigest.isEqual(issuerNameHash, nameHash)
          && MessageDigest.isEqual(issuerKeyHash, keyHash) && serial.equals(otherSerial);
    }

    /** A cache key: issuer and serial. */
    String key() {
      return java.util.HexFormat.of().formatHex(issuerKeyHash) + ':' + java.util.HexFormat.of().formatHex(issuerNameHash)
          + ':' + serial.toString(16);
    }
  }

  enum CertStatus { GOOD, REVOKED, UNKNOWN }

  /** The answer about one certificate, as the response states it (not yet verified). */
  record SingleResponse(CertStatus status, Instant thisUpdate, Instant nextUpdate, Instant revocationTime) {}

  /**
   * What a response says: its status (0 successful, 1 malformedRequest, 2 internalError,
   * 3 tryLater, 5 sigRequired, 6 unauthorized) and, when successful, the answer about the
   * certificate asked for ({@code null} when it holds none).
   */
  record Response(int status, SingleResponse single) {
    String statusName() {
      return switch (status) {
        case 0 -> "successful";
        case 1 -> "malformedRequest";
        case 2 -> "internalError";
        case 3 -> "tryLater";
        case 5 -> "sigRequired";
        case 6 -> "unauthorized";
        default -> "status " + status;
      };
    }
  }

  private OcspMessages() {}

  /** A DER OCSPRequest for one certificate, unsigned and without extensions. */
  static byte[] request(CertId id) {
    byte[] request = Der.encode(Der.SEQUENCE, id.encoded());
    byte[] requestList = Der.encode(Der.SEQUENCE, request);
    byte[] tbsRequest = Der.encode(Der.SEQUENCE, requestList);
    return Der.encode(Der.SEQUENCE, tbsRequest);
  }

  /** Reads a DER OCSPResponse; throws IllegalArgumentException when it is malformed. */
  static Response response(byte[] der, CertId id) {
    List<Der.Element> top = Der.parse(der).expect(Der.SEQUENCE).children();
    Der.Element status = top.get(0).expect(Der.ENUMERATED);
    if (status.value().length != 1) {
      throw new IllegalArgumentException("bad responseStatus");
    }
    int code = status.value()[0];
    if (code != 0) {
      return new Response(code, null);
    }
    if (top.size() < 2 || top.get(1).tag() != 0xa0) {
      throw new IllegalArgumentException("a successful response without responseBytes");
    }
    Der.Element responseBytes = top.get(1).child(0).expect(Der.SEQUENCE);
    if (!BASIC.equals(responseBytes.child(0).oid())) {
      throw new IllegalArgumentException("not a basic OCSP response");
    }
    Der.Element basic = Der.parse(responseBytes.child(1).expect(Der.OCTET_STRING).value()).expect(Der.SEQUENCE);
    List<Der.Element> data = basic.child(0).expect(Der.SEQUENCE).children();
    int at = data.get(0).tag() == 0xa0 ? 1 : 0;
    // responderID, producedAt, then the responses
    Der.Element responses = data.get(at + 2).expect(Der.SEQUENCE);
    for (Der.Element single : responses.children()) {
      List<Der.Element> fields = single.expect(Der.SEQUENCE).children();
      List<Der.Element> certId = fields.get(0).expect(Der.SEQUENCE).children();
      String hash = certId.get(0).expect(Der.SEQUENCE).child(0).oid();
      if (!id.matches(hash, certId.get(1).expect(Der.OCTET_STRING).value(), certId.get(2).expect(Der.OCTET_STRING).value(),
          certId.get(3).integer())) {
        continue;
      }
      Der.Element certStatus = fields.get(1);
      CertStatus parsed;
      Instant revocationTime = null;
      switch (certStatus.tag()) {
        case 0x80 -> parsed = CertStatus.GOOD;
        case 0xa1 -> {
          parsed = CertStatus.REVOKED;
          revocationTime = certStatus.child(0).generalizedTime();
        }
        case 0x82 -> parsed = CertStatus.UNKNOWN;
        default -> throw new IllegalArgumentException("bad certStatus");
      }
      Instant thisUpdate = fields.get(2).generalizedTime();
      Instant nextUpdate = null;
      if (fields.size() > 3 && fields.get(3).tag() == 0xa0) {
        nextUpdate = fields.get(3).child(0).generalizedTime();
      }
      return new Response(0, new SingleResponse(parsed, thisUpdate, nextUpdate, revocationTime));
    }
    return new Response(0, null);
  }

  /** The http(s) OCSP responder URLs the certificate's authority information access names. */
  static List<URI> responders(X509Certificate certificate) {
    List<URI> out = new ArrayList<>();
    byte[] extension = certificate.getExtensionValue(AIA);
    if (extension == null) {
      return out;
    }
    try {
      Der.Element descriptions = Der.parse(Der.parse(extension).expect(Der.OCTET_STRING).value()).expect(Der.SEQUENCE);
      for (Der.Element description : descriptions.children()) {
        List<Der.Element> parts = description.expect(Der.SEQUENCE).children();
        if (parts.size() == 2 && AD_OCSP.equals(parts.get(0).oid()) && parts.get(1).tag() == 0x86) {
          String text = new String(parts.get(1).value(), StandardCharsets.US_ASCII);
          try {
            URI uri = new URI(text);
            if (("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                && uri.getHost() != null) {
              out.add(uri);
            }
          } catch (URISyntaxException e) {
            // an unusable location is skipped like one of another scheme
          }
        }
      }
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      // a malformed extension names no responder
    }
    return out;
  }
}
