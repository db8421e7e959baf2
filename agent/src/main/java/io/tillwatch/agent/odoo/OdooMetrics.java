package io.tillwatch.agent.odoo;

import io.tillwatch.model.Metric;

/** Every metric of the Odoo collector. */
public final class OdooMetrics {
  private OdooMetrics() {}

  public static final Metric QUEUE_JOBS =
      Metric.gauge(
          "tillwatch_odoo_queue_jobs",
          "queue_job rows per channel and state (wait_dependencies, pending, enqueued, started,"
              + " done, cancelled, failed).");
  public static final Metric QUEUE_OLDEST_AGE =
      Metric.gauge(
          "tillwatch_odoo_queue_oldest_age_seconds",
          "Age of the oldest job per channel in state pending (since it became due: eta-aware),"
              + " enqueued or started; 0 when none. Stock sync behind means stores sell stock they"
              + " no longer have.");
  public static final Metric QUEUE_STUCK =
      Metric.gauge(
          "tillwatch_odoo_queue_stuck_jobs",
          "Jobs enqueued for more than 5 minutes or started for longer than the limit: after a"
              + " worker crash they fill the channel so nothing else starts.");
  public static final Metric QUEUE_FAILED =
      Metric.gauge(
          "tillwatch_odoo_queue_failed_jobs",
          "Jobs currently failed, per channel and job (channel_method_name).");
  public static final Metric QUEUE_DONE =
      Metric.counter(
          "tillwatch_odoo_queue_jobs_done_total",
          "Jobs finished (date_done) since the agent started; rate() is the throughput.");
  public static final Metric ORDERS =
      Metric.counter(
          "tillwatch_odoo_orders_total",
          "Orders since the agent started: source=sale confirmed sale orders, source=pos paid,"
              + " done or invoiced point-of-sale orders.");
  public static final Metric LAST_ORDER_AGE =
      Metric.gauge(
          "tillwatch_odoo_last_order_age_seconds",
          "Seconds since the newest order of this source (date_order). Alert during business"
              + " hours: no orders means tills or the web shop cannot sell.");
  public static final Metric SCHEMA =
      Metric.info(
          "tillwatch_odoo_schema_info",
          "What the database holds: queue_job present or absent, and Odoo's version (base module).");
}
