-- thelook_datagen 1.1 -> 1.2
\echo Use "ALTER EXTENSION thelook_datagen UPDATE TO '1.2'" to load this file. \quit
-- Assembled by src/sql/assemble.sh with the objects' 1.2 definitions: each object changed in 1.2
-- has a 1.2.sql beside its 1.1.sql and is included here (after a DROP when its signature or
-- return type changed); t_upgrade.sh compares the result with a fresh 1.2 install.
-- Recipe: src/sql/README.md.
--#include simulation/held_events

-- Transactional control (docs/transactions.md): start_simulation 1.2 has its own C symbol (the
-- 1.1 one counted its arguments); the control functions' comments say what happens at commit;
-- the indexes of retention and faults.cdc come from an explicit call, never from a start.
-- start_simulation 1.2 also takes shard and shards (sharded simulations, docs/citus.md): the 1.1
-- signature goes first, so that no call is ambiguous.
DROP FUNCTION @extschema@.start_simulation(name, float8, bigint, float8, float8, float8, float8, text, text, text, bigint, interval, interval, text, text, text, float8, timestamptz, text, interval, interval);
--#include simulation/start_simulation
--#include simulation/create_simulation_indexes
--#include simulation/alter_simulation
--#include simulation/inject_incident
--#include simulation/stop_simulation
--#include simulation/stop_all_simulations
--#include simulation/resume_simulation
--#include simulation/forget_simulation
-- thelook.simulations gets runs_on (docs/citus.md), appended by CREATE OR REPLACE VIEW from
-- simulation_node(): simulation_status() keeps its result type, so neither is dropped and a view
-- a user built on them does not stop the update.
--#include simulation/simulation_node
--#include simulation/simulations

-- A NULL schema is 22004 with a hint (evolve_schema, large_transaction, truncate_table call this first).
--#include cdc_faults/injected_faults_table

-- validate() and feed_prepare(): NULL arguments are 22004 naming the parameter, a schema without
-- the tables validate() reads 42P01, each with a hint (PostgreSQL's own errors had none).
--#include faults/validate
--#include feeds/feed_prepare
-- drop_feed(): also drops the per-table logs that feed_prepare() now makes.
--#include feeds/drop_feed
-- Citus (docs/citus.md): a set-up schema as reference and distributed tables on a coordinator.
--#include citus/distribute

-- Sharded simulations (docs/citus.md): the shard of the id space a simulation creates and picks.
ALTER TABLE @extschema@.simulation_runs
    ADD COLUMN shard int NOT NULL DEFAULT 0,
    ADD COLUMN shards int NOT NULL DEFAULT 1,
    ADD CONSTRAINT simulation_runs_check CHECK (shards >= 1 AND shard >= 0 AND shard < shards);
COMMENT ON COLUMN @extschema@.simulation_runs.shard IS
    'A sharded simulation''s shard (0 to shards - 1): the ids it creates and picks have hashtext(id) in the shard-th of shards equal hash ranges; shards = 1 is every id.';

-- backfill_in_chunks takes workers (docs/bulk.md: a parallel back-fill); appended, so that calls by
-- position keep working. The 1.1 signature goes first, so that no call is ambiguous.
DROP PROCEDURE @extschema@.backfill_in_chunks(name, timestamptz, timestamptz, float8, bigint, float8, float8, bigint, text, text, text, bigint, text, text);
--#include bulk/backfill_in_chunks
