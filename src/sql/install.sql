-- thelook_datagen install script of the current version (default_version in thelook_datagen.control),
-- assembled by src/sql/assemble.sh: each "--#include DIR" line is replaced by DIR's newest
-- definition file (DIR/<version>.sql, the newest version not after the one being built).
-- How to add or change an object: src/sql/README.md.
\echo Use "CREATE EXTENSION thelook_datagen" to load this file. \quit

-- Row types of the theLook tables, in the reference column order. The set-returning functions
-- return them, so their output can be inserted into the tables with SELECT *.
--#include row_types/users_row
--#include row_types/orders_row
--#include row_types/order_items_row
--#include row_types/events_row
--#include row_types/products_row
--#include row_types/dist_centers_row
--#include row_types/locations_row

-- The reference data shipped with the extension, and generated users.
--#include catalog/products
--#include catalog/dist_centers
--#include catalog/locations
--#include catalog/generate_users

--#include setup/generate_inventory_items
--#include setup/setup

-- Scenarios: named documents describing how the shop behaves beyond the reference (traffic over
-- the day and week, incidents, ...). See the README's "Scenarios" section for the layout.
--#include scenarios/scenario
--#include scenarios/scenarios
--#include scenarios/scenarios_check
--#include scenarios/builtin_reference
--#include scenarios/traffic_intensity
--#include scenarios/product_popularity

-- Live simulations: background workers writing theLook traffic at a Poisson rate.
--#include simulation/simulation_runs
--#include simulation/held_events
--#include simulation/start_simulation
--#include simulation/create_simulation_indexes
--#include simulation/alter_simulation
--#include simulation/inject_incident
--#include simulation/stop_simulation
--#include simulation/stop_all_simulations
--#include simulation/resume_simulation
--#include simulation/forget_simulation
--#include simulation/simulation_status
--#include simulation/simulation_node
--#include simulation/simulations
--#include simulation/schema_usage

-- CDC readiness: a publication over the seven theLook tables, a Debezium connector configuration
-- for Kafka Connect, the resulting topic names, and ensure_simulation() for pg_cron jobs.
--#include debezium/create_publication
--#include debezium/kafka_topics
--#include debezium/debezium_config
--#include debezium/ensure_simulation

-- CDC edge cases on demand (the live ones, deletes and primary-key updates, are the scenario's
-- faults.cdc): a large transaction, a schema change, a truncate. Each records its ground truth in
-- the schema's injected_faults table, in the same transaction.
--#include cdc_faults/injected_faults_table
--#include cdc_faults/large_transaction
--#include cdc_faults/evolve_schema
--#include cdc_faults/truncate_table

-- Bulk generation: orders (with items and sessions) and anonymous sessions as rows, and the
-- back-fill of a schema's history. With the same seed, users, location filter and window,
-- generate_orders / generate_order_items / generate_events return pieces of one data set whose
-- user_id values are ids of generate_users(users, seed, ...), so the tables join up.
--#include bulk/generate_orders
--#include bulk/generate_order_items
--#include bulk/generate_events
--#include bulk/generate_sessions
--#include bulk/backfill
--#include bulk/backfill_in_chunks

-- Citus (docs/citus.md): a set-up schema as reference and distributed tables on a coordinator.
--#include citus/distribute

--#include faults/validate
--#include faults/builtin_pipeline_faults

-- File feeds: new rows of a theLook schema written as CSV or JSON Lines files into a directory,
-- Hive-style, each file renamed into place whole, listed in a manifest a reader resumes from.
-- See the README's "File feeds". Rows are captured at arrival by a statement trigger into
-- <schema>.feed_log (the row as inserted); thelook.write_feed() takes what is committed, deletes
-- it from the log and writes it out, in one transaction: no row is in two files, none is skipped.
--#include feeds/feed_capture
--#include feeds/feed_prepare
--#include feeds/write_feed
--#include feeds/drop_feed
