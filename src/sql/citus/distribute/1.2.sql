-- distribute(): a schema made by setup() as Citus tables, on a Citus coordinator (docs/citus.md).
CREATE FUNCTION @extschema@.distribute(
    schema name DEFAULT 'demo',
    shard_count int DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
AS $distribute$
DECLARE
    s text := quote_ident(schema);
    t text;
    missing text;
    workers int;
    without int;
    colocate text := 'default';
    -- Reference tables: small, read by every order, joined on any node.
    reference text[] := ARRAY['dist_centers', 'products'];
    -- Distributed by id, the only column their primary keys hold; the first four share one
    -- colocation group (all text ids, same shard count).
    distributed text[] := ARRAY['users', 'orders', 'order_items', 'events', 'heartbeat', 'incidents', 'injected_faults'];
    done text[] := '{}';
BEGIN
    IF schema IS NULL OR schema = '' THEN
        RAISE EXCEPTION 'parameter "schema" must not be empty'
            USING ERRCODE = '22023', HINT = 'Pass the schema that thelook.setup() made, such as ''demo''.';
    END IF;
    IF shard_count IS NOT NULL AND (shard_count < 1 OR shard_count > 64000) THEN
        RAISE EXCEPTION 'parameter "shard_count" must be between 1 and 64000'
            USING ERRCODE = '22023', DETAIL = format('The value was %s.', shard_count),
                  HINT = 'Pass NULL for Citus''s citus.shard_count, or a multiple of the number of workers.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') THEN
        RAISE EXCEPTION 'extension "citus" is not installed in this database'
            USING ERRCODE = '0A000',
                  HINT = 'Install Citus, add citus to shared_preload_libraries, run CREATE EXTENSION citus and citus_add_node() for each worker, then call thelook.distribute() on the coordinator.';
    END IF;
    IF NOT pg_catalog.citus_is_coordinator() THEN
        RAISE EXCEPTION 'this node is not the Citus coordinator'
            USING ERRCODE = '55000', HINT = 'Call thelook.distribute() on the coordinator.';
    END IF;
    IF to_regnamespace(schema) IS NULL THEN
        RAISE EXCEPTION 'schema "%" does not exist', schema
            USING ERRCODE = '3F000', HINT = format('Run SELECT thelook.setup(%L) first.', schema);
    END IF;
    SELECT string_agg(x, ', ') INTO missing FROM unnest(reference || distributed) AS x
     WHERE to_regclass(format('%s.%I', s, x)) IS NULL;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'schema "%" has no table %', schema, missing
            USING ERRCODE = '55000', HINT = format('Run SELECT thelook.setup(%L) first.', schema);
    END IF;
    IF to_regclass(format('%s.inventory_items', s)) IS NOT NULL THEN
        RAISE EXCEPTION 'schema "%" has the inventory tables, which thelook.distribute() does not support', schema
            USING ERRCODE = '0A000',
                  DETAIL = 'inventory_restocks has a unique index on (product_id, distribution_center_id), which Citus allows only on a table distributed by one of those columns.',
                  HINT = 'Set the schema up with inventory => false to run it on Citus.';
    END IF;
    -- The workers need the extension for the shards' defaults and for simulations run on them:
    -- Citus creates it there when it was created on the coordinator after citus_add_node(), or
    -- when the node was added after it.
    SELECT count(*), count(*) FILTER (WHERE NOT success OR result <> '1') INTO workers, without
      FROM pg_catalog.run_command_on_workers('SELECT count(*) FROM pg_extension WHERE extname = ''thelook_datagen''');
    IF without > 0 THEN
        RAISE EXCEPTION 'extension "thelook_datagen" is missing on % of the % workers', without, workers
            USING ERRCODE = '55000',
                  HINT = 'Run CREATE EXTENSION thelook_datagen on the coordinator after citus_add_node() for every worker (Citus then creates it on each), or on each worker.';
    END IF;

    FOREACH t IN ARRAY reference LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition WHERE logicalrelid = format('%s.%I', s, t)::regclass) THEN
            PERFORM pg_catalog.create_reference_table(format('%s.%I', s, t)::regclass);
            done := done || t;
        END IF;
    END LOOP;
    FOREACH t IN ARRAY distributed LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition WHERE logicalrelid = format('%s.%I', s, t)::regclass) THEN
            -- Citus takes a shard count only for a new colocation group.
            IF shard_count IS NULL OR colocate <> 'default' THEN
                PERFORM pg_catalog.create_distributed_table(format('%s.%I', s, t)::regclass, 'id', colocate_with => colocate);
            ELSE
                PERFORM pg_catalog.create_distributed_table(format('%s.%I', s, t)::regclass, 'id',
                                                            colocate_with => colocate, shard_count => shard_count);
            END IF;
            done := done || t;
        END IF;
        -- users, orders, order_items and events in one colocation group with users.
        IF t = 'users' THEN colocate := format('%s.users', s); END IF;
        IF t = 'events' THEN colocate := 'default'; END IF;
    END LOOP;
    -- create_*_table copied rows that were in the local tables into the shards; the shells'
    -- own heaps are emptied, so nothing is counted twice.
    FOREACH t IN ARRAY done LOOP
        PERFORM pg_catalog.truncate_local_data_after_distributing_table(format('%s.%I', s, t)::regclass);
    END LOOP;
    RETURN format('schema %s distributed over %s workers: reference tables %s; distributed by id %s (%s newly)',
                  s, workers, array_to_string(reference, ', '), array_to_string(distributed, ', '),
                  coalesce(array_to_string(done, ', '), 'none'));
END
$distribute$;
COMMENT ON FUNCTION @extschema@.distribute(name, int) IS
    'On a Citus coordinator: makes the tables of a schema set up by thelook.setup() Citus tables (docs/citus.md): products and dist_centers reference tables; users, orders, order_items and events distributed by id in one colocation group; heartbeat, incidents and injected_faults distributed by id. Rows already there move into the shards. Idempotent. 0A000 without Citus.';
