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
