package io.apisec.jwt;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where each issuer's last good key set is persisted, so that a node starting during an identity
 * provider outage can verify tokens with it — still bounded by the issuer's
 * {@code refresh.max-staleness}, counted from when the set was really fetched.
 *
 * <p>Implementations are thread-safe and never block the caller: both operations complete
 * asynchronously. A failure to save never affects verification; a snapshot that cannot be loaded
 * (absent, unreadable, of another issuer) is treated as no snapshot.
 */
public interface KeySetSnapshots {
  /** The last snapshot saved for {@code issuer}, or empty when there is none. */
  CompletionStage<Optional<KeySetSnapshot>> load(String issuer);

  /** Replaces the snapshot of {@code snapshot.issuer()}. */
  CompletionStage<Void> save(KeySetSnapshot snapshot);

  /**
   * Snapshots as one file per issuer in {@code directory} (created when missing), written
   * atomically and readable by the owner only; a file others may write is refused when loading.
   */
  static KeySetSnapshots inDirectory(Path directory) {
    return new FileKeySetSnapshots(directory);
  }
}
