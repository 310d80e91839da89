package io.apisec.jwt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Key-set snapshots as files {@code jwks-<sha-256 of the issuer>.json} in one directory. Thread-safe:
 * a save writes a private temporary file and moves it over the old one atomically, so a reader
 * never sees half a file. The I/O runs on the common pool, never on the caller's thread.
 */
final class FileKeySetSnapshots implements KeySetSnapshots {
  // a key set endpoint may answer up to 1 MB; its snapshot adds a few fields
  private static final long MAX_FILE = 2L * 1024 * 1024;
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private final Path directory;

  FileKeySetSnapshots(Path directory) {
    this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
  }

  @Override
  public CompletionStage<Optional<KeySetSnapshot>> load(String issuer) {
    Objects.requireNonNull(issuer, "issuer");
    return CompletableFuture.supplyAsync(() -> read(issuer));
  }

  @Override
  public CompletionStage<Void> save(KeySetSnapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    return CompletableFuture.runAsync(() -> write(snapshot));
  }

  private Optional<KeySetSnapshot> read(String issuer) {
    Path file = fileOf(issuer);
    try {
      if (POSIX) {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (permissions.contains(PosixFilePermission.GROUP_WRITE)
            || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
          // whoever may write the file may plant keys: refuse it like ssh refuses a loose private key
          throw new IllegalStateException("the snapshot " + file + " is writable by others than its owner");
        }
      }
      if (Files.size(file) > MAX_FILE) {
        throw new IllegalStateException("the snapshot " + file + " is larger than " + MAX_FILE + " bytes");
      }
      KeySetSnapshot snapshot;
      try {
        snapshot = KeySetSnapshot.fromJson(Files.readAllBytes(file));
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("the snapshot " + file + " is unusable: " + e.getMessage());
      }
      if (!snapshot.issuer().equals(issuer)) {
        throw new IllegalStateException("the snapshot " + file + " belongs to another issuer");
      }
      return Optional.of(snapshot);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new IllegalStateException("the snapshot " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  private void write(KeySetSnapshot snapshot) {
    Path file = fileOf(snapshot.issuer());
    Path temporary = null;
    try {
      if (POSIX) {
        Files.createDirectories(directory, attributes("rwx------"));
        temporary = Files.createTempFile(directory, ".jwks-", ".tmp", attributes("rw-------"));
      } else {
        Files.createDirectories(directory);
        temporary = Files.createTempFile(directory, ".jwks-", ".tmp");
      }
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        ByteBuffer content = ByteBuffer.wrap(snapshot.toJson());
        while (content.hasRemaining()) {
          channel.write(content);
        }
        channel.force(true);
      }
      try {
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
      }
      temporary = null;
    } catch (IOException e) {
      throw new IllegalStateException("the snapshot " + file + " cannot be written (" + e.getClass().getSimpleName() + ")");
    } finally {
      if (temporary != null) {
        try {
          Files.deleteIfExists(temporary);
        } catch (IOException ignored) {
          // the next save leaves another temporary file at worst; it is never read
        }
      }
    }
  }

  Path fileOf(String issuer) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(issuer.getBytes(StandardCharsets.UTF_8));
      return directory.resolve("jwks-" + HexFormat.of().formatHex(digest) + ".json");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  private static FileAttribute<Set<PosixFilePermission>> attributes(String permissions) {
    return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions));
  }

  @Override
  public String toString() {
    return "KeySetSnapshots[directory=" + directory + ']';
  }
}
