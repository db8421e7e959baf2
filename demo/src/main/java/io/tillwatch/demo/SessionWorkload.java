package io.tillwatch.demo;

import io.tillwatch.sandbox.RedisServer;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/** The demo's web sessions: a few 16 KB sessions a second into Redis, until it must evict. */
final class SessionWorkload {
  private final RedisServer redis;
  private final Thread thread;
  private volatile boolean running = true;

  private SessionWorkload(RedisServer redis) {
    this.redis = redis;
    this.thread = Thread.ofVirtual().name("demo-sessions").unstarted(this::run);
  }

  static SessionWorkload start(RedisServer redis) {
    SessionWorkload w = new SessionWorkload(redis);
    w.thread.start();
    return w;
  }

  private void run() {
    String payload = "s".repeat(16 * 1024);
    long n = 0;
    try (Jedis jedis =
        new Jedis(
            new HostAndPort("127.0.0.1", redis.port()),
            DefaultJedisClientConfig.builder().autoNegotiateProtocol(false).build())) {
      while (running) {
        jedis.setex("session:" + n++, 3600, payload);
        Thread.sleep(1000);
      }
    } catch (RuntimeException e) {
      if (running) {
        System.err.println("demo sessions stopped: " + Workload.firstLine(e));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void stop() {
    running = false;
    thread.interrupt();
  }
}
