package io.apisec.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis Cluster of three masters made of {@link RedisServerProcess}es and joined with
 * {@code redis-cli --cluster create}. Stops every node by pid on close.
 */
public final class RedisClusterProcess implements AutoCloseable {
  private final List<RedisServerProcess> nodes;

  private RedisClusterProcess(List<RedisServerProcess> nodes) {
    this.nodes = nodes;
  }

  public static RedisClusterProcess start(int masters) {
    List<RedisServerProcess> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < masters; i++) {
        nodes.add(RedisServerProcess.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", "2000"));
      }
      List<String> command = new ArrayList<>(List.of(RedisServerProcess.executable("redis-cli"), "--cluster", "create"));
      for (RedisServerProcess node : nodes) {
        command.add("127.0.0.1:" + node.port());
      }
      command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      Process create = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!create.waitFor(30, TimeUnit.SECONDS)) {
        create.destroyForcibly();
        throw new IllegalStateException("redis-cli --cluster create hung");
      }
      String output = new String(create.getInputStream().readAllBytes());
      if (create.exitValue() != 0) {
        throw new IllegalStateException("redis-cli --cluster create failed: " + output);
      }
      RedisClusterProcess cluster = new RedisClusterProcess(nodes);
      cluster.awaitOk(Duration.ofSeconds(30));
      return cluster;
    } catch (Exception e) {
      nodes.forEach(RedisServerProcess::close);
      throw e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
    }
  }

  private void awaitOk(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      boolean ok = nodes.stream().allMatch(n -> n.cli("cluster", "info").contains("cluster_state:ok"));
      if (ok) {
        return;
      }
    }
    throw new IllegalStateException("the cluster never reached cluster_state:ok");
  }

  public List<RedisServerProcess> nodes() {
    return nodes;
  }

  /** The nodes' URIs, as seeds for a cluster client. */
  public String[] uris() {
    return nodes.stream().map(RedisServerProcess::uri).toArray(String[]::new);
  }

  @Override
  public void close() {
    nodes.forEach(RedisServerProcess::close);
  }
}
