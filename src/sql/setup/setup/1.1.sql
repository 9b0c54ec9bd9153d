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
