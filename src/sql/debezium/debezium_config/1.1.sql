CREATE FUNCTION @extschema@.debezium_config(
    schema name DEFAULT 'demo',
    topic_prefix text DEFAULT 'ecomm',
    connector_name text DEFAULT NULL,
    slot_name name DEFAULT NULL,
    publication name DEFAULT 'thelook_pub',
    database_hostname text DEFAULT 'localhost',
    database_port int DEFAULT NULL,
    database_user text DEFAULT current_user,
    database_password text DEFAULT '<password>',
    heartbeat_interval_ms int DEFAULT 10000,
    replication_factor int DEFAULT 1,
    partitions int DEFAULT 1,
    snapshot_mode text DEFAULT 'initial')
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $debezium_config$
DECLARE
    tables constant text[] := ARRAY['users', 'orders', 'order_items', 'events', 'products', 'dist_centers', 'heartbeat'];
    -- table.include.list holds regular expressions matched against schema.table.
    schema_re text := regexp_replace(schema, '([.\\^$|?*+()\[\]{}])', '\\\1', 'g');
    slot text := coalesce(slot_name,
                          left('thelook_' || lower(regexp_replace(schema, '[^A-Za-z0-9_]', '_', 'g')), 63));
BEGIN
    IF schema IS NULL OR schema = '' THEN
        RAISE EXCEPTION 'parameter "schema" must not be empty'
            USING ERRCODE = '22023', HINT = 'Pass the schema that thelook.setup() filled, such as ''demo''.';
    END IF;
    IF topic_prefix IS NULL OR topic_prefix !~ '^[A-Za-z0-9._-]+$' THEN
        RAISE EXCEPTION 'parameter "topic_prefix" must be letters, digits, ''.'', ''_'' or ''-''' 
            USING ERRCODE = '22023', DETAIL = format('The value was %s.', coalesce(quote_literal(topic_prefix), 'NULL')),
                  HINT = 'Kafka topic names allow only these characters; the reference uses ''ecomm''.';
    END IF;
    IF slot !~ '^[a-z0-9_]+$' THEN
        RAISE EXCEPTION 'parameter "slot_name" must be lower-case letters, digits and ''_'''
            USING ERRCODE = '22023', DETAIL = format('The value was %L.', slot),
                  HINT = 'PostgreSQL allows only these characters in replication slot names.';
    END IF;
    IF publication IS NULL OR publication = '' THEN
        RAISE EXCEPTION 'parameter "publication" must not be empty'
            USING ERRCODE = '22023', HINT = 'Pass the name given to thelook.create_publication(), such as ''thelook_pub''.';
    END IF;
    IF heartbeat_interval_ms IS NULL OR heartbeat_interval_ms < 0
       OR replication_factor IS NULL OR replication_factor < 1 OR partitions IS NULL OR partitions < 1 THEN
        RAISE EXCEPTION 'parameters "heartbeat_interval_ms", "replication_factor" and "partitions" must be positive'
            USING ERRCODE = '22023',
                  HINT = 'heartbeat_interval_ms may be 0 (no heartbeats); replication_factor and partitions are at least 1.';
    END IF;
    RETURN jsonb_build_object(
        'name', coalesce(connector_name, topic_prefix || '-' || schema || '-connector'),
        'config', jsonb_build_object(
            'connector.class', 'io.debezium.connector.postgresql.PostgresConnector',
            'tasks.max', '1',
            'plugin.name', 'pgoutput',
            'slot.name', slot,
            'publication.name', publication,
            'publication.autocreate.mode', 'disabled',
            'database.hostname', database_hostname,
            'database.port', coalesce(database_port, current_setting('port')::int)::text,
            'database.user', database_user,
            'database.password', database_password,
            'database.dbname', current_database(),
            'topic.prefix', topic_prefix,
            'table.include.list', (SELECT string_agg(schema_re || '.' || t, ',') FROM unnest(tables) AS t),
            'snapshot.mode', snapshot_mode,
            'heartbeat.interval.ms', heartbeat_interval_ms::text,
            'heartbeat.action.query',
                format('INSERT INTO %I.heartbeat (id, ts) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET ts = EXCLUDED.ts', schema),
            'topic.creation.default.replication.factor', replication_factor::text,
            'topic.creation.default.partitions', partitions::text));
END
$debezium_config$;
COMMENT ON FUNCTION @extschema@.debezium_config(name, text, text, name, name, text, int, text, text, int, int, int, text) IS
    'A Kafka Connect REST body ({"name", "config"}) for Debezium''s PostgreSQL connector streaming the theLook tables of schema via pgoutput into topics {topic_prefix}.{schema}.{table}. The password is a placeholder.';
