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
