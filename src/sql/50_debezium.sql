-- CDC readiness: a publication over the seven theLook tables, a Debezium connector configuration
-- for Kafka Connect, the resulting topic names, and ensure_simulation() for pg_cron jobs.

CREATE FUNCTION @extschema@.create_publication(
    schema name DEFAULT 'demo',
    publication name DEFAULT 'thelook_pub')
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $create_publication$
DECLARE
    tables constant text[] := ARRAY['users', 'orders', 'order_items', 'events', 'products', 'dist_centers', 'heartbeat'];
    nsp oid;
    t text;
    missing text[] := '{}';
    all_tables boolean;
BEGIN
    IF schema IS NULL OR schema = '' THEN
        RAISE EXCEPTION 'parameter "schema" must not be empty'
            USING ERRCODE = '22023', HINT = 'Pass the schema that thelook.setup() filled, such as ''demo''.';
    END IF;
    IF publication IS NULL OR publication = '' THEN
        RAISE EXCEPTION 'parameter "publication" must not be empty'
            USING ERRCODE = '22023', HINT = 'Pass a publication name such as ''thelook_pub''.';
    END IF;
    SELECT n.oid INTO nsp FROM pg_namespace n WHERE n.nspname = schema;
    IF nsp IS NULL THEN
        RAISE EXCEPTION 'schema "%" does not exist', schema
            USING ERRCODE = '3F000', HINT = format('Create and fill it with SELECT thelook.setup(%L).', schema);
    END IF;
    FOREACH t IN ARRAY tables LOOP
        IF NOT EXISTS (SELECT FROM pg_class c WHERE c.relnamespace = nsp AND c.relname = t AND c.relkind = 'r') THEN
            RAISE EXCEPTION 'relation "%.%" does not exist', schema, t
                USING ERRCODE = '42P01', DETAIL = 'The publication covers the seven theLook tables.',
                      HINT = format('Run SELECT thelook.setup(%L) first.', schema);
        END IF;
    END LOOP;

    SELECT p.puballtables INTO all_tables FROM pg_publication p WHERE p.pubname = publication;
    IF all_tables IS NULL THEN
        EXECUTE format('CREATE PUBLICATION %I FOR TABLE %s', publication,
                       (SELECT string_agg(format('%I.%I', schema, x), ', ' ORDER BY o)
                          FROM unnest(tables) WITH ORDINALITY AS u(x, o)));
        RETURN format('publication %s created for the 7 tables of schema %s',
                      quote_ident(publication), quote_ident(schema));
    ELSIF all_tables THEN
        RETURN format('publication %s is FOR ALL TABLES: it already covers schema %s',
                      quote_ident(publication), quote_ident(schema));
    END IF;
    FOREACH t IN ARRAY tables LOOP
        IF NOT EXISTS (SELECT FROM pg_publication_tables pt
                        WHERE pt.pubname = publication AND pt.schemaname = schema AND pt.tablename = t) THEN
            missing := missing || t;
        END IF;
    END LOOP;
    IF cardinality(missing) = 0 THEN
        RETURN format('publication %s already covers the 7 tables of schema %s',
                      quote_ident(publication), quote_ident(schema));
    END IF;
    EXECUTE format('ALTER PUBLICATION %I ADD TABLE %s', publication,
                   (SELECT string_agg(format('%I.%I', schema, x), ', ' ORDER BY o)
                      FROM unnest(missing) WITH ORDINALITY AS u(x, o)));
    RETURN format('publication %s: added %s (%s of the 7 tables of schema %s were missing)',
                  quote_ident(publication), array_to_string(missing, ', '), cardinality(missing), quote_ident(schema));
END
$create_publication$;
COMMENT ON FUNCTION @extschema@.create_publication(name, name) IS
    'Creates publication FOR TABLE the seven theLook tables of schema (heartbeat included), or adds those it lacks. Idempotent. Debezium''s connector (plugin.name pgoutput) streams from it.';

-- Debezium builds topic names as prefix.schema.table and replaces characters Kafka does not
-- allow in a topic name with '_'.
CREATE FUNCTION @extschema@.kafka_topics(
    schema name DEFAULT 'demo',
    topic_prefix text DEFAULT 'ecomm')
RETURNS SETOF text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $kafka_topics$
    SELECT regexp_replace(topic_prefix || '.' || schema || '.' || t, '[^A-Za-z0-9._-]', '_', 'g')
      FROM unnest(ARRAY['dist_centers', 'events', 'heartbeat', 'order_items', 'orders', 'products', 'users']) AS t
     ORDER BY 1
$kafka_topics$;
COMMENT ON FUNCTION @extschema@.kafka_topics(name, text) IS
    'The Kafka topics Debezium writes the theLook tables of schema to: {topic_prefix}.{schema}.{table}, sorted.';

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

CREATE FUNCTION @extschema@.ensure_simulation(
    name text,
    schema name DEFAULT 'demo',
    avg_qps float8 DEFAULT 20,
    max_iter bigint DEFAULT -1,
    user_create_prob float8 DEFAULT 0.05,
    user_update_prob float8 DEFAULT 0.1,
    order_update_prob float8 DEFAULT 0.4,
    ghost_create_prob float8 DEFAULT 0.2,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    seed bigint DEFAULT NULL,
    duration interval DEFAULT NULL,
    heartbeat_interval interval DEFAULT '10 seconds',
    id_format text DEFAULT 'uuid4',
    scenario text DEFAULT 'reference',
    time_scale float8 DEFAULT 1,
    simulated_start timestamptz DEFAULT NULL,
    on_resume text DEFAULT 'skip',
    keep_events interval DEFAULT NULL,
    keep_orders interval DEFAULT NULL)
RETURNS int
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $ensure_simulation$
DECLARE
    existing int;
    existing_state text;
BEGIN
    IF name IS NULL OR name = '' THEN
        RAISE EXCEPTION 'parameter "name" must not be empty'
            USING ERRCODE = '22023',
                  HINT = 'ensure_simulation() finds its simulation by name: pass one, such as ''business_hours''.';
    END IF;
    IF octet_length(name) >= 64 THEN
        RAISE EXCEPTION 'parameter "name" is too long'
            USING ERRCODE = '22023', DETAIL = format('It has %s bytes; at most 63 are kept.', octet_length(name)),
                  HINT = 'Pass a shorter name.';
    END IF;
    -- Two cron jobs (or sessions) firing at once must not both start one: serialize on
    -- (database, schema, name) until this transaction ends.
    PERFORM pg_advisory_xact_lock(hashtext('thelook_datagen.ensure_simulation'),
                                  hashtext(current_database() || '/' || schema || '/' || name));
    -- Any simulation that should be running counts: starting, running, being restarted, or
    -- interrupted (not resumed after a restart: thelook.auto_resume off); the last is resumed.
    SELECT s.id, s.state INTO existing, existing_state
      FROM @extschema@.simulation_status() s
     WHERE s.name = ensure_simulation.name AND s.schema = ensure_simulation.schema
       AND s.database = current_database() AND s.desired_state = 'running'
     ORDER BY s.id
     LIMIT 1;
    IF existing IS NOT NULL THEN
        IF existing_state = 'interrupted' THEN
            PERFORM @extschema@.resume_simulation(existing);
        END IF;
        RETURN existing;
    END IF;
    RETURN @extschema@.start_simulation(
        schema => schema, avg_qps => avg_qps, max_iter => max_iter,
        user_create_prob => user_create_prob, user_update_prob => user_update_prob,
        order_update_prob => order_update_prob, ghost_create_prob => ghost_create_prob,
        country => country, state => state, postal_code => postal_code, seed => seed,
        duration => duration, heartbeat_interval => heartbeat_interval, name => name,
        id_format => id_format, scenario => scenario, time_scale => time_scale,
        simulated_start => simulated_start, on_resume => on_resume, keep_events => keep_events,
        keep_orders => keep_orders);
END
$ensure_simulation$;
COMMENT ON FUNCTION @extschema@.ensure_simulation(text, name, float8, bigint, float8, float8, float8, float8, text, text, text, bigint, interval, interval, text, text, float8, timestamptz, text, interval, interval) IS
    'Returns the id of the simulation called name in schema (this database) that should be running (starting, running, restarting, or interrupted, which it resumes), or starts one with the given parameters. Safe to call every minute from pg_cron: never starts a duplicate.';
