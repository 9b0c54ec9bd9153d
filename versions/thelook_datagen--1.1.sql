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
-- generate_inventory_items(): the initial stock of every product of the catalogue at its
-- distribution centre, as rows of the inventory_items table (without id): a count per product
-- uniform in [initial_min, initial_max] (a hash of the product id and the seed), all in stock from
-- stocked_at. setup(inventory => true) stocks a schema with it.
CREATE FUNCTION @extschema@.generate_inventory_items(
    initial_min int DEFAULT 5,
    initial_max int DEFAULT 30,
    stocked_at timestamp DEFAULT '2019-01-01',
    seed bigint DEFAULT 0)
RETURNS TABLE (product_id bigint, created_at timestamp, sold_at timestamp, cost float8,
               product_category text, product_name text, product_brand text,
               product_retail_price float8, product_department text, product_sku text,
               product_distribution_center_id bigint)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $inv$
BEGIN
    IF initial_min IS NULL OR initial_max IS NULL OR initial_min < 0 OR initial_max < initial_min THEN
        RAISE EXCEPTION 'parameters "initial_min" and "initial_max" must satisfy 0 <= initial_min <= initial_max'
            USING ERRCODE = '22023', DETAIL = format('They were %s and %s.', initial_min, initial_max),
                  HINT = 'Pass a range of items per product, such as 5 and 30.';
    END IF;
    RETURN QUERY
        SELECT p.id, stocked_at, NULL::timestamp, p.cost, p.category, p.name, p.brand, p.retail_price,
               p.department, p.sku, p.distribution_center_id
        FROM @extschema@.products() p,
             generate_series(1, initial_min + abs(hashint8extended(p.id, coalesce(seed, 0)) % (initial_max - initial_min + 1))::int);
END
$inv$;
COMMENT ON FUNCTION @extschema@.generate_inventory_items(int, int, timestamp, bigint) IS
    'The initial stock of every catalogue product at its distribution centre as inventory_items rows (no id): uniform in [initial_min, initial_max] items per product (deterministic per seed), in stock from stocked_at.';

-- setup(): the seven theLook tables in a schema, the catalogue, and the first users.
CREATE FUNCTION @extschema@.setup(
    schema name DEFAULT 'demo',
    init_num_users int DEFAULT 1000,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    seed bigint DEFAULT NULL,
    replica_identity text DEFAULT 'default',
    large_column boolean DEFAULT false,
    inventory boolean DEFAULT false)
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
    tables text[] := ARRAY['users', 'orders', 'order_items', 'events', 'products', 'dist_centers', 'heartbeat', 'incidents', 'injected_faults'];
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
        -- Ground truth of the incidents a scenario injects (not one of the reference tables).
        CREATE TABLE IF NOT EXISTS %1$s.incidents (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, simulation_id int, kind text NOT NULL,
            magnitude float8 NOT NULL, started_at timestamp NOT NULL, ended_at timestamp NOT NULL,
            origin text NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now(), target text);
        -- What a supply_problem covers (schemas set up before it had no such column).
        ALTER TABLE %1$s.incidents ADD COLUMN IF NOT EXISTS target text;
        -- Ground truth of the faults a scenario injects on purpose (bad records, late and duplicate
        -- events, CDC edge cases): one row per affected row, written in the same transaction.
        CREATE TABLE IF NOT EXISTS %1$s.injected_faults (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, simulation_id int,
            table_name text NOT NULL, row_id text NOT NULL, kind text NOT NULL, detail text,
            recorded_at timestamptz NOT NULL DEFAULT now());
        CREATE INDEX IF NOT EXISTS injected_faults_row_idx ON %1$s.injected_faults (table_name, row_id);
        -- What the simulation needs to pick an open order and to move an order's items
        -- without scanning.
        CREATE INDEX IF NOT EXISTS orders_open_id_idx ON %1$s.orders (id)
            WHERE status IN ('Processing', 'Shipped', 'Delivered');
        CREATE INDEX IF NOT EXISTS order_items_order_id_idx ON %1$s.order_items (order_id);
        $ddl$, s);

    IF large_column THEN
        -- users.profile: 4 kB per user, stored out of line (STORAGE EXTERNAL: never compressed
        -- into the row), so that an UPDATE that leaves it alone (an address change) logs it as an
        -- unchanged TOAST value: pgoutput's 'u', Debezium's __debezium_unavailable_value under
        -- replica identity default. New users get one from the default (the simulation's INSERTs
        -- name their columns).
        EXECUTE format($ddl$
            ALTER TABLE %1$s.users ADD COLUMN IF NOT EXISTS profile text DEFAULT repeat(md5(random()::text), 128);
            ALTER TABLE %1$s.users ALTER COLUMN profile SET STORAGE EXTERNAL;
            $ddl$, s);
    END IF;

    EXECUTE format('INSERT INTO %s.dist_centers SELECT * FROM @extschema@.dist_centers() ON CONFLICT (id) DO NOTHING', s);
    EXECUTE format('INSERT INTO %s.products SELECT * FROM @extschema@.products() ON CONFLICT (id) DO NOTHING', s);
    EXECUTE format('INSERT INTO %s.heartbeat (id, ts) VALUES (1, now()) ON CONFLICT (id) DO NOTHING', s);

    IF inventory THEN
        EXECUTE format($ddl$
            -- theLook's inventory: one row per physical item; a sold order item took one.
            CREATE TABLE IF NOT EXISTS %1$s.inventory_items (
                id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, product_id bigint,
                created_at timestamp, sold_at timestamp, cost float8, product_category text,
                product_name text, product_brand text, product_retail_price float8,
                product_department text, product_sku text, product_distribution_center_id bigint);
            -- Taking an unsold item is a probe of this index, whatever the size of the table.
            CREATE INDEX IF NOT EXISTS inventory_items_unsold_idx
                ON %1$s.inventory_items (product_id, product_distribution_center_id, id) WHERE sold_at IS NULL;
            -- Restocks: ordered when a level fell below the minimum, arrived after the lead time
            -- (arrived_at NULL: pending; at most one pending per product and centre).
            CREATE TABLE IF NOT EXISTS %1$s.inventory_restocks (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, simulation_id int,
                product_id bigint NOT NULL, distribution_center_id bigint NOT NULL,
                ordered_at timestamp NOT NULL, arrives_at timestamp NOT NULL, arrived_at timestamp,
                old_level int, quantity int NOT NULL, new_level int);
            CREATE UNIQUE INDEX IF NOT EXISTS inventory_restocks_pending_idx
                ON %1$s.inventory_restocks (product_id, distribution_center_id) WHERE arrived_at IS NULL;
            CREATE INDEX IF NOT EXISTS inventory_restocks_due_idx
                ON %1$s.inventory_restocks (arrives_at) WHERE arrived_at IS NULL;
            -- Ground truth of stock-outs: one row per item a shopper wanted and could not buy.
            CREATE TABLE IF NOT EXISTS %1$s.lost_sales (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, simulation_id int,
                product_id bigint NOT NULL, distribution_center_id bigint, user_id text,
                session_id text, lost_at timestamp NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now());
            $ddl$, s);
        EXECUTE format('INSERT INTO %1$s.inventory_items (product_id, created_at, sold_at, cost, product_category, '
                       'product_name, product_brand, product_retail_price, product_department, product_sku, '
                       'product_distribution_center_id) SELECT * FROM @extschema@.generate_inventory_items(seed => $1) '
                       'WHERE NOT EXISTS (SELECT FROM %1$s.inventory_items)', s) USING coalesce(seed, 0);
        tables := tables || ARRAY['inventory_items', 'inventory_restocks', 'lost_sales'];
    END IF;

    -- Top up to init_num_users, so that calling setup again adds nothing.
    EXECUTE format('SELECT count(*) FROM %s.users', s) INTO existing;
    IF existing < init_num_users THEN
        EXECUTE format('INSERT INTO %s.users SELECT * FROM @extschema@.generate_users($1, $2, $3, $4, $5)', s)
            USING init_num_users - existing, seed + existing, country, state, postal_code;
        GET DIAGNOSTICS added = ROW_COUNT;
    END IF;

    FOREACH t IN ARRAY tables LOOP
        EXECUTE format('ALTER TABLE %s.%I REPLICA IDENTITY %s', s, t, upper(replica_identity));
    END LOOP;
    RETURN format('schema %s ready: %s users added (%s in all), %s products, %s distribution centres',
                  s, added, existing + added,
                  (SELECT count(*) FROM @extschema@.products()), (SELECT count(*) FROM @extschema@.dist_centers()));
END
$setup$;
COMMENT ON FUNCTION @extschema@.setup(name, int, text, text, text, bigint, text, boolean, boolean) IS
    'Creates the theLook tables in schema (if missing), loads products and distribution centres, and tops users up to init_num_users. Idempotent. replica_identity: default or full. large_column: adds users.profile (4 kB, out of line) for unchanged-TOAST tests. inventory: also inventory_items (stocked by generate_inventory_items), inventory_restocks and lost_sales.';
-- Scenarios: named documents describing how the shop behaves beyond the reference (traffic over
-- the day and week, incidents, ...). See the README's "Scenarios" section for the layout.
CREATE FUNCTION @extschema@.scenario(scenario text)
RETURNS jsonb
    LANGUAGE c STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'thelook_resolve_scenario';
COMMENT ON FUNCTION @extschema@.scenario(text) IS
    'Resolves and validates a scenario (a name in thelook.scenarios or a JSON document, whose "base" names a stored scenario it overrides) and returns it as one document. Errors name the JSON path.';

CREATE TABLE @extschema@.scenarios (
    name text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9_.-]{1,63}$'),
    definition jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
    description text,
    owner name NOT NULL DEFAULT current_user,
    builtin boolean NOT NULL DEFAULT false);
COMMENT ON TABLE @extschema@.scenarios IS
    'Named scenarios: the built-in ones, and any role''s own (added with INSERT; each role may change only its own rows).';
-- Every role reads every scenario and manages its own; the built-ins belong to the extension's owner.
ALTER TABLE @extschema@.scenarios ENABLE ROW LEVEL SECURITY;
CREATE POLICY scenarios_read ON @extschema@.scenarios FOR SELECT USING (true);
CREATE POLICY scenarios_own ON @extschema@.scenarios FOR ALL
    USING (owner = current_user AND NOT builtin) WITH CHECK (owner = current_user AND NOT builtin);
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.scenarios TO PUBLIC;

-- A stored definition must resolve: checked on the way in, so a broken one never reaches a run.
CREATE FUNCTION @extschema@.scenarios_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $scenarios_check$
BEGIN
    IF NEW.definition ? 'base' AND NEW.definition->>'base' = NEW.name THEN
        RAISE EXCEPTION 'scenario.base: scenario "%" is its own base (a loop)', NEW.name
            USING ERRCODE = '22023', HINT = 'Name another scenario as the base.';
    END IF;
    PERFORM @extschema@.scenario(NEW.definition::text);
    RETURN NEW;
END
$scenarios_check$;
CREATE TRIGGER scenarios_check BEFORE INSERT OR UPDATE ON @extschema@.scenarios
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scenarios_check();

INSERT INTO @extschema@.scenarios (name, definition, description, builtin) VALUES
    ('reference', '{}',
     'The reference generator: traffic at a constant rate, no incidents (the default).', true),
    ('retail', '{"traffic": {"profile": "retail"}}',
     'An online shop''s day and week: quiet at night, a lunch peak and a larger evening peak, busier Fridays and weekends (UTC).', true),
    ('business_hours', '{"traffic": {"profile": "business_hours"}}',
     'A shop open Mon-Fri 08:00-20:00 and Sat 10:00-18:00, closed on Sunday, with a lunch peak (UTC).', true),
    ('retail_incidents', '{"base": "retail", "random_incidents": [
        {"kind": "spike", "per_day": 0.3, "magnitude": [2, 4], "duration": ["10 minutes", "1 hour"]},
        {"kind": "slump", "per_day": 0.2, "magnitude": [0.2, 0.6], "duration": ["30 minutes", "3 hours"]},
        {"kind": "outage", "per_day": 0.1, "duration": ["5 minutes", "30 minutes"]},
        {"kind": "checkout_failure", "per_day": 0.1, "duration": ["10 minutes", "1 hour"]}]}',
     'retail with random incidents: flash sales, storms, outages and checkout failures, recorded in the schema''s incidents table.', true),
    ('shoppers', '{"base": "retail", "shoppers": {"model": "sessions", "popularity": {"zipf_exponent": 1.0},
        "members": {"share": 0.2, "discount": 0.1}}}',
     'retail with shoppers who browse by the default transition matrix (about 3 % of visits buy), popular products (Zipf, exponent 1) and a 10 % member discount for one user in five.', true);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.scenarios', 'WHERE NOT builtin');
COMMENT ON FUNCTION @extschema@.scenarios_check() IS
    'Trigger of thelook.scenarios: a definition is stored only if it resolves and validates.';

CREATE FUNCTION @extschema@.traffic_intensity(
    scenario text DEFAULT 'reference',
    start_at timestamptz DEFAULT NULL,
    end_at timestamptz DEFAULT NULL,
    step interval DEFAULT '1 hour',
    avg_qps float8 DEFAULT 1,
    seed bigint DEFAULT 0,
    OUT bucket_start timestamptz, OUT bucket_end timestamptz, OUT intensity float8, OUT expected float8)
RETURNS SETOF record
    LANGUAGE c STABLE CALLED ON NULL INPUT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'thelook_traffic_intensity';
COMMENT ON FUNCTION @extschema@.traffic_intensity(text, timestamptz, timestamptz, interval, float8, bigint) IS
    'The scenario''s traffic shape between start_at and end_at, per step: intensity is the mean of m(t) (1 = avg_qps) and expected the arrivals avg_qps * integral of m(t), incidents included (random ones drawn as a back-fill with this seed starting at start_at draws them).';

CREATE FUNCTION @extschema@.product_popularity(
    scenario text DEFAULT 'reference',
    OUT product_id bigint, OUT rank int, OUT p_men float8, OUT p_women float8)
RETURNS SETOF record
    LANGUAGE c STABLE CALLED ON NULL INPUT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'thelook_product_popularity';
COMMENT ON FUNCTION @extschema@.product_popularity(text) IS
    'The scenario''s popularity law over the installed catalogue: each product''s rank and the probability that a man''s or a woman''s pick (an order item, a product page) is that product. Uniform without "shoppers.popularity".';
-- Live simulations: background workers writing theLook traffic at a Poisson rate.

-- Every simulation started in this database: its definition and its progress. The worker commits
-- its progress (counters, position in the arrival schedule, random generators' states) in the same
-- transaction as the rows it describes, so that after a crash or a restart the simulation continues
-- from its last committed transaction. Written only by the extension's functions and workers.
CREATE TABLE @extschema@.simulation_runs (
    id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name text,
    schema name NOT NULL,
    owner regrole NOT NULL,
    desired_state text NOT NULL DEFAULT 'running' CHECK (desired_state IN ('running', 'stopped')),
    state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'stopped', 'finished', 'failed')),
    last_error text,
    failures int NOT NULL DEFAULT 0,
    avg_qps float8 NOT NULL,
    max_iter bigint NOT NULL,
    user_create_prob float8 NOT NULL,
    user_update_prob float8 NOT NULL,
    order_update_prob float8 NOT NULL,
    ghost_create_prob float8 NOT NULL,
    filter_country text NOT NULL,
    filter_state text NOT NULL,
    filter_postal_code text NOT NULL,
    seed bigint NOT NULL,
    duration interval,
    heartbeat_interval interval NOT NULL,
    id_format text NOT NULL,
    scenario text NOT NULL,
    scenario_definition jsonb NOT NULL,
    time_scale float8 NOT NULL,
    simulated_start timestamptz,
    on_resume text NOT NULL CHECK (on_resume IN ('skip', 'catch_up')),
    keep_events interval,
    keep_orders interval,
    started_at timestamptz,
    resumed_at timestamptz,
    ended_at timestamptz,
    incarnation int NOT NULL DEFAULT 0,
    iterations bigint NOT NULL DEFAULT 0,
    run_seconds float8 NOT NULL DEFAULT 0,
    simulated_time timestamptz,
    counters jsonb NOT NULL DEFAULT '{}',
    progress jsonb,
    updated_at timestamptz)
    WITH (fillfactor = 50);
COMMENT ON TABLE @extschema@.simulation_runs IS
    'Every simulation started in this database: definition (parameters, resolved scenario, owner role), desired state (running/stopped), state, last error, and progress (iterations, run time, simulated clock, counters, random generators'' states), committed by the worker with each transaction''s rows. thelook.simulations shows it with the live counters.';
COMMENT ON COLUMN @extschema@.simulation_runs.incarnation IS
    'Bumped by each worker that takes the simulation on; a worker writes progress only while it is the latest.';
COMMENT ON COLUMN @extschema@.simulation_runs.progress IS
    'The generators'' states, the position in the arrival schedule, the incident plan, the simulated clock and the injected incidents (JSON; written by the worker, read when it resumes).';
GRANT SELECT ON @extschema@.simulation_runs TO PUBLIC;
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
    id_format text DEFAULT 'uuid4',
    scenario text DEFAULT 'reference',
    time_scale float8 DEFAULT 1,
    simulated_start timestamptz DEFAULT NULL,
    on_resume text DEFAULT 'skip',
    keep_events interval DEFAULT NULL,
    keep_orders interval DEFAULT NULL)
RETURNS int
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'thelook_start_simulation';
COMMENT ON FUNCTION @extschema@.start_simulation(name, float8, bigint, float8, float8, float8, float8, text, text, text, bigint, interval, interval, text, text, text, float8, timestamptz, text, interval, interval) IS
    'Starts a background worker, running as the calling role, that writes theLook traffic into schema at avg_qps iterations per second (a Poisson process shaped by the scenario''s traffic profile and incidents). id_format ''uuid7'' gives new orders, items and events time-ordered ids. time_scale > 1 runs a simulated clock that many times faster from simulated_start (default now). The simulation is kept in thelook.simulation_runs and resumed after a restart or a crash: on_resume ''skip'' drops the arrivals that fell due while it was down, ''catch_up'' writes them at a bounded rate. keep_events / keep_orders delete older events, and orders with their items, as it runs. Returns the simulation id.';

CREATE FUNCTION @extschema@.alter_simulation(
    id int,
    avg_qps float8 DEFAULT NULL,
    scenario text DEFAULT NULL,
    time_scale float8 DEFAULT NULL,
    user_create_prob float8 DEFAULT NULL,
    user_update_prob float8 DEFAULT NULL,
    order_update_prob float8 DEFAULT NULL,
    ghost_create_prob float8 DEFAULT NULL)
RETURNS boolean
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'thelook_alter_simulation';
COMMENT ON FUNCTION @extschema@.alter_simulation(int, float8, text, float8, float8, float8, float8, float8) IS
    'Changes a running simulation''s rate, scenario, time scale or probabilities (NULL keeps a value), within a second and without a gap or burst in its arrivals. Takes effect at once, whatever happens to the calling transaction. Only its owner or a superuser may.';

CREATE FUNCTION @extschema@.inject_incident(
    id int,
    kind text,
    magnitude float8 DEFAULT NULL,
    duration interval DEFAULT '10 minutes',
    start_at timestamptz DEFAULT NULL)
RETURNS timestamptz
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'thelook_inject_incident';
COMMENT ON FUNCTION @extschema@.inject_incident(int, text, float8, interval, timestamptz) IS
    'Injects an incident into a running simulation: spike (rate x magnitude, default 3), slump (x magnitude < 1, default 0.5), outage (no traffic, then a recovery at 1.5x) or checkout_failure (that share of purchases, default all, ends at the cart). duration and start_at are in simulated time (start_at default: the simulation''s now). Returns the simulated start; the incident is recorded in the schema''s incidents table.';

CREATE FUNCTION @extschema@.stop_simulation(id int) RETURNS boolean
    LANGUAGE c VOLATILE STRICT PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'thelook_stop_simulation';
COMMENT ON FUNCTION @extschema@.stop_simulation(int) IS
    'Stops a simulation of this database after its current transaction and waits for its worker to exit. The stop is kept: it is not resumed after a restart. Returns false if it had already ended.';

CREATE FUNCTION @extschema@.stop_all_simulations() RETURNS int
    LANGUAGE c VOLATILE PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'thelook_stop_all_simulations';
COMMENT ON FUNCTION @extschema@.stop_all_simulations() IS
    'Stops every running simulation of this database that the calling role may stop. Returns how many were stopped.';

CREATE FUNCTION @extschema@.resume_simulation(id int) RETURNS boolean
    LANGUAGE c VOLATILE STRICT PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'thelook_resume_simulation';
COMMENT ON FUNCTION @extschema@.resume_simulation(int) IS
    'Resumes a stopped, failed or interrupted simulation of this database from its last committed transaction, with a worker running as its role. Returns false if it was running already.';

CREATE FUNCTION @extschema@.forget_simulation(id int) RETURNS boolean
    LANGUAGE c VOLATILE STRICT PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'thelook_forget_simulation';
COMMENT ON FUNCTION @extschema@.forget_simulation(int) IS
    'Deletes the row of a simulation that is not running from thelook.simulation_runs (its data stays). Returns false if there was none.';

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
    OUT order_items_deleted bigint, OUT events_deleted bigint, OUT lost_sales bigint)
RETURNS SETOF record
    LANGUAGE c VOLATILE PARALLEL SAFE AS 'MODULE_PATHNAME', 'thelook_simulation_status';
COMMENT ON FUNCTION @extschema@.simulation_status() IS
    'One row per simulation of this database (thelook.simulation_runs, and any started under the 1.0 functions that still runs), with the live counters of those running.';

CREATE VIEW @extschema@.simulations AS
    SELECT * FROM @extschema@.simulation_status() ORDER BY id;
COMMENT ON VIEW @extschema@.simulations IS
    'Simulations of this database and their counters (live while running): scheduled arrivals vs iterations done, rows written per table, errors, desired state.';

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
-- CDC edge cases on demand (the live ones, deletes and primary-key updates, are the scenario's
-- faults.cdc): a large transaction, a schema change, a truncate. Each records its ground truth in
-- the schema's injected_faults table, in the same transaction.
-- schema's injected_faults table, quoted; 42P01 with a hint when the schema has none (set up by 1.0).
CREATE FUNCTION @extschema@.injected_faults_table(schema name)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $injected_faults_table$
BEGIN
    IF to_regclass(format('%I.injected_faults', schema)) IS NULL THEN
        RAISE EXCEPTION 'relation "%.injected_faults" does not exist', schema
            USING ERRCODE = '42P01', HINT = format('Run SELECT thelook.setup(%L) again: it adds the table.', schema);
    END IF;
    RETURN format('%I.injected_faults', schema);
END
$injected_faults_table$;
COMMENT ON FUNCTION @extschema@.injected_faults_table(name) IS
    'The schema''s ground-truth table injected_faults as a quoted name; raises 42P01 when the schema has none.';

CREATE FUNCTION @extschema@.large_transaction(schema name, orders int DEFAULT 100000)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $large_transaction$
DECLARE
    s text := quote_ident(schema);
    faults text := @extschema@.injected_faults_table(schema);
    ids text[];
    n_items bigint;
BEGIN
    IF orders IS NULL OR orders < 1 OR orders > 1000000 THEN
        RAISE EXCEPTION 'parameter "orders" must be between 1 and 1000000'
            USING ERRCODE = '22023', DETAIL = format('The value was %s.', coalesce(orders::text, 'NULL')),
                  HINT = 'A transaction of 100000 orders and their items (about 245000 rows) takes a few seconds; split larger ones.';
    END IF;
    -- The oldest orders still in Processing ship at once, as a warehouse's end-of-day batch does:
    -- one transaction holding every order and every item it moves. SKIP LOCKED: orders a running
    -- simulation is moving are left to it (waiting for them could deadlock with its transaction).
    EXECUTE format('SELECT coalesce(array_agg(id), ''{}'') FROM (SELECT id FROM %s.orders WHERE status = ''Processing''
                    ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) o', s) INTO ids USING orders;
    EXECUTE format('UPDATE %s.orders SET status = ''Shipped'', shipped_at = localtimestamp, updated_at = localtimestamp
                    WHERE id = ANY ($1)', s) USING ids;
    EXECUTE format('UPDATE %s.order_items SET status = ''Shipped'', shipped_at = localtimestamp, updated_at = localtimestamp
                    WHERE order_id = ANY ($1)', s) USING ids;
    GET DIAGNOSTICS n_items = ROW_COUNT;
    EXECUTE format('INSERT INTO %s (table_name, row_id, kind, detail) VALUES (''orders'', $1, ''large_transaction'', $2)', faults)
        USING txid_current()::text, format('%s orders, %s items shipped', cardinality(ids), n_items);
    RETURN cardinality(ids) + n_items;
END
$large_transaction$;
COMMENT ON FUNCTION @extschema@.large_transaction(name, int) IS
    'A large transaction for CDC tests: ships up to orders (at most 1000000) of the oldest Processing orders and their items in one transaction; returns the rows updated. Ground truth: a row of kind large_transaction in injected_faults whose row_id is the transaction id.';

CREATE FUNCTION @extschema@.evolve_schema(schema name, change text DEFAULT 'orders.loyalty_points')
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $evolve_schema$
DECLARE
    s text := quote_ident(schema);
    faults text := @extschema@.injected_faults_table(schema);
    tbl text;
    col text;
    ddl text;
BEGIN
    -- Additive changes only, with a constant default: no table rewrite (a catalogue change under a
    -- brief lock), old rows read the default, a running simulation keeps writing (its INSERTs name
    -- their columns, so new rows get the default; PostgreSQL replans its saved statements).
    CASE change
        WHEN 'orders.loyalty_points' THEN tbl := 'orders'; col := 'loyalty_points'; ddl := 'int NOT NULL DEFAULT 0';
        WHEN 'users.tier' THEN tbl := 'users'; col := 'tier'; ddl := 'text NOT NULL DEFAULT ''standard''';
        ELSE
            RAISE EXCEPTION 'parameter "change" must be ''orders.loyalty_points'' or ''users.tier'''
                USING ERRCODE = '22023', DETAIL = format('The value was %s.', coalesce(quote_literal(change), 'NULL')),
                      HINT = 'Each adds one column with a default, as a migration run during live traffic would.';
    END CASE;
    IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = format('%s.%I', s, tbl)::regclass AND attname = col AND NOT attisdropped) THEN
        RETURN format('%s.%s exists already', tbl, col);
    END IF;
    EXECUTE format('ALTER TABLE %s.%I ADD COLUMN %I %s', s, tbl, col, ddl);
    EXECUTE format('INSERT INTO %s (table_name, row_id, kind, detail) VALUES ($1, $2, ''schema_change'', $3)', faults)
        USING tbl, col, format('ADD COLUMN %s %s', col, ddl);
    RETURN format('%s.%s added (%s)', tbl, col, ddl);
END
$evolve_schema$;
COMMENT ON FUNCTION @extschema@.evolve_schema(name, text) IS
    'A schema change during live traffic: adds orders.loyalty_points (int, default 0) or users.tier (text, default ''standard''), once. Ground truth: a row of kind schema_change in injected_faults. Consumers see a new RELATION message.';

CREATE FUNCTION @extschema@.truncate_table(schema name, table_name text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $truncate_table$
DECLARE
    s text := quote_ident(schema);
    faults text := @extschema@.injected_faults_table(schema);
    tables text[];
    t text;
    n bigint;
    total bigint := 0;
BEGIN
    -- Tables whose loss leaves no dangling reference behind: events, and orders with their items.
    CASE table_name
        WHEN 'events' THEN tables := ARRAY['events'];
        WHEN 'orders' THEN tables := ARRAY['orders', 'order_items'];
        ELSE
            RAISE EXCEPTION 'parameter "table_name" must be ''events'' or ''orders'''
                USING ERRCODE = '22023', DETAIL = format('The value was %s.', coalesce(quote_literal(table_name), 'NULL')),
                      HINT = '''orders'' truncates order_items with it, in one TRUNCATE.';
    END CASE;
    FOREACH t IN ARRAY tables LOOP
        EXECUTE format('LOCK TABLE %s.%I IN ACCESS EXCLUSIVE MODE', s, t);
        EXECUTE format('SELECT count(*) FROM %s.%I', s, t) INTO n;
        EXECUTE format('INSERT INTO %s (table_name, row_id, kind, detail) VALUES ($1, ''*'', ''truncate'', $2)', faults)
            USING t, format('%s rows', n);
        total := total + n;
    END LOOP;
    EXECUTE format('TRUNCATE %s', (SELECT string_agg(format('%s.%I', s, x), ', ') FROM unnest(tables) x));
    RETURN total;
END
$truncate_table$;
COMMENT ON FUNCTION @extschema@.truncate_table(name, text) IS
    'Truncates events, or orders with order_items (one TRUNCATE), as a CDC test; returns the rows removed. Ground truth: one row of kind truncate per table in injected_faults (row_id ''*'').';
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
    id_format text DEFAULT 'uuid4',
    scenario text DEFAULT 'reference')
RETURNS SETOF @extschema@.orders_row
    LANGUAGE c VOLATILE PARALLEL SAFE CALLED ON NULL INPUT ROWS 1000
    AS 'MODULE_PATHNAME', 'thelook_generate_orders';
COMMENT ON FUNCTION @extschema@.generate_orders(bigint, bigint, bigint, text, text, text, timestamptz, timestamptz, timestamptz, int, int, text, text) IS
    'n orders shaped like the orders table. Order i is placed by user number h(i) of generate_users(users, seed, country, state, postal_code, start_at, end_at), after that user signed up and before end_at, and its lifecycle (ship, cancel, deliver, return with realistic delays) is played out up to as_of (NULL: end_at). Deterministic with a seed; shard/shards split it. id_format ''uuid7'' gives orders, items and events time-ordered ids. A scenario places the orders by its traffic shape and incidents.';

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
    id_format text DEFAULT 'uuid4',
    scenario text DEFAULT 'reference')
RETURNS SETOF @extschema@.order_items_row
    LANGUAGE c VOLATILE PARALLEL SAFE CALLED ON NULL INPUT ROWS 1450
    AS 'MODULE_PATHNAME', 'thelook_generate_order_items';
COMMENT ON FUNCTION @extschema@.generate_order_items(bigint, bigint, bigint, text, text, text, timestamptz, timestamptz, timestamptz, int, int, text, text) IS
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
    id_format text DEFAULT 'uuid4',
    scenario text DEFAULT 'reference')
RETURNS SETOF @extschema@.events_row
    LANGUAGE c VOLATILE PARALLEL SAFE CALLED ON NULL INPUT ROWS 7000
    AS 'MODULE_PATHNAME', 'thelook_generate_events';
COMMENT ON FUNCTION @extschema@.generate_events(bigint, bigint, bigint, text, text, text, timestamptz, timestamptz, timestamptz, int, int, text, text) IS
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
    shards int DEFAULT 1,
    scenario text DEFAULT 'reference')
RETURNS SETOF @extschema@.events_row
    LANGUAGE c VOLATILE PARALLEL SAFE CALLED ON NULL INPUT ROWS 4500
    AS 'MODULE_PATHNAME', 'thelook_generate_sessions';
COMMENT ON FUNCTION @extschema@.generate_sessions(bigint, bigint, text, text, text, timestamptz, timestamptz, int, int, text) IS
    'n anonymous browsing sessions (user_id NULL) as events rows, ending at times spread evenly over [start_at, end_at] (by the scenario''s traffic shape, if one is given). Deterministic with a seed; shard/shards split it.';

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
    scenario text DEFAULT 'reference',
    OUT iterations bigint, OUT users bigint, OUT orders bigint, OUT order_items bigint,
    OUT events bigint, OUT total_rows bigint, OUT seconds float8, OUT rows_per_second float8)
RETURNS record
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'thelook_backfill';
COMMENT ON FUNCTION @extschema@.backfill(name, timestamptz, timestamptz, float8, bigint, float8, float8, bigint, text, text, text, text, text) IS
    'Writes into an already set-up schema the history a simulation would have produced between start_at and end_at: purchases as a Poisson process at avg_qps shaped by the scenario (its incidents recorded in the schema''s incidents table), new users and anonymous sessions, order lifecycles with realistic delays played out up to end_at (in-flight orders keep their status for a live simulation to continue). Bulk COPY-like writes in one transaction; see backfill_in_chunks to commit as it goes.';

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
    id_format text DEFAULT 'uuid4',
    scenario text DEFAULT 'reference')
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'thelook_backfill_in_chunks';
COMMENT ON PROCEDURE @extschema@.backfill_in_chunks(name, timestamptz, timestamptz, float8, bigint, float8, float8, bigint, text, text, text, bigint, text, text) IS
    'As backfill(), but commits every commit_rows rows when CALLed outside a transaction block, so a long back-fill holds no giant transaction and an interruption keeps what was committed. Reports a summary as a NOTICE.';

-- The data's contract, as rules anyone can run: every row that breaks one, with the rule it
-- breaks. A scenario's bad records (faults.bad_records) break exactly one rule each and are listed
-- in the schema's injected_faults table; rows the generator writes otherwise break none. The
-- defect kinds and their columns are src/core/faults.cpp's defect_columns(); a test checks that
-- this function finds exactly the listed rows.
CREATE FUNCTION @extschema@.validate(schema name DEFAULT 'demo')
RETURNS TABLE (table_name text, row_id text, defect text, column_name text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $validate$
DECLARE
    s text := quote_ident(schema);
    uuid_re constant text := '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
    -- Leading or trailing whitespace, or a control character anywhere.
    stray_re constant text := '^\s|\s$|[[:cntrl:]]';
    out_of_range constant text := $r$ NOT (created_at >= '1990-01-01' AND created_at < '2100-01-01') $r$;
BEGIN
    IF to_regnamespace(s) IS NULL THEN
        RAISE EXCEPTION 'schema "%" does not exist', schema
            USING ERRCODE = '3F000', HINT = 'Pass the schema a simulation or back-fill writes, such as ''demo''.';
    END IF;
    RETURN QUERY EXECUTE format($q$
        SELECT 'users', id, 'null_required', 'email' FROM %1$s.users WHERE email IS NULL
        UNION ALL SELECT 'users', id, 'invalid_email', 'email' FROM %1$s.users WHERE position('@' IN email) = 0
        UNION ALL SELECT 'users', id, 'unknown_enum', 'gender' FROM %1$s.users WHERE gender NOT IN ('M', 'F')
        UNION ALL SELECT 'users', id, 'unknown_enum', 'traffic_source' FROM %1$s.users
            WHERE traffic_source NOT IN ('Search', 'Organic', 'Facebook', 'Email', 'Display')
        UNION ALL SELECT 'users', id, 'non_positive_number', 'age' FROM %1$s.users WHERE age <= 0
        UNION ALL SELECT 'users', id, 'timestamp_out_of_range', 'created_at' FROM %1$s.users WHERE %4$s
        UNION ALL SELECT 'users', id, 'stray_whitespace', 'first_name' FROM %1$s.users WHERE first_name ~ %3$L
        UNION ALL SELECT 'users', id, 'stray_whitespace', 'last_name' FROM %1$s.users WHERE last_name ~ %3$L

        UNION ALL SELECT 'orders', id, 'null_required', 'user_id' FROM %1$s.orders WHERE user_id IS NULL
        UNION ALL SELECT 'orders', id, 'unknown_enum', 'status' FROM %1$s.orders
            WHERE status NOT IN ('Processing', 'Shipped', 'Delivered', 'Returned', 'Cancelled')
        UNION ALL SELECT 'orders', id, 'non_positive_number', 'num_of_items' FROM %1$s.orders WHERE num_of_items <= 0
        UNION ALL SELECT 'orders', id, 'timestamp_out_of_range', 'created_at' FROM %1$s.orders WHERE %4$s

        UNION ALL SELECT 'order_items', id, 'null_required', 'order_id' FROM %1$s.order_items WHERE order_id IS NULL
        UNION ALL SELECT 'order_items', id, 'null_required', 'product_id' FROM %1$s.order_items WHERE product_id IS NULL
        UNION ALL SELECT 'order_items', id, 'non_positive_number', 'sale_price' FROM %1$s.order_items WHERE sale_price <= 0
        UNION ALL SELECT 'order_items', id, 'timestamp_out_of_range', 'created_at' FROM %1$s.order_items WHERE %4$s
        UNION ALL SELECT 'order_items', i.id, 'orphan_foreign_key', 'order_id' FROM %1$s.order_items i
            WHERE i.order_id IS NOT NULL AND NOT EXISTS (SELECT FROM %1$s.orders o WHERE o.id = i.order_id)
        UNION ALL SELECT 'order_items', i.id, 'orphan_foreign_key', 'product_id' FROM %1$s.order_items i
            WHERE i.product_id IS NOT NULL AND NOT EXISTS (SELECT FROM %1$s.products p WHERE p.id = i.product_id)

        UNION ALL SELECT 'events', id, 'null_required', 'session_id' FROM %1$s.events WHERE session_id IS NULL
        UNION ALL SELECT 'events', id, 'null_required', 'uri' FROM %1$s.events WHERE uri IS NULL
        UNION ALL SELECT 'events', id, 'unknown_enum', 'browser' FROM %1$s.events
            WHERE browser NOT IN ('Chrome', 'Safari', 'Firefox', 'Edge', 'IE', 'Other')
        UNION ALL SELECT 'events', id, 'unknown_enum', 'traffic_source' FROM %1$s.events
            WHERE traffic_source NOT IN ('Email', 'Adwords', 'YouTube', 'Facebook', 'Organic')
        UNION ALL SELECT 'events', id, 'non_positive_number', 'sequence_number' FROM %1$s.events WHERE sequence_number <= 0
        UNION ALL SELECT 'events', id, 'timestamp_out_of_range', 'created_at' FROM %1$s.events WHERE %4$s
        UNION ALL SELECT 'events', e.id, 'orphan_foreign_key', 'user_id' FROM %1$s.events e
            WHERE e.user_id IS NOT NULL AND NOT EXISTS (SELECT FROM %1$s.users u WHERE u.id = e.user_id)
        UNION ALL SELECT 'events', id, 'malformed_uuid', 'session_id' FROM %1$s.events WHERE session_id !~ %2$L
        UNION ALL SELECT 'events', id, 'malformed_uri', 'uri' FROM %1$s.events WHERE uri !~ '^/'
        UNION ALL SELECT 'events', id, 'stray_whitespace', 'city' FROM %1$s.events WHERE city ~ %3$L
        $q$, s, uuid_re, stray_re, out_of_range);
END
$validate$;
COMMENT ON FUNCTION @extschema@.validate(name) IS
    'The data contract''s rules over a theLook schema: every row that breaks one (a NULL where a value is required, an unknown enum value, a non-positive number, a timestamp outside 1990-2100, an orphan foreign key, a malformed uuid or uri, an e-mail without @, stray whitespace or control characters), with its defect kind and column. Bad records a scenario injects are listed in the schema''s injected_faults table: this finds exactly those.';

-- A built-in scenario with the faults on at rates a pipeline test would use.
INSERT INTO @extschema@.scenarios (name, definition, description, builtin) VALUES
    ('pipeline_faults', '{"faults": {"bad_records": {"rate": 0.01}, "late_events": {"share": 0.05}, "duplicate_events": {"share": 0.01}}}',
     'The reference traffic with 1 % bad records, 5 % late events (median lag 10 minutes) and 1 % duplicate events, all listed in the schema''s injected_faults table.', true);
-- File feeds: new rows of a theLook schema written as CSV or JSON Lines files into a directory,
-- Hive-style, each file renamed into place whole, listed in a manifest a reader resumes from.
-- See the README's "File feeds". Rows are captured at arrival by a statement trigger into
-- <schema>.feed_log (the row as inserted); thelook.write_feed() takes what is committed, deletes
-- it from the log and writes it out, in one transaction: no row is in two files, none is skipped.

-- The capture trigger of the feed's tables: one log row per inserted row, as inserted (floats in
-- full precision whatever the writing session's extra_float_digits).
CREATE FUNCTION @extschema@.feed_capture() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET extra_float_digits = 1
    AS $feed_capture$
BEGIN
    EXECUTE format('INSERT INTO %I.feed_log (table_name, row) SELECT %L, to_jsonb(n) FROM new_rows n',
                   TG_TABLE_SCHEMA, TG_TABLE_NAME);
    RETURN NULL;
END
$feed_capture$;
COMMENT ON FUNCTION @extschema@.feed_capture() IS
    'Trigger of the tables a file feed exports (created by thelook.write_feed): logs each inserted row, as inserted, into the schema''s feed_log.';

-- Called by write_feed: creates the feed on its first call, checks later calls against it, and
-- returns its state, locked until the calling transaction ends (one call per schema at a time).
CREATE FUNCTION @extschema@.feed_prepare(
    schema name, directory text, tables text[], seed bigint, include_existing boolean,
    OUT next_part bigint, OUT next_batch bigint, OUT manifest_bytes bigint, OUT feed_seed bigint,
    OUT feed_tables text[])
RETURNS record
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    SET client_min_messages = warning
    SET extra_float_digits = 1
    AS $feed_prepare$
DECLARE
    s text := quote_ident(schema);
    st record;
    t text;
    owner name;
    feed_list text[] := coalesce(tables, ARRAY['users', 'orders', 'order_items', 'events']);
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('thelook.write_feed'), hashtext(schema));
    IF to_regclass(format('%s.feed_state', s)) IS NULL THEN
        IF to_regclass(format('%s.users', s)) IS NULL THEN
            RAISE EXCEPTION 'schema "%" has no theLook tables', schema
                USING ERRCODE = '42P01', HINT = format('Run thelook.setup(%L) first.', schema);
        END IF;
        EXECUTE format($ddl$
            CREATE TABLE %1$s.feed_log (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, table_name text NOT NULL, row jsonb NOT NULL);
            CREATE INDEX feed_log_table_seq_idx ON %1$s.feed_log (table_name, seq);
            CREATE TABLE %1$s.feed_state (
                id int PRIMARY KEY DEFAULT 1 CHECK (id = 1), directory text NOT NULL, tables text[] NOT NULL,
                seed bigint NOT NULL, next_part bigint NOT NULL DEFAULT 1, next_batch bigint NOT NULL DEFAULT 1,
                manifest_bytes bigint NOT NULL DEFAULT 0, created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz);
            CREATE TABLE %1$s.feed_files (
                part bigint PRIMARY KEY, batch bigint NOT NULL, file text NOT NULL UNIQUE, table_name text NOT NULL,
                partition text NOT NULL, format text NOT NULL, rows bigint NOT NULL, bytes bigint NOT NULL,
                faults int NOT NULL, written_at timestamptz NOT NULL DEFAULT now());
            $ddl$, s);
        EXECUTE format('INSERT INTO %s.feed_state (directory, tables, seed) VALUES ($1, $2, $3)', s)
            USING directory, feed_list, seed;
        FOREACH t IN ARRAY feed_list LOOP
            -- Waits for transactions writing the table to end: rows they wrote are then visible to
            -- the copy below, and every later insert fires the trigger.
            EXECUTE format('CREATE TRIGGER thelook_feed_capture AFTER INSERT ON %s.%I REFERENCING NEW TABLE AS new_rows
                            FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.feed_capture()', s, t);
            SELECT c.relowner::regrole::name INTO owner FROM pg_class c WHERE c.oid = format('%s.%I', s, t)::regclass;
            IF owner <> current_user THEN
                EXECUTE format('GRANT INSERT ON %s.feed_log TO %I', s, owner);
            END IF;
            IF include_existing THEN
                EXECUTE format('INSERT INTO %s.feed_log (table_name, row) SELECT %L, to_jsonb(r) FROM %s.%I r', s, t, s, t);
            END IF;
        END LOOP;
    END IF;
    EXECUTE format('SELECT * FROM %s.feed_state FOR UPDATE', s) INTO st;
    IF st.directory <> directory THEN
        RAISE EXCEPTION 'schema "%" already feeds directory "%"', schema, st.directory
            USING ERRCODE = '22023',
                  HINT = format('A schema has one feed: pass directory => %L, or end it with thelook.drop_feed(%L).', st.directory, schema);
    END IF;
    IF tables IS NOT NULL AND st.tables <> tables THEN
        RAISE EXCEPTION 'parameter "tables" differs from the feed''s tables %', st.tables
            USING ERRCODE = '22023', HINT = 'Leave tables out after the first call, or end the feed with thelook.drop_feed().';
    END IF;
    next_part := st.next_part;
    next_batch := st.next_batch;
    manifest_bytes := st.manifest_bytes;
    feed_seed := st.seed;
    feed_tables := st.tables;
END
$feed_prepare$;
COMMENT ON FUNCTION @extschema@.feed_prepare(name, text, text[], bigint, boolean) IS
    'Internal to thelook.write_feed: creates a schema''s file feed (feed_log, feed_state, feed_files and the capture triggers) on its first call and returns the feed''s state, locked until the transaction ends.';
-- Only roles that may write the files may start a feed's log (it would grow with no one to drain it).
REVOKE ALL ON FUNCTION @extschema@.feed_prepare(name, text, text[], bigint, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.feed_prepare(name, text, text[], bigint, boolean) TO pg_write_server_files;

CREATE FUNCTION @extschema@.write_feed(
    schema name DEFAULT 'demo',
    directory text DEFAULT NULL,
    format text DEFAULT 'csv',
    tables text[] DEFAULT NULL,
    partition_by text DEFAULT 'date',
    scenario text DEFAULT NULL,
    max_rows bigint DEFAULT 1000000,
    seed bigint DEFAULT NULL,
    include_existing boolean DEFAULT true)
RETURNS TABLE(file text, table_name text, rows bigint)
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    SET DateStyle = 'ISO, YMD'
    SET extra_float_digits = 1
    AS 'MODULE_PATHNAME', 'thelook_write_feed';
COMMENT ON FUNCTION @extschema@.write_feed(name, text, text, text[], text, text, bigint, bigint, boolean) IS
    'Writes the rows inserted into schema''s tables (default users, orders, order_items, events) since the previous call as CSV or JSON Lines files under directory (an absolute path on the server), laid out table=<t>/date=<created_at date>/part-NNNNNN.<format> (events by event_type with partition_by => ''event_type''); each file is written under a temporary name and renamed, then listed in directory/_manifest.jsonl and schema.feed_files. The first call creates the feed (and exports the rows already there, unless include_existing is false). A scenario''s faults.files damages records on purpose, recorded in schema.injected_faults. At most max_rows rows per table per call. Needs superuser or pg_write_server_files; not inside a transaction block.';

CREATE FUNCTION @extschema@.drop_feed(schema name DEFAULT 'demo')
RETURNS boolean
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    SET client_min_messages = warning
    AS $drop_feed$
DECLARE
    s text := quote_ident(schema);
    t text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('thelook.write_feed'), hashtext(schema));
    IF to_regclass(format('%s.feed_state', s)) IS NULL THEN
        RETURN false;
    END IF;
    FOR t IN SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
             WHERE g.tgname = 'thelook_feed_capture' AND c.relnamespace = schema::regnamespace LOOP
        EXECUTE format('DROP TRIGGER thelook_feed_capture ON %s.%I', s, t);
    END LOOP;
    EXECUTE format('DROP TABLE %1$s.feed_log, %1$s.feed_state, %1$s.feed_files', s);
    RETURN true;
END
$drop_feed$;
COMMENT ON FUNCTION @extschema@.drop_feed(name) IS
    'Ends schema''s file feed: drops its capture triggers, feed_log (rows not yet written are lost), feed_state and feed_files. The files and the manifest stay. Returns false if there was no feed.';
