-- Called by write_feed: creates the feed on its first call, checks later calls against it, and
-- returns its state, locked until the calling transaction ends (one call per schema at a time).
-- 1.2: a NULL schema or directory is 22004 naming the parameter, with a hint (format() raised its
-- own 22004 without one). Each table of the feed gets a log of its own row type,
-- feed_log_<table>, numbered from feed_log's sequence: a simulation logs the rows it appends
-- directly there (no JSON, no text index); the trigger still logs other writers' rows into
-- feed_log. A feed created by 1.1 gets them at its first call after the update. The own logs
-- have no index (write_feed reads each once per call), and the sequence goes up by 1000: a
-- simulation numbers up to 1000 rows it logs together from one nextval (a feed created by 1.1
-- keeps its increment of 1, and a nextval per row).
CREATE OR REPLACE FUNCTION @extschema@.feed_prepare(
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
    IF schema IS NULL THEN
        RAISE EXCEPTION 'parameter "schema" must not be NULL'
            USING ERRCODE = '22004', HINT = 'Pass the schema whose rows the feed writes, e.g. ''demo''.';
    END IF;
    IF directory IS NULL THEN
        RAISE EXCEPTION 'parameter "directory" must not be NULL'
            USING ERRCODE = '22004', HINT = 'Pass the directory the feed''s files go to, e.g. ''/var/tmp/thelook_feed''.';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('thelook.write_feed'), hashtext(schema));
    IF to_regclass(format('%s.feed_state', s)) IS NULL THEN
        IF to_regclass(format('%s.users', s)) IS NULL THEN
            RAISE EXCEPTION 'schema "%" has no theLook tables', schema
                USING ERRCODE = '42P01', HINT = format('Run thelook.setup(%L) first.', schema);
        END IF;
        EXECUTE format($ddl$
            CREATE TABLE %1$s.feed_log (
                seq bigint GENERATED ALWAYS AS IDENTITY (INCREMENT BY 1000) PRIMARY KEY, table_name text NOT NULL, row jsonb NOT NULL);
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
    FOREACH t IN ARRAY st.tables LOOP
        IF to_regclass(format('%s.%I', s, 'feed_log_' || t)) IS NULL THEN
            -- LIKE: the table's columns as they are now, with their NOT NULL constraints. A table
            -- whose columns change later is written through INSERT and its trigger (the
            -- simulation's direct path wants theLook's columns), so this log's shape stays.
            EXECUTE format('CREATE TABLE %1$s.%2$I (seq bigint NOT NULL DEFAULT pg_catalog.nextval(%3$L::regclass), LIKE %1$s.%4$I)',
                           s, 'feed_log_' || t, pg_get_serial_sequence(format('%s.feed_log', s), 'seq'), t);
            SELECT c.relowner::regrole::name INTO owner FROM pg_class c WHERE c.oid = format('%s.%I', s, t)::regclass;
            IF owner <> current_user THEN
                EXECUTE format('GRANT INSERT ON %s.%I TO %I', s, 'feed_log_' || t, owner);
                EXECUTE format('GRANT USAGE ON SEQUENCE %s TO %I', pg_get_serial_sequence(format('%s.feed_log', s), 'seq'), owner);
            END IF;
        END IF;
    END LOOP;
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
    'Internal to thelook.write_feed: creates a schema''s file feed (feed_log, a feed_log_<table> for each table, feed_state, feed_files and the capture triggers) on its first call and returns the feed''s state, locked until the transaction ends.';
-- Only roles that may write the files may start a feed's log (it would grow with no one to drain it).
REVOKE ALL ON FUNCTION @extschema@.feed_prepare(name, text, text[], bigint, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.feed_prepare(name, text, text[], bigint, boolean) TO pg_write_server_files;
