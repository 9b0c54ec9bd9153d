-- CDC helpers: publication, Debezium connector configuration, topic names, ensure_simulation.
SET client_min_messages = warning;
SET client_min_messages = warning;  -- the suite's files may run in any order
CREATE EXTENSION IF NOT EXISTS thelook_datagen;
RESET client_min_messages;
RESET client_min_messages;
\set SHOW_CONTEXT never
SELECT thelook.setup('dbz', init_num_users => 10, seed => 1, replica_identity => 'full') IS NOT NULL AS ready;

-- create_publication: creates, then is idempotent, then adds what is missing.
SELECT thelook.create_publication('dbz', 'dbz_pub');
SELECT thelook.create_publication('dbz', 'dbz_pub');
SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = 'dbz_pub' ORDER BY tablename;
ALTER PUBLICATION dbz_pub DROP TABLE dbz.heartbeat, dbz.users;
SELECT thelook.create_publication('dbz', 'dbz_pub');
SELECT count(*) AS tables FROM pg_publication_tables WHERE pubname = 'dbz_pub';
SELECT thelook.create_publication('no_such_schema', 'dbz_pub');
SELECT thelook.create_publication('dbz', '');

-- Replica identity full on all seven tables.
SELECT relname, relreplident FROM pg_class
 WHERE relnamespace = 'dbz'::regnamespace AND relkind = 'r' ORDER BY relname;

-- debezium_config: every key, with the connection fields passed explicitly.
SELECT jsonb_object_keys(thelook.debezium_config('dbz', 'shop', database_port => 5432, database_user => 'debezium'));
SELECT thelook.debezium_config('dbz', 'shop', database_port => 5432, database_user => 'debezium')->>'name' AS name;
SELECT key, value
  FROM jsonb_each_text(thelook.debezium_config('dbz', 'shop', database_port => 5432, database_user => 'debezium',
                                               database_hostname => 'db.example', heartbeat_interval_ms => 5000,
                                               replication_factor => 3, partitions => 6)->'config')
 ORDER BY key;
SELECT thelook.debezium_config('dbz', connector_name => 'c1', slot_name => 'my_slot',
                               database_port => 1, database_user => 'u')->'config'->>'slot.name' AS slot;
-- Regular-expression characters in a schema name are escaped in table.include.list.
SELECT thelook.debezium_config('a.b', database_port => 1, database_user => 'u')->'config'->>'table.include.list' AS include_list;
SELECT thelook.debezium_config('dbz', 'bad prefix', database_port => 1, database_user => 'u');
SELECT thelook.debezium_config('dbz', slot_name => 'Bad-Slot', database_port => 1, database_user => 'u');
SELECT thelook.debezium_config('dbz', partitions => 0, database_port => 1, database_user => 'u');

-- kafka_topics: {topic_prefix}.{schema}.{table}, sorted; characters Kafka refuses become '_'.
SELECT * FROM thelook.kafka_topics();
SELECT * FROM thelook.kafka_topics('My Schema', 'shop');

-- ensure_simulation: the name is required.
SELECT thelook.ensure_simulation('');
SELECT thelook.ensure_simulation(NULL);
SELECT thelook.ensure_simulation(repeat('x', 64));
DO $$
BEGIN
    PERFORM thelook.ensure_simulation('', 'dbz');
EXCEPTION WHEN invalid_parameter_value THEN
    RAISE NOTICE 'caught %: %', SQLSTATE, SQLERRM;
END
$$;
SELECT thelook.ensure_simulation('x', 'no_such_schema');

SET client_min_messages = warning;
DROP PUBLICATION dbz_pub;
DROP SCHEMA dbz CASCADE;
