-- thelook_datagen 1.0 -> 1.1
\echo Use "ALTER EXTENSION thelook_datagen UPDATE TO '1.1'" to load this file. \quit
-- 1.1: scenarios (traffic over the day and week, incidents), time acceleration, alter_simulation,
-- inject_incident, the incidents table of setup(); durable simulations (thelook.simulation_runs,
-- resume_simulation, forget_simulation, on_resume, retention). Functions whose parameters changed
-- are dropped and created again; their new forms are the same text as in src/sql/ (t_upgrade.sh
-- compares).
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
COMMENT ON FUNCTION @extschema@.scenarios_check() IS
    'Trigger of thelook.scenarios: a definition is stored only if it resolves and validates.';

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

-- setup() adds the incidents table (also to schemas set up by 1.0), and with inventory => true the
-- inventory tables: a new parameter, so the 1.0 function goes.
DROP FUNCTION @extschema@.setup(name, int, text, text, text, bigint, text);
CREATE FUNCTION @extschema@.setup(
    schema name DEFAULT 'demo',
    init_num_users int DEFAULT 1000,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    seed bigint DEFAULT NULL,
    replica_identity text DEFAULT 'default',
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
COMMENT ON FUNCTION @extschema@.setup(name, int, text, text, text, bigint, text, boolean) IS
    'Creates the theLook tables in schema (if missing), loads products and distribution centres, and tops users up to init_num_users. Idempotent. replica_identity: default or full. inventory: also inventory_items (stocked by generate_inventory_items), inventory_restocks and lost_sales.';

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

-- stop_simulation and stop_all_simulations (1.0) act on this database only, and persistently.
COMMENT ON FUNCTION @extschema@.stop_simulation(int) IS
    'Stops a simulation of this database after its current transaction and waits for its worker to exit. The stop is kept: it is not resumed after a restart. Returns false if it had already ended.';
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

CREATE FUNCTION @extschema@.product_popularity(
    scenario text DEFAULT 'reference',
    OUT product_id bigint, OUT rank int, OUT p_men float8, OUT p_women float8)
RETURNS SETOF record
    LANGUAGE c STABLE CALLED ON NULL INPUT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'thelook_product_popularity';
COMMENT ON FUNCTION @extschema@.product_popularity(text) IS
    'The scenario''s popularity law over the installed catalogue: each product''s rank and the probability that a man''s or a woman''s pick (an order item, a product page) is that product. Uniform without "shoppers.popularity".';
