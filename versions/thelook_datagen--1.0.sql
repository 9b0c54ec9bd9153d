-- thelook_datagen install script, assembled from src/sql/*.sql by the Makefile.
\echo Use "CREATE EXTENSION thelook_datagen" to load this file. \quit
-- Row types of the theLook tables, in the reference column order. The set-returning functions
-- return them, so their output can be inserted into the tables with SELECT *.
CREATE TYPE @extschema@.users_row AS (
    id text, first_name text, last_name text, email text, age int, gender text,
    street_address text, postal_code text, city text, state text, country text,
    latitude float8, longitude float8, traffic_source text,
    created_at timestamp, updated_at timestamp);

CREATE TYPE @extschema@.orders_row AS (
    id text, user_id text, status text, num_of_items int,
    created_at timestamp, updated_at timestamp, returned_at timestamp, shipped_at timestamp,
    delivered_at timestamp, cancelled_at timestamp);

CREATE TYPE @extschema@.order_items_row AS (
    id text, order_id text, product_id bigint, status text, quantity int, sale_price float8,
    created_at timestamp, updated_at timestamp, shipped_at timestamp, delivered_at timestamp,
    returned_at timestamp, cancelled_at timestamp);

CREATE TYPE @extschema@.events_row AS (
    id text, user_id text, sequence_number int, session_id text, ip_address text, city text,
    state text, postal_code text, browser text, traffic_source text, uri text, event_type text,
    created_at timestamp);

CREATE TYPE @extschema@.products_row AS (
    id bigint, cost float8, category text, name text, brand text, retail_price float8,
    department text, sku text, distribution_center_id bigint);

CREATE TYPE @extschema@.dist_centers_row AS (id bigint, name text, latitude float8, longitude float8);

CREATE TYPE @extschema@.locations_row AS (
    country text, state text, city text, postal_code text, latitude float8, longitude float8,
    population float8);
-- The reference data shipped with the extension, and generated users.
CREATE FUNCTION @extschema@.products() RETURNS SETOF @extschema@.products_row
    LANGUAGE c STABLE PARALLEL SAFE ROWS 30000 AS 'MODULE_PATHNAME', 'thelook_products';
COMMENT ON FUNCTION @extschema@.products() IS
    'The product catalogue shipped with the extension (about 29,000 apparel products), shaped like the products table.';

CREATE FUNCTION @extschema@.dist_centers() RETURNS SETOF @extschema@.dist_centers_row
    LANGUAGE c STABLE PARALLEL SAFE ROWS 10 AS 'MODULE_PATHNAME', 'thelook_dist_centers';
COMMENT ON FUNCTION @extschema@.dist_centers() IS
    'The 10 distribution centres of theLook, shaped like the dist_centers table.';

CREATE FUNCTION @extschema@.locations() RETURNS SETOF @extschema@.locations_row
    LANGUAGE c STABLE PARALLEL SAFE ROWS 25000 AS 'MODULE_PATHNAME', 'thelook_locations';
COMMENT ON FUNCTION @extschema@.locations() IS
    'The places users are drawn from, with their population weights (see data/README.md).';

CREATE FUNCTION @extschema@.generate_users(
    n bigint,
    seed bigint DEFAULT NULL,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    start_at timestamptz DEFAULT NULL,
    end_at timestamptz DEFAULT NULL,
    shard int DEFAULT 0,
    shards int DEFAULT 1)
RETURNS SETOF @extschema@.users_row
    LANGUAGE c VOLATILE PARALLEL SAFE CALLED ON NULL INPUT ROWS 1000
    AS 'MODULE_PATHNAME', 'thelook_generate_users';
COMMENT ON FUNCTION @extschema@.generate_users(bigint, bigint, text, text, text, timestamptz, timestamptz, int, int) IS
    'n users shaped like the users table. With a seed the rows are reproducible; created_at is spread evenly over [start_at, end_at] (both NULL: the transaction time). shard/shards split the same data set into disjoint parts.';
-- setup(): the seven theLook tables in a schema, the catalogue, and the first users.
CREATE FUNCTION @extschema@.setup(
    schema name DEFAULT 'demo',
    init_num_users int DEFAULT 1000,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    seed bigint DEFAULT NULL,
    replica_identity text DEFAULT 'default')
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
AS $setup$
DECLARE
    s text := quote_ident(schema);
    existing bigint;
    added bigint := 0;
    t text;
BEGIN
    IF schema IS NULL OR schema = '' THEN
        RAISE EXCEPTION 'parameter "schema" must not be empty'
            USING ERRCODE = '22023', HINT = 'Pass a schema name such as ''demo''.';
    END IF;
    IF init_num_users IS NULL OR init_num_users < 0 THEN
        RAISE EXCEPTION 'parameter "init_num_users" must be zero or more'
            USING ERRCODE = '22023', DETAIL = format('The value was %s.', coalesce(init_num_users::text, 'NULL')),
                  HINT = 'Pass the number of users to create, such as 1000.';
    END IF;
    IF replica_identity IS NULL OR lower(replica_identity) NOT IN ('default', 'full') THEN
        RAISE EXCEPTION 'parameter "replica_identity" must be ''default'' or ''full'''
            USING ERRCODE = '22023',
                  HINT = 'Use ''full'' to give Debezium complete before-images of updated rows.';
    END IF;
    IF schema = '@extschema@' THEN
        RAISE EXCEPTION 'schema "%" belongs to the extension', schema
            USING ERRCODE = '22023', HINT = 'Pass another schema name, such as ''demo''.';
    END IF;
    -- Fail on bad location parameters before anything is created.
    PERFORM FROM @extschema@.generate_users(0, 0, country, state, postal_code);

    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %s', s);
    EXECUTE format($ddl$
        CREATE TABLE IF NOT EXISTS %1$s.users (
            id text PRIMARY KEY, first_name text, last_name text, email text, age int, gender text,
            street_address text, postal_code text, city text, state text, country text,
            latitude float8, longitude float8, traffic_source text,
            created_at timestamp, updated_at timestamp);
        CREATE TABLE IF NOT EXISTS %1$s.orders (
            id text PRIMARY KEY, user_id text, status text, num_of_items int,
            created_at timestamp, updated_at timestamp, returned_at timestamp, shipped_at timestamp,
            delivered_at timestamp, cancelled_at timestamp);
        CREATE TABLE IF NOT EXISTS %1$s.order_items (
            id text PRIMARY KEY, order_id text, product_id bigint, status text, quantity int,
            sale_price float8, created_at timestamp, updated_at timestamp, shipped_at timestamp,
            delivered_at timestamp, returned_at timestamp, cancelled_at timestamp);
        CREATE TABLE IF NOT EXISTS %1$s.events (
            id text PRIMARY KEY, user_id text, sequence_number int, session_id text, ip_address text,
            city text, state text, postal_code text, browser text, traffic_source text, uri text,
            event_type text, created_at timestamp);
        CREATE TABLE IF NOT EXISTS %1$s.products (
            id bigint PRIMARY KEY, cost float8, category text, name text, brand text,
            retail_price float8, department text, sku text, distribution_center_id bigint);
        CREATE TABLE IF NOT EXISTS %1$s.dist_centers (
            id bigint PRIMARY KEY, name text, latitude float8, longitude float8);
        CREATE TABLE IF NOT EXISTS %1$s.heartbeat (
            id int PRIMARY KEY, ts timestamp NOT NULL DEFAULT now());
        -- What the simulation needs to pick an open order and to move an order's items
        -- without scanning.
        CREATE INDEX IF NOT EXISTS orders_open_id_idx ON %1$s.orders (id)
            WHERE status IN ('Processing', 'Shipped', 'Delivered');
        CREATE INDEX IF NOT EXISTS order_items_order_id_idx ON %1$s.order_items (order_id);
        $ddl$, s);

    EXECUTE format('INSERT INTO %s.dist_centers SELECT * FROM @extschema@.dist_centers() ON CONFLICT (id) DO NOTHING', s);
    EXECUTE format('INSERT INTO %s.products SELECT * FROM @extschema@.products() ON CONFLICT (id) DO NOTHING', s);
    EXECUTE format('INSERT INTO %s.heartbeat (id, ts) VALUES (1, now()) ON CONFLICT (id) DO NOTHING', s);

    -- Top up to init_num_users, so that calling setup again adds nothing.
    EXECUTE format('SELECT count(*) FROM %s.users', s) INTO existing;
    IF existing < init_num_users THEN
        EXECUTE format('INSERT INTO %s.users SELECT * FROM @extschema@.generate_users($1, $2, $3, $4, $5)', s)
            USING init_num_users - existing, seed + existing, country, state, postal_code;
        GET DIAGNOSTICS added = ROW_COUNT;
    END IF;

    FOREACH t IN ARRAY ARRAY['users', 'orders', 'order_items', 'events', 'products', 'dist_centers', 'heartbeat'] LOOP
        EXECUTE format('ALTER TABLE %s.%I REPLICA IDENTITY %s', s, t, upper(replica_identity));
    END LOOP;
    RETURN format('schema %s ready: %s users added (%s in all), %s products, %s distribution centres',
                  s, added, existing + added,
                  (SELECT count(*) FROM @extschema@.products()), (SELECT count(*) FROM @extschema@.dist_centers()));
END
$setup$;
COMMENT ON FUNCTION @extschema@.setup(name, int, text, text, text, bigint, text) IS
    'Creates the theLook tables in schema (if missing), loads products and distribution centres, and tops users up to init_num_users. Idempotent. replica_identity: default or full.';
-- Live simulations: background workers writing theLook traffic at a Poisson rate.
CREATE FUNCTION @extschema@.start_simulation(
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
    name text DEFAULT NULL,
    id_format text DEFAULT 'uuid4')
RETURNS int
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'thelook_start_simulation';
COMMENT ON FUNCTION @extschema@.start_simulation(name, float8, bigint, float8, float8, float8, float8, text, text, text, bigint, interval, interval, text, text) IS
    'Starts a background worker, running as the calling role, that writes theLook traffic into schema at avg_qps iterations per second (Poisson arrivals). id_format ''uuid7'' gives new orders, items and events time-ordered ids. Returns the simulation id.';

CREATE FUNCTION @extschema@.stop_simulation(id int) RETURNS boolean
    LANGUAGE c VOLATILE STRICT PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'thelook_stop_simulation';
COMMENT ON FUNCTION @extschema@.stop_simulation(int) IS
    'Stops a simulation after its current transaction and waits for its worker to exit. Returns false if it had already ended.';

CREATE FUNCTION @extschema@.stop_all_simulations() RETURNS int
    LANGUAGE c VOLATILE PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'thelook_stop_all_simulations';
COMMENT ON FUNCTION @extschema@.stop_all_simulations() IS
    'Stops every running simulation that the calling role may stop. Returns how many were stopped.';

CREATE FUNCTION @extschema@.simulation_status(
    OUT id int, OUT name text, OUT database text, OUT schema text, OUT role text, OUT pid int,
    OUT state text, OUT started_at timestamptz, OUT ended_at timestamptz, OUT avg_qps float8,
    OUT max_iter bigint, OUT seed bigint, OUT scheduled bigint, OUT iterations bigint,
    OUT achieved_qps float8, OUT users_inserted bigint, OUT users_updated bigint,
    OUT orders_inserted bigint, OUT orders_updated bigint, OUT order_items_inserted bigint,
    OUT order_items_updated bigint, OUT events_inserted bigint, OUT heartbeats bigint,
    OUT transactions bigint, OUT max_rows_per_transaction bigint, OUT consecutive_errors int,
    OUT total_errors bigint, OUT last_error text, OUT id_format text)
RETURNS SETOF record
    LANGUAGE c VOLATILE PARALLEL SAFE AS 'MODULE_PATHNAME', 'thelook_simulation_status';
COMMENT ON FUNCTION @extschema@.simulation_status() IS
    'One row per simulation (running or ended since the server started), with live counters.';

CREATE VIEW @extschema@.simulations AS
    SELECT * FROM @extschema@.simulation_status() ORDER BY id;
COMMENT ON VIEW @extschema@.simulations IS
    'Simulations and their live counters: scheduled arrivals vs iterations done, rows written per table, errors.';

-- Ordinary roles may use the extension; what a simulation writes is still limited by the
-- privileges of the role that starts it.
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;
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
    id_format text DEFAULT 'uuid4')
RETURNS int
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $ensure_simulation$
DECLARE
    existing int;
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
    SELECT s.id INTO existing
      FROM @extschema@.simulation_status() s
     WHERE s.name = ensure_simulation.name AND s.schema = ensure_simulation.schema
       AND s.database = current_database() AND s.state IN ('starting', 'running')
     ORDER BY s.id
     LIMIT 1;
    IF existing IS NOT NULL THEN
        RETURN existing;
    END IF;
    RETURN @extschema@.start_simulation(
        schema => schema, avg_qps => avg_qps, max_iter => max_iter,
        user_create_prob => user_create_prob, user_update_prob => user_update_prob,
        order_update_prob => order_update_prob, ghost_create_prob => ghost_create_prob,
        country => country, state => state, postal_code => postal_code, seed => seed,
        duration => duration, heartbeat_interval => heartbeat_interval, name => name,
        id_format => id_format);
END
$ensure_simulation$;
COMMENT ON FUNCTION @extschema@.ensure_simulation(text, name, float8, bigint, float8, float8, float8, float8, text, text, text, bigint, interval, interval, text) IS
    'Returns the id of the starting or running simulation called name in schema (this database), or starts one with the given parameters. Safe to call every minute from pg_cron: never starts a duplicate.';
-- Bulk generation: orders (with items and sessions) and anonymous sessions as rows, and the
-- back-fill of a schema's history. With the same seed, users, location filter and window,
-- generate_orders / generate_order_items / generate_events return pieces of one data set whose
-- user_id values are ids of generate_users(users, seed, ...), so the tables join up.
CREATE FUNCTION @extschema@.generate_orders(
    n bigint,
    seed bigint DEFAULT NULL,
    users bigint DEFAULT 1000,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    start_at timestamptz DEFAULT NULL,
    end_at timestamptz DEFAULT NULL,
    as_of timestamptz DEFAULT NULL,
    shard int DEFAULT 0,
    shards int DEFAULT 1,
    id_format text DEFAULT 'uuid4')
RETURNS SETOF @extschema@.orders_row
    LANGUAGE c VOLATILE PARALLEL SAFE CALLED ON NULL INPUT ROWS 1000
    AS 'MODULE_PATHNAME', 'thelook_generate_orders';
COMMENT ON FUNCTION @extschema@.generate_orders(bigint, bigint, bigint, text, text, text, timestamptz, timestamptz, timestamptz, int, int, text) IS
    'n orders shaped like the orders table. Order i is placed by user number h(i) of generate_users(users, seed, country, state, postal_code, start_at, end_at), after that user signed up and before end_at, and its lifecycle (ship, cancel, deliver, return with realistic delays) is played out up to as_of (NULL: end_at). Deterministic with a seed; shard/shards split it. id_format ''uuid7'' gives orders, items and events time-ordered ids.';

CREATE FUNCTION @extschema@.generate_order_items(
    n bigint,
    seed bigint DEFAULT NULL,
    users bigint DEFAULT 1000,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    start_at timestamptz DEFAULT NULL,
    end_at timestamptz DEFAULT NULL,
    as_of timestamptz DEFAULT NULL,
    shard int DEFAULT 0,
    shards int DEFAULT 1,
    id_format text DEFAULT 'uuid4')
RETURNS SETOF @extschema@.order_items_row
    LANGUAGE c VOLATILE PARALLEL SAFE CALLED ON NULL INPUT ROWS 1450
    AS 'MODULE_PATHNAME', 'thelook_generate_order_items';
COMMENT ON FUNCTION @extschema@.generate_order_items(bigint, bigint, bigint, text, text, text, timestamptz, timestamptz, timestamptz, int, int, text) IS
    'The items of generate_orders called with the same arguments, shaped like the order_items table.';

CREATE FUNCTION @extschema@.generate_events(
    n bigint,
    seed bigint DEFAULT NULL,
    users bigint DEFAULT 1000,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    start_at timestamptz DEFAULT NULL,
    end_at timestamptz DEFAULT NULL,
    as_of timestamptz DEFAULT NULL,
    shard int DEFAULT 0,
    shards int DEFAULT 1,
    id_format text DEFAULT 'uuid4')
RETURNS SETOF @extschema@.events_row
    LANGUAGE c VOLATILE PARALLEL SAFE CALLED ON NULL INPUT ROWS 7000
    AS 'MODULE_PATHNAME', 'thelook_generate_events';
COMMENT ON FUNCTION @extschema@.generate_events(bigint, bigint, bigint, text, text, text, timestamptz, timestamptz, timestamptz, int, int, text) IS
    'The web events of generate_orders called with the same arguments: one purchase session per item, and a cancel or return session per item of orders cancelled or returned by as_of. Shaped like the events table.';

CREATE FUNCTION @extschema@.generate_sessions(
    n bigint,
    seed bigint DEFAULT NULL,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    start_at timestamptz DEFAULT NULL,
    end_at timestamptz DEFAULT NULL,
    shard int DEFAULT 0,
    shards int DEFAULT 1)
RETURNS SETOF @extschema@.events_row
    LANGUAGE c VOLATILE PARALLEL SAFE CALLED ON NULL INPUT ROWS 4500
    AS 'MODULE_PATHNAME', 'thelook_generate_sessions';
COMMENT ON FUNCTION @extschema@.generate_sessions(bigint, bigint, text, text, text, timestamptz, timestamptz, int, int) IS
    'n anonymous browsing sessions (user_id NULL) as events rows, ending at times spread evenly over [start_at, end_at]. Deterministic with a seed; shard/shards split it.';

CREATE FUNCTION @extschema@.backfill(
    schema name DEFAULT 'demo',
    start_at timestamptz DEFAULT NULL,
    end_at timestamptz DEFAULT now(),
    avg_qps float8 DEFAULT 20,
    seed bigint DEFAULT NULL,
    user_create_prob float8 DEFAULT 0.05,
    ghost_create_prob float8 DEFAULT 0.2,
    init_num_users bigint DEFAULT 0,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    id_format text DEFAULT 'uuid4',
    OUT iterations bigint, OUT users bigint, OUT orders bigint, OUT order_items bigint,
    OUT events bigint, OUT total_rows bigint, OUT seconds float8, OUT rows_per_second float8)
RETURNS record
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'thelook_backfill';
COMMENT ON FUNCTION @extschema@.backfill(name, timestamptz, timestamptz, float8, bigint, float8, float8, bigint, text, text, text, text) IS
    'Writes into an already set-up schema the history a simulation would have produced between start_at and end_at: purchases as a Poisson process at avg_qps, new users and anonymous sessions, order lifecycles with realistic delays played out up to end_at (in-flight orders keep their status for a live simulation to continue). Bulk COPY-like writes in one transaction; see backfill_in_chunks to commit as it goes.';

CREATE PROCEDURE @extschema@.backfill_in_chunks(
    schema name DEFAULT 'demo',
    start_at timestamptz DEFAULT NULL,
    end_at timestamptz DEFAULT now(),
    avg_qps float8 DEFAULT 20,
    seed bigint DEFAULT NULL,
    user_create_prob float8 DEFAULT 0.05,
    ghost_create_prob float8 DEFAULT 0.2,
    init_num_users bigint DEFAULT 0,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    commit_rows bigint DEFAULT 1000000,
    id_format text DEFAULT 'uuid4')
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'thelook_backfill_in_chunks';
COMMENT ON PROCEDURE @extschema@.backfill_in_chunks(name, timestamptz, timestamptz, float8, bigint, float8, float8, bigint, text, text, text, bigint, text) IS
    'As backfill(), but commits every commit_rows rows when CALLed outside a transaction block, so a long back-fill holds no giant transaction and an interruption keeps what was committed. Reports a summary as a NOTICE.';
