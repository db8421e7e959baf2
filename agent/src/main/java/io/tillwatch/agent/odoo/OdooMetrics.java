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

  // per store ({@code stores: true}): a store is its tills' warehouse, company or the till itself
  public static final Metric POS_ORDERS =
      Metric.counter(
          "tillwatch_odoo_pos_orders_total",
          "Point-of-sale orders paid, done or invoiced per store since the agent started, counted"
              + " as they reach the server; kept when Odoo deletes old orders.");
  public static final Metric POS_LAST_ORDER_AGE =
      Metric.gauge(
          "tillwatch_odoo_pos_last_order_age_seconds",
          "Seconds since the store's newest sale (date_order, the till's time) the server has;"
              + " absent for a store without a sale in the 7 days before the agent started.");
  public static final Metric POS_SYNC_DELAY =
      Metric.gauge(
          "tillwatch_odoo_pos_sync_delay_seconds",
          "How late the store's orders of the last 15 minutes reached the server (create_date"
              + " minus the till's date_order), by quantile (0.5, 0.9, 1); absent when none"
              + " arrived. Late orders: a till offline or on a failing line.");
  public static final Metric POS_OPEN_SESSIONS =
      Metric.gauge(
          "tillwatch_odoo_pos_open_sessions",
          "Point-of-sale sessions of the store opened and not closed (opening_control, opened,"
              + " closing_control).");
  public static final Metric POS_STORE_OPEN =
      Metric.gauge(
          "tillwatch_odoo_pos_store_open",
          "1 while the store trades by its hours (the tenant's stores: or business_hours), else"
              + " 0.");
  public static final Metric POS_USUAL_ORDERS =
      Metric.gauge(
          "tillwatch_odoo_pos_usual_orders_per_hour",
          "Orders the store usually takes in this hour of the week: the mean of the same hour in"
              + " the last 4 weeks with orders (0 without history).");
  public static final Metric POS_STORES =
      Metric.gauge(
          "tillwatch_odoo_pos_stores",
          "Stores read (at most max_stores: past it the scrape fails and says so).");
}
