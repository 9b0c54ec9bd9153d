CREATE FUNCTION @extschema@.simulation_status(
    OUT id int, OUT name text, OUT database text, OUT schema text, OUT role text, OUT pid int,
    OUT state text, OUT started_at timestamptz, OUT ended_at timestamptz, OUT avg_qps float8,
    OUT max_iter bigint, OUT seed bigint, OUT scheduled bigint, OUT iterations bigint,
    OUT achieved_qps float8, OUT users_inserted bigint, OUT users_updated bigint,
    OUT orders_inserted bigint, OUT orders_updated bigint, OUT order_items_inserted bigint,
    OUT order_items_updated bigint, OUT events_inserted bigint, OUT heartbeats bigint,
    OUT transactions bigint, OUT max_rows_per_transaction bigint, OUT consecutive_errors int,
    OUT total_errors bigint, OUT last_error text, OUT id_format text, OUT scenario text,
    OUT time_scale float8, OUT simulated_time timestamptz, OUT incidents bigint,
    OUT desired_state text, OUT failures int, OUT resumed_at timestamptz, OUT skipped bigint,
    OUT on_resume text, OUT keep_events interval, OUT keep_orders interval, OUT orders_deleted bigint,
    OUT order_items_deleted bigint, OUT events_deleted bigint, OUT lost_sales bigint, OUT runs_on text)
RETURNS SETOF record
    LANGUAGE c VOLATILE PARALLEL SAFE AS 'MODULE_PATHNAME', 'thelook_simulation_status_1_2';
COMMENT ON FUNCTION @extschema@.simulation_status() IS
    'One row per simulation of this database (thelook.simulation_runs, and any started under the 1.0 functions that still runs), with the live counters of those running. runs_on: where it runs, ''local'' or, on a Citus cluster, this node''s host:port (a simulation runs on the node it was started on).';
