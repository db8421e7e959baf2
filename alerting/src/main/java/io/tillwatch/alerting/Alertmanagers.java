package io.tillwatch.alerting;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Delivers alerts to every configured Alertmanager, each through its own bounded queue and sender
 * thread: batches of up to {@value #BATCH} alerts to {@code POST /api/v2/alerts}, retried with
 * backoff (0.5 s doubling to 30 s) while an Alertmanager is down, the oldest dropped when a queue
 * is full. One Alertmanager being away never delays another.
 */
public final class Alertmanagers implements AutoCloseable {
  static final int BATCH = 64;
  private static final System.Logger LOG = System.getLogger(Alertmanagers.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Target> targets = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private volatile boolean closed;

  /** One Alertmanager: its queue and sender. */
  private final class Target {
    final URI url;
    final ArrayDeque<Notification> queue = new ArrayDeque<>();
    final int capacity;
    final Counter sent;
    final Counter failed;
    final Counter dropped;
    final Thread sender;

    Target(URI base, int capacity, MeterRegistry meters) {
      this.url = base.resolve("/api/v2/alerts");
      this.capacity = capacity;
      String tag = base.toString();
      sent =
          Counter.builder("tillwatch.alertmanager.sent")
              .description("Alerts Alertmanager accepted.")
              .tag("alertmanager", tag)
              .register(meters);
      failed =
          Counter.builder("tillwatch.alertmanager.failed")
              .description("Deliveries that failed (retried).")
              .tag("alertmanager", tag)
              .register(meters);
      dropped =
          Counter.builder("tillwatch.alertmanager.dropped")
              .description("Alerts dropped from a full queue, oldest first.")
              .tag("alertmanager", tag)
              .register(meters);
      Gauge.builder("tillwatch.alertmanager.queue.length", queue, q -> size())
          .description("Alerts waiting for this Alertmanager.")
          .tag("alertmanager", tag)
          .register(meters);
      sender = Thread.ofVirtual().name("alertmanager-" + base.getPort()).unstarted(this::run);
    }

    synchronized int size() {
      return queue.size();
    }

    synchronized void offer(List<Notification> alerts) {
      for (Notification n : alerts) {
        if (queue.size() >= capacity) {
          queue.pollFirst();
          dropped.increment();
        }
        queue.addLast(n);
      }
      notifyAll();
    }

    synchronized List<Notification> peek() throws InterruptedException {
      while (queue.isEmpty() && !closed) {
        wait(1000);
      }
      List<Notification> batch = new ArrayList<>(Math.min(BATCH, queue.size()));
      for (Notification n : queue) {
        if (batch.size() == BATCH) {
          break;
        }
        batch.add(n);
      }
      return batch;
    }

    synchronized void remove(List<Notification> batch) {
      for (int i = 0; i < batch.size() && !queue.isEmpty(); i++) {
        if (queue.peekFirst() == batch.get(i)) {
          queue.pollFirst();
        }
      }
    }

    void run() {
      long backoff = 0;
      while (!closed) {
        try {
          List<Notification> batch = peek();
          if (batch.isEmpty()) {
            continue;
          }
          if (post(batch)) {
            remove(batch);
            sent.increment(batch.size());
            if (backoff > 0) {
              LOG.log(System.Logger.Level.INFO, "Alertmanager " + url + " takes alerts again");
            }
            backoff = 0;
          } else {
            failed.increment();
            if (backoff == 0) {
              LOG.log(System.Logger.Level.WARNING, "cannot deliver to " + url + ": retrying");
            }
            backoff = Math.min(30_000, backoff == 0 ? 500 : backoff * 2);
            Thread.sleep(backoff);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    boolean post(List<Notification> batch) throws InterruptedException {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(url)
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json(batch)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 == 2) {
          return true;
        }
        if (r.statusCode() / 100 == 4) {
          // Alertmanager refuses the batch itself: retrying cannot help
          LOG.log(
              System.Logger.Level.ERROR,
              url + " refused " + batch.size() + " alerts: " + r.statusCode() + " " + r.body());
          dropped.increment(batch.size());
          return true;
        }
        return false;
      } catch (IOException e) {
        return false;
      }
    }
  }

  /**
   * @param urls the Alertmanagers, e.g. {@code http://alertmanager:9093}
   * @param queueCapacity the most alerts waiting for one Alertmanager
   */
  public Alertmanagers(List<URI> urls, int queueCapacity, MeterRegistry meters) {
    for (URI u : urls) {
      targets.add(new Target(u, queueCapacity, meters));
    }
    targets.forEach(t -> t.sender.start());
  }

  /** Queues alerts for every Alertmanager. */
  public void send(List<Notification> alerts) {
    if (alerts.isEmpty()) {
      return;
    }
    for (Target t : targets) {
      t.offer(alerts);
    }
  }

  /** Alerts waiting, over all Alertmanagers. */
  public int queued() {
    int n = 0;
    for (Target t : targets) {
      n += t.size();
    }
    return n;
  }

  static String json(List<Notification> batch) {
    ArrayNode array = JSON.createArrayNode();
    for (Notification n : batch) {
      ObjectNode o = array.addObject();
      ObjectNode labels = o.putObject("labels");
      n.labels().forEach(labels::put);
      ObjectNode annotations = o.putObject("annotations");
      n.annotations().forEach(annotations::put);
      o.put("startsAt", n.startsAt().toString());
      o.put("endsAt", n.endsAt().toString());
      o.put("generatorURL", n.generatorURL());
    }
    return array.toString();
  }

  @Override
  public void close() {
    closed = true;
    for (Target t : targets) {
      t.sender.interrupt();
    }
  }
}
