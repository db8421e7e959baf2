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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Delivers alerts to every configured Alertmanager, each through its own bounded queue and sender
 * thread: batches of up to {@value #BATCH} alerts to {@code POST /api/v2/alerts}, retried with
 * backoff (0.5 s doubling to 30 s) while an Alertmanager is down; an alert queued again (a resend
 * or a new state) replaces its queued state. Each queue is fair between tenants: batches take from
 * each tenant in turn, and a full queue drops the oldest alert of the tenant holding most of it. A
 * batch Alertmanager refuses (4xx) is split until only the refused alerts are dropped. Sent and
 * dropped alerts are counted per Alertmanager and tenant. One Alertmanager being away never delays
 * another.
 */
public final class Alertmanagers implements AutoCloseable {
  static final int BATCH = 64;
  private static final System.Logger LOG = System.getLogger(Alertmanagers.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Target> targets = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private volatile boolean closed;
  private final MeterRegistry meters;

  /**
   * One Alertmanager: its queue (a queue per tenant, taken from in turn) and sender. When the queue
   * is full, the tenant holding most of it loses its oldest alert: a flood of one tenant pushes out
   * its own alerts, never another's pages.
   */
  private final class Target {
    final URI url;
    final String tag;
    final MeterRegistry meters;

    /**
     * Tenant → its queued alerts by labels, oldest first: a newer state of an alert replaces the
     * queued one (and goes to the end), so an outage never delivers an expired state last.
     */
    final LinkedHashMap<String, LinkedHashMap<Map<String, String>, Notification>> queues =
        new LinkedHashMap<>();

    int queued;
    volatile int capacity;
    final Counter failed;
    final Thread sender;
    volatile boolean stopped; // no longer configured

    Target(URI base, int capacity, MeterRegistry meters) {
      this.url = base.resolve("/api/v2/alerts");
      this.capacity = capacity;
      this.meters = meters;
      this.tag = base.toString();
      failed =
          Counter.builder("tillwatch.alertmanager.failed")
              .description("Deliveries that failed (retried).")
              .tag("alertmanager", tag)
              .register(meters);
      Gauge.builder("tillwatch.alertmanager.queue.length", this, t -> t.size())
          .description("Alerts waiting for this Alertmanager.")
          .tag("alertmanager", tag)
          .register(meters);
      sender = Thread.ofVirtual().name("alertmanager-" + base.getPort()).unstarted(this::run);
    }

    /** Alerts of {@code tenant} Alertmanager accepted ({@code sent}) or that were dropped. */
    Counter counter(String what, String tenant) {
      return Counter.builder("tillwatch.alertmanager." + what)
          .description(
              what.equals("sent")
                  ? "Alerts Alertmanager accepted."
                  : "Alerts dropped: a full queue's largest tenant's oldest, or refused (4xx).")
          .tag("alertmanager", tag)
          .tag("tenant", tenant)
          .register(meters);
    }

    synchronized int size() {
      return queued;
    }

    synchronized void offer(List<Notification> alerts) {
      for (Notification n : alerts) {
        if (queued >= capacity) {
          dropOldestOfLargest();
        }
        LinkedHashMap<Map<String, String>, Notification> q =
            queues.computeIfAbsent(tenant(n), t -> new LinkedHashMap<>());
        if (q.remove(n.labels()) != null) {
          queued--; // superseded
        }
        q.put(n.labels(), n);
        queued++;
      }
      notifyAll();
    }

    private void dropOldestOfLargest() {
      String largest = null;
      int most = -1;
      for (Map.Entry<String, LinkedHashMap<Map<String, String>, Notification>> e :
          queues.entrySet()) {
        if (e.getValue().size() > most) {
          most = e.getValue().size();
          largest = e.getKey();
        }
      }
      if (largest != null && most > 0) {
        var oldest = queues.get(largest).entrySet().iterator();
        oldest.next();
        oldest.remove();
        queued--;
        counter("dropped", largest).increment();
      }
    }

    /** Up to {@value #BATCH} alerts, one of each tenant in turn, oldest first. */
    synchronized List<Notification> peek() throws InterruptedException {
      while (queued == 0 && !closed && !stopped) {
        wait(1000);
      }
      List<Notification> batch = new ArrayList<>(Math.min(BATCH, queued));
      List<java.util.Iterator<Notification>> its = new ArrayList<>();
      for (LinkedHashMap<Map<String, String>, Notification> q : queues.values()) {
        its.add(q.values().iterator());
      }
      boolean any = true;
      while (batch.size() < BATCH && any) {
        any = false;
        for (java.util.Iterator<Notification> it : its) {
          if (batch.size() < BATCH && it.hasNext()) {
            batch.add(it.next());
            any = true;
          }
        }
      }
      return batch;
    }

    /** Takes delivered (or refused) alerts out; those dropped meanwhile are already gone. */
    synchronized void remove(List<Notification> batch) {
      for (Notification n : batch) {
        LinkedHashMap<Map<String, String>, Notification> q = queues.get(tenant(n));
        // only the state delivered: a newer one queued meanwhile stays
        if (q != null && q.remove(n.labels(), n)) {
          queued--;
          if (q.isEmpty()) {
            queues.remove(tenant(n));
          }
        }
      }
    }

    void run() {
      long backoff = 0;
      while (!closed && !stopped) {
        try {
          List<Notification> batch = peek();
          if (batch.isEmpty()) {
            continue;
          }
          if (deliver(batch)) {
            remove(batch);
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
        } catch (RuntimeException e) { // the sender never dies
          failed.increment();
          LOG.log(System.Logger.Level.ERROR, "delivering to " + url + " failed", e);
        }
      }
    }

    /**
     * Sends a batch; true when every alert in it got its final answer. Alertmanager refusing a
     * batch (4xx) refuses it whole: it is split until the refused alerts are alone, and only they
     * are dropped.
     */
    boolean deliver(List<Notification> batch) throws InterruptedException {
      int status = post(batch);
      if (status / 100 == 2) {
        for (Notification n : batch) {
          counter("sent", tenant(n)).increment();
        }
        return true;
      }
      if (status / 100 != 4) {
        return false; // down, or no answer: retried
      }
      if (batch.size() == 1) {
        LOG.log(
            System.Logger.Level.ERROR,
            url + " refused alert " + batch.get(0).labels() + ": HTTP " + status);
        counter("dropped", tenant(batch.get(0))).increment();
        return true;
      }
      int half = batch.size() / 2;
      List<Notification> first = batch.subList(0, half);
      List<Notification> second = batch.subList(half, batch.size());
      boolean a = deliver(first);
      if (a) {
        remove(first);
      }
      boolean b = deliver(second);
      if (b) {
        remove(second);
      }
      return a && b;
    }

    /** The HTTP status of posting {@code batch}, or 0 without an answer. */
    int post(List<Notification> batch) throws InterruptedException {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(url)
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json(batch)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
      } catch (IOException e) {
        return 0;
      }
    }
  }

  /** An alert's tenant; one without is the platform's. */
  private static String tenant(Notification n) {
    String t = n.labels().get("tenant");
    return t == null || t.isEmpty() ? io.tillwatch.model.Tenant.PLATFORM : t;
  }

  /**
   * @param urls the Alertmanagers, e.g. {@code http://alertmanager:9093}
   * @param queueCapacity the most alerts waiting for one Alertmanager
   */
  public Alertmanagers(List<URI> urls, int queueCapacity, MeterRegistry meters) {
    this.meters = meters;
    for (URI u : urls) {
      targets.add(new Target(u, queueCapacity, meters));
    }
    targets.forEach(t -> t.sender.start());
  }

  /**
   * The Alertmanagers a reload configures: those that stay keep their queues and senders, new ones
   * start empty (the next evaluation's resends fill them), removed ones stop and their series go.
   */
  public synchronized void reconfigure(List<URI> urls, int queueCapacity) {
    List<String> wanted = urls.stream().map(URI::toString).toList();
    for (Target t : targets) {
      if (!wanted.contains(t.tag)) {
        t.stopped = true;
        t.sender.interrupt();
        targets.remove(t);
        t.meters.getMeters().stream()
            .filter(m -> t.tag.equals(m.getId().getTag("alertmanager")))
            .toList()
            .forEach(t.meters::remove);
      } else {
        t.capacity = queueCapacity;
      }
    }
    for (URI u : urls) {
      if (targets.stream().noneMatch(t -> t.tag.equals(u.toString()))) {
        Target t = new Target(u, queueCapacity, meters);
        targets.add(t);
        t.sender.start();
      }
    }
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
