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

-- the point of sale: companies, warehouses (a store's stock), a till's operation type, tills
-- (pos.config), their sessions (opened in the morning, closed at night) and their orders
CREATE TABLE res_company (
  id serial PRIMARY KEY,
  name varchar NOT NULL
);
CREATE TABLE stock_warehouse (
  id serial PRIMARY KEY,
  name varchar NOT NULL,
  code varchar(5) NOT NULL,
  company_id integer NOT NULL,
  active boolean
);
CREATE TABLE stock_picking_type (
  id serial PRIMARY KEY,
  name varchar NOT NULL,
  code varchar NOT NULL,
  warehouse_id integer,
  company_id integer
);
CREATE TABLE pos_config (
  id serial PRIMARY KEY,
  name varchar NOT NULL,
  company_id integer NOT NULL,
  picking_type_id integer,
  active boolean
);
CREATE TABLE pos_session (
  id serial PRIMARY KEY,
  name varchar NOT NULL,
  config_id integer NOT NULL,
  user_id integer,
  state varchar NOT NULL,
  start_at timestamp without time zone,
  stop_at timestamp without time zone,
  rescue boolean
);
CREATE INDEX pos_session_config_id_index ON pos_session (config_id);
CREATE INDEX pos_session_state_index ON pos_session (state);

-- date_order: when the till rang the sale; create_date: when the order reached the server (a till
-- that lost its line syncs later)
CREATE TABLE pos_order (
  id serial PRIMARY KEY,
  name varchar NOT NULL,
  state varchar,
  date_order timestamp without time zone,
  company_id integer NOT NULL,
  session_id integer,
  amount_total numeric NOT NULL,
  create_date timestamp without time zone,
  write_date timestamp without time zone
);
CREATE INDEX pos_order_date_order_index ON pos_order (date_order);
CREATE INDEX pos_order_state_index ON pos_order (state);
CREATE INDEX pos_order_session_id_index ON pos_order (session_id);
CREATE INDEX pos_order_company_id_index ON pos_order (company_id);
