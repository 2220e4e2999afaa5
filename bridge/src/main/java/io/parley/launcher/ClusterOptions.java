package io.parley.launcher;

import com.hazelcast.config.Config;
import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.FileNotFoundException;
import java.util.List;

/**
 * Clustering from the configuration: {@code cluster} (or {@code -cluster}) turns it on, and
 * the {@code hazelcast} section places this member: TCP-IP join with the listed members,
 * multicast off, loopback by default (conf/cluster.xml).
 *
 * <pre>
 * "cluster": false,
 * "hazelcast": {"clusterName": "parley", "host": "127.0.0.1", "port": 5701, "members": ["127.0.0.1"], "config": null}
 * </pre>
 * {@code config} names another Hazelcast XML file; members are {@code host} or {@code host:port}.
 */
public record ClusterOptions(boolean enabled, String clusterName, String host, int port, List<String> members, String configFile) {

  public static ClusterOptions fromConfig(JsonObject config) {
    JsonObject hz = config.getJsonObject("hazelcast", new JsonObject());
    return new ClusterOptions(
      config.getBoolean("cluster", false),
      hz.getString("clusterName", "parley"),
      hz.getString("host", "127.0.0.1"),
      hz.getInteger("port", 5701),
      hz.getJsonArray("members", new JsonArray().add("127.0.0.1")).stream().map(String::valueOf).toList(),
      hz.getString("config"));
  }

  /** A cluster manager for this member; the event bus transport binds to the same host. */
  public HazelcastClusterManager clusterManager() {
    Config hazelcast = load().setClusterName(clusterName);
    hazelcast.getNetworkConfig().setPort(port).setPortAutoIncrement(true);
    hazelcast.getNetworkConfig().getInterfaces().setEnabled(true).setInterfaces(List.of(host));
    JoinConfig join = hazelcast.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(members);
    return new HazelcastClusterManager(hazelcast);
  }

  private Config load() {
    if (configFile == null) {
      return new ClasspathXmlConfig("conf/cluster.xml");
    }
    try {
      return new FileSystemXmlConfig(configFile);
    } catch (FileNotFoundException e) {
      throw new IllegalArgumentException("hazelcast.config: no file " + configFile, e);
    }
  }
}
