-- The parts of an Odoo (14-18) database that tillwatch reads, with Odoo's column names and types
-- (datetimes are UTC in timestamp without time zone) and the indexes Odoo creates for them.
CREATE TABLE ir_module_module (
  id serial PRIMARY KEY,
  name varchar NOT NULL,
  state varchar,
  latest_version varchar
);
CREATE UNIQUE INDEX ir_module_module_name_uniq ON ir_module_module (name);

-- OCA queue_job
CREATE TABLE queue_job (
  id serial PRIMARY KEY,
  uuid varchar NOT NULL,
  graph_uuid varchar,
  user_id integer,
  company_id integer,
  name varchar,
  model_name varchar,
  method_name varchar,
  records text,
  args text,
  kwargs text,
  func_string varchar,
  state varchar NOT NULL,
  priority integer,
  exc_name varchar,
  exc_message varchar,
  exc_info text,
  result text,
  date_created timestamp without time zone,
  date_started timestamp without time zone,
  date_enqueued timestamp without time zone,
  date_done timestamp without time zone,
  date_cancelled timestamp without time zone,
  exec_time double precision,
  eta timestamp without time zone,
  retry integer,
  max_retries integer,
  channel_method_name varchar,
  job_function_id integer,
  channel varchar,
  identity_key varchar,
  worker_pid integer,
  create_uid integer,
  create_date timestamp without time zone,
  write_uid integer,
  write_date timestamp without time zone
);
CREATE UNIQUE INDEX queue_job_uuid_index ON queue_job (uuid);
CREATE INDEX queue_job_state_index ON queue_job (state);
CREATE INDEX queue_job_channel_index ON queue_job (channel);
CREATE INDEX queue_job_graph_uuid_index ON queue_job (graph_uuid);
CREATE INDEX queue_job_identity_key_state_partial_index ON queue_job (identity_key)
  WHERE state IN ('pending', 'enqueued', 'wait_dependencies') AND identity_key IS NOT NULL;

CREATE TABLE sale_order (
  id serial PRIMARY KEY,
  name varchar NOT NULL,
  state varchar,
  date_order timestamp without time zone NOT NULL,
  create_date timestamp without time zone,
  company_id integer NOT NULL,
  partner_id integer,
  amount_total numeric
);
CREATE INDEX sale_order_date_order_index ON sale_order (date_order);
CREATE INDEX sale_order_state_index ON sale_order (state);

CREATE TABLE pos_order (
  id serial PRIMARY KEY,
  name varchar NOT NULL,
  state varchar,
  date_order timestamp without time zone,
  company_id integer NOT NULL,
  session_id integer,
  amount_total numeric NOT NULL
);
CREATE INDEX pos_order_date_order_index ON pos_order (date_order);
CREATE INDEX pos_order_state_index ON pos_order (state);
