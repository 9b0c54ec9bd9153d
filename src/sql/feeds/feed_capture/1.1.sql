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
