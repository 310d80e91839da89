package io.apisec.jwt;

import static io.apisec.jwt.JwtFixture.assertAllowed;
import static io.apisec.jwt.JwtFixture.assertDenied;
import static io.apisec.jwt.JwtFixture.decide;
import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Health;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.JwtConfig;
import io.apisec.testing.MutableClock;
import io.apisec.testing.TestIssuer;
import io.apisec.testing.TestKey;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Persisted last-known-good key sets against a real JWKS endpoint that the tests take down: a cold
 * node restores the snapshot and serves during the outage, bounded by the maximum staleness
 * counted from the original fetch; time moves by the test clock.
 */
class KeySetSnapshotIT {
  private static final Instant START = Instant.parse("2026-11-22T12:00:00Z");
  private static final JwtConfig.Refresh REFRESH = new JwtConfig.Refresh(
      Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofSeconds(3), Duration.ofSeconds(60));

  private final MutableClock clock = new MutableClock(START);
  private final TestIssuer idp = TestIssuer.start(clock);
  private final TestKey first = TestKey.ec("k1", "ES256");
  private final TestKey second = TestKey.ec("k2", "ES256");
  private final List<ApiSecurity> nodes = new ArrayList<>();

  @TempDir
  Path directory;

  @AfterEach
  void stop() {
    nodes.forEach(ApiSecurity::close);
    idp.close();
  }

  private ApiSecurity node(KeySetSnapshots snapshots) {
    JwtConfig jwt = JwtConfig.builder()
        .issuer(JwtConfig.Issuer.builder(idp.issuer())
            .jwksUri(idp.jwksUri())
            .audiences("api")
            .algorithms("ES256")
            .refresh(REFRESH)
            .build())
        .keySnapshots(JwtConfig.KeySnapshots.inDirectory(directory))
        .build();
    ApiSecurityConfig config = ApiSecurityConfig.builder().jwt(jwt).route(Route.builder("GET /orders").build()).build();
    ApiSecurity.Builder builder = ApiSecurity.builder(config).clock(clock).auditToSystemLogger(false);
    if (snapshots != null) {
      builder.keySetSnapshots(snapshots);
    }
    ApiSecurity node = builder.build();
    nodes.add(node);
    return node;
  }

  private ApiSecurity node() {
    return node(null);
  }

  private Path snapshotFile() {
    return ((FileKeySetSnapshots) KeySetSnapshots.inDirectory(directory)).fileOf(idp.issuer());
  }

  private String snapshotText() {
    try {
      return Files.readString(snapshotFile(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** A node that fetched {@code keys} and saved them; closed again, as a node that went away. */
  private void savedBy(TestKey... keys) {
    idp.publish(keys);
    ApiSecurity writer = node();
    TestIssuer.await(() -> writer.health().ready(), "the keys to load");
    TestIssuer.await(() -> Arrays.stream(keys).allMatch(k -> snapshotText().contains("\"" + k.kid() + "\"")),
        "the snapshot to be written");
    writer.close();
    nodes.remove(writer);
  }

  private static Health.Component keySource(ApiSecurity node, String issuer) {
    return node.health().component("jwks:" + issuer).orElseThrow();
  }

  private String token(TestKey key) {
    return idp.token(key).expiresIn(Duration.ofHours(2)).sign();
  }

  @Test
  void aColdNodeWithOnlyASnapshotServesDuringAnOutageAndFailsClosedPastTheMaximumStaleness() {
    savedBy(first);
    idp.takeDown();
    clock.advance(Duration.ofMinutes(2));

    ApiSecurity cold = node();
    assertAllowed(decide(cold, "/orders", token(first)));
    Health.Component source = keySource(cold, idp.issuer());
    assertThat(source.counters()).containsEntry("restored-from-snapshot", 1L);
    assertThat(source.age()).contains(Duration.ofMinutes(2)); // counted from the original fetch, not the restore
    assertThat(source.state()).isEqualTo("fresh");
    TestIssuer.await(() -> keySource(cold, idp.issuer()).lastError().contains("refused"), "the fetch beside it to fail");

    clock.advance(Duration.ofMinutes(4)); // 6 minutes after the fetch: past the 5m lifetime, within 10m staleness
    assertAllowed(decide(cold, "/orders", token(first)));
    assertThat(keySource(cold, idp.issuer()).state()).isEqualTo("stale");

    clock.advance(Duration.ofMinutes(10)); // 16 minutes: past lifetime + max staleness
    Decision.Deny deny = assertDenied(decide(cold, "/orders", token(first)), DenyReason.UNAVAILABLE, "unavailable", null);
    assertThat(deny.status()).isEqualTo(503);
    assertThat(cold.health().ready()).isFalse();
  }

  @Test
  void aSnapshotAlreadyPastTheMaximumStalenessIsNotRestored() {
    savedBy(first);
    idp.takeDown();
    clock.advance(Duration.ofMinutes(16));

    ApiSecurity cold = node();
    assertDenied(decide(cold, "/orders", token(first)), DenyReason.UNAVAILABLE, "unavailable", null);
    Health.Component source = keySource(cold, idp.issuer());
    assertThat(source.counters()).containsEntry("restored-from-snapshot", 0L);
    assertThat(source.lastError()).contains("older than refresh.max-staleness");
  }

  @Test
  void theEndpointWinsOverTheSnapshotAndTheRotationIsSavedForTheNextColdStart() {
    savedBy(first);
    idp.publish(second); // rotated while no node ran
    clock.advance(Duration.ofMinutes(1));

    ApiSecurity node = node();
    TestIssuer.await(() -> keySource(node, idp.issuer()).counters().get("restored-from-snapshot") == 0L
        && node.health().ready() && snapshotText().contains("\"k2\""), "the fetched keys to replace the snapshot");
    assertAllowed(decide(node, "/orders", token(second)));
    assertDenied(decide(node, "/orders", token(first)), DenyReason.INVALID_TOKEN, "unknown", null);
    assertThat(snapshotText()).doesNotContain("\"k1\"");

    idp.takeDown();
    ApiSecurity cold = node();
    assertAllowed(decide(cold, "/orders", token(second)));
  }

  @Test
  void aRestoredSetIsReplacedAsSoonAsTheEndpointAnswersAgain() {
    savedBy(first);
    idp.takeDown();
    ApiSecurity cold = node();
    assertAllowed(decide(cold, "/orders", token(first)));
    idp.bringUp();
    idp.publish(second);
    // each request past min-interval may refresh the restored set; a refresh that lost a race with
    // the endpoint's restart is retried by the next one
    TestIssuer.await(() -> {
      clock.advance(Duration.ofSeconds(31));
      decide(cold, "/orders", token(second));
      return keySource(cold, idp.issuer()).counters().get("restored-from-snapshot") == 0L;
    }, "the fetched set to replace the restored one");
    assertAllowed(decide(cold, "/orders", token(second)));
  }

  @Test
  void aSnapshotOfAnotherIssuerIsNeverRestored() throws IOException {
    savedBy(first);
    String planted = snapshotText().replace(idp.issuer(), "https://elsewhere.example/");
    Files.writeString(snapshotFile(), planted);
    idp.takeDown();

    ApiSecurity cold = node();
    assertDenied(decide(cold, "/orders", token(first)), DenyReason.UNAVAILABLE, "unavailable", null);
    assertThat(keySource(cold, idp.issuer()).lastError()).contains("another issuer");
  }

  @Test
  void aSnapshotFileOthersMayWriteIsRefused() throws IOException {
    savedBy(first);
    Files.setPosixFilePermissions(snapshotFile(), PosixFilePermissions.fromString("rw-rw-rw-"));
    idp.takeDown();

    ApiSecurity cold = node();
    assertDenied(decide(cold, "/orders", token(first)), DenyReason.UNAVAILABLE, "unavailable", null);
    assertThat(keySource(cold, idp.issuer()).lastError()).contains("writable by others");
    assertThat(keySource(cold, idp.issuer()).counters().get("snapshot-failures")).isEqualTo(1L);
  }

  @Test
  void snapshotFilesAreReadableByTheirOwnerOnly() throws IOException {
    savedBy(first);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(snapshotFile()))).isEqualTo("rw-------");
    try (var listing = Files.list(directory)) {
      assertThat(listing.map(p -> p.getFileName().toString())).containsExactly(snapshotFile().getFileName().toString());
    }
  }

  @Test
  void aCorruptSnapshotIsIgnoredAndRewrittenAfterTheNextFetch() throws IOException {
    savedBy(first);
    Files.writeString(snapshotFile(), "{\"format\":1,\"issuer\":");
    idp.takeDown();
    ApiSecurity cold = node();
    assertDenied(decide(cold, "/orders", token(first)), DenyReason.UNAVAILABLE, "unavailable", null);
    assertThat(keySource(cold, idp.issuer()).lastError()).contains("unusable");

    idp.bringUp();
    clock.advance(Duration.ofSeconds(31));
    decide(cold, "/orders", token(first));
    TestIssuer.await(() -> snapshotText().contains("\"k1\"") && snapshotText().endsWith("}"), "the snapshot to be rewritten");
    assertAllowed(decide(cold, "/orders", token(first)));
  }

  @Test
  void aSnapshotThatCannotBeWrittenLeavesVerificationAloneAndShowsInHealth() throws IOException {
    Path notADirectory = Files.writeString(directory.resolve("occupied"), "x");
    idp.publish(first);
    JwtConfig jwt = JwtConfig.builder()
        .issuer(JwtConfig.Issuer.builder(idp.issuer()).jwksUri(idp.jwksUri()).audiences("api").algorithms("ES256")
            .refresh(REFRESH).build())
        .keySnapshots(JwtConfig.KeySnapshots.inDirectory(notADirectory.resolve("jwks")))
        .build();
    ApiSecurity node = ApiSecurity.builder(
            ApiSecurityConfig.builder().jwt(jwt).route(Route.builder("GET /orders").build()).build())
        .clock(clock).auditToSystemLogger(false).build();
    nodes.add(node);
    // the save after the fetch cannot create the directory (the load before it may fail too, or,
    // depending on the JDK's error for a file used as a directory, find nothing)
    TestIssuer.await(() -> keySource(node, idp.issuer()).lastError().contains("cannot be written"), "the save to fail");
    assertThat(keySource(node, idp.issuer()).counters().get("snapshot-failures")).isBetween(1L, 2L);
    assertThat(node.health().ready()).isTrue();
    assertAllowed(decide(node, "/orders", token(first)));
  }

  @Test
  void aPublishedPrivateKeyIsSnapshottedWithoutItsPrivatePart() {
    BigInteger s = ((ECPrivateKey) first.pair().getPrivate()).getS();
    byte[] raw = s.toByteArray();
    byte[] d = raw.length > 32 ? Arrays.copyOfRange(raw, raw.length - 32, raw.length) : raw;
    String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    Map<String, Object> withPrivate = new LinkedHashMap<>(first.jwk());
    withPrivate.put("d", encoded);
    idp.publishJwks(List.of(withPrivate));
    ApiSecurity node = node();
    TestIssuer.await(() -> snapshotText().contains("\"k1\""), "the snapshot to be written");
    assertThat(snapshotText()).doesNotContain(encoded).doesNotContain("\"d\"");
    assertAllowed(decide(node, "/orders", token(first)));
  }

  @Test
  void requestsWaitForASlowRestoreButNotForTheFetchBesideIt() {
    savedBy(first);
    idp.mode(TestIssuer.Mode.STALL); // the endpoint accepts and never answers within the timeout
    CompletableFuture<Optional<KeySetSnapshot>> slow = new CompletableFuture<>();
    KeySetSnapshots files = KeySetSnapshots.inDirectory(directory);
    KeySetSnapshots delayed = new KeySetSnapshots() {
      @Override
      public CompletionStage<Optional<KeySetSnapshot>> load(String issuer) {
        return slow;
      }

      @Override
      public CompletionStage<Void> save(KeySetSnapshot snapshot) {
        // the stalled fetch completes after the test: it must not write into a directory being deleted
        return CompletableFuture.completedFuture(null);
      }
    };
    ApiSecurity cold = node(delayed);
    CompletionStage<Decision> pending = JwtFixture.send(cold, "/orders", token(first));
    assertThat(pending.toCompletableFuture().isDone()).isFalse();
    slow.complete(files.load(idp.issuer()).toCompletableFuture().join());
    assertAllowed(JwtFixture.await(pending));
    idp.releaseStalled();
  }
}
