-- thelook_datagen 1.0 -> 1.1
\echo Use "ALTER EXTENSION thelook_datagen UPDATE TO '1.1'" to load this file. \quit
-- 1.1: scenarios (traffic over the day and week, incidents), time acceleration, alter_simulation,
-- inject_incident, the incidents table of setup(); durable simulations (thelook.simulation_runs,
-- resume_simulation, forget_simulation, on_resume, retention); file feeds (write_feed, drop_feed).
-- Functions whose parameters changed are dropped and created again. Assembled by src/sql/assemble.sh
-- with the objects' 1.1 definitions; t_upgrade.sh compares the result with the frozen 1.1 install.
--
-- Simulations running when this script runs were started by the 1.0 functions: they have no row in
-- thelook.simulation_runs, keep running (listed by thelook.simulations, stoppable), and end with
-- the server; stop and start them again to make them durable.

DROP VIEW @extschema@.simulations;
DROP FUNCTION @extschema@.simulation_status();
DROP FUNCTION @extschema@.start_simulation(name, float8, bigint, float8, float8, float8, float8, text, text, text, bigint, interval, interval, text, text);
DROP FUNCTION @extschema@.ensure_simulation(text, name, float8, bigint, float8, float8, float8, float8, text, text, text, bigint, interval, interval, text);
DROP FUNCTION @extschema@.backfill(name, timestamptz, timestamptz, float8, bigint, float8, float8, bigint, text, text, text, text);
DROP FUNCTION @extschema@.generate_orders(bigint, bigint, bigint, text, text, text, timestamptz, timestamptz, timestamptz, int, int, text);
DROP FUNCTION @extschema@.generate_order_items(bigint, bigint, bigint, text, text, text, timestamptz, timestamptz, timestamptz, int, int, text);
DROP FUNCTION @extschema@.generate_events(bigint, bigint, bigint, text, text, text, timestamptz, timestamptz, timestamptz, int, int, text);
DROP FUNCTION @extschema@.generate_sessions(bigint, bigint, text, text, text, timestamptz, timestamptz, int, int);
DROP PROCEDURE @extschema@.backfill_in_chunks(name, timestamptz, timestamptz, float8, bigint, float8, float8, bigint, text, text, text, bigint, text);
--#include scenarios/scenario

--#include scenarios/scenarios
--#include scenarios/scenarios_check
--#include scenarios/builtin_reference
--#include scenarios/traffic_intensity

--#include setup/generate_inventory_items

-- setup() adds the incidents table (also to schemas set up by 1.0), and with inventory => true the
-- inventory tables: a new parameter, so the 1.0 function goes.
DROP FUNCTION @extschema@.setup(name, int, text, text, text, bigint, text);
--#include setup/setup

--#include simulation/simulation_runs
--#include simulation/start_simulation

--#include simulation/alter_simulation

--#include simulation/inject_incident

-- stop_simulation and stop_all_simulations (1.0) act on this database only, and persistently.
COMMENT ON FUNCTION @extschema@.stop_simulation(int) IS
    'Stops a simulation of this database after its current transaction and waits for its worker to exit. The stop is kept: it is not resumed after a restart. Returns false if it had already ended.';
COMMENT ON FUNCTION @extschema@.stop_all_simulations() IS
    'Stops every running simulation of this database that the calling role may stop. Returns how many were stopped.';

--#include simulation/resume_simulation

--#include simulation/forget_simulation

--#include simulation/simulation_status

--#include simulation/simulations

--#include debezium/ensure_simulation

--#include bulk/backfill

--#include bulk/backfill_in_chunks

--#include bulk/generate_orders

--#include bulk/generate_order_items

--#include bulk/generate_events

--#include bulk/generate_sessions

--#include scenarios/product_popularity

-- validate(): the data contract's rules (bad records of a scenario's faults break exactly one).

--#include faults/validate

--#include faults/builtin_pipeline_faults

--#include cdc_faults/injected_faults_table

--#include cdc_faults/large_transaction

--#include cdc_faults/evolve_schema

--#include cdc_faults/truncate_table

-- File feeds: new rows of a theLook schema written as CSV or JSON Lines files into a directory,
-- Hive-style, each file renamed into place whole, listed in a manifest a reader resumes from.
-- See the README's "File feeds". Rows are captured at arrival by a statement trigger into
-- <schema>.feed_log (the row as inserted); thelook.write_feed() takes what is committed, deletes
-- it from the log and writes it out, in one transaction: no row is in two files, none is skipped.

--#include feeds/feed_capture

--#include feeds/feed_prepare

--#include feeds/write_feed

--#include feeds/drop_feed
