-- 1.2: also drops the feed's per-table logs (feed_log_<table>, made by feed_prepare 1.2).
CREATE OR REPLACE FUNCTION @extschema@.drop_feed(schema name DEFAULT 'demo')
RETURNS boolean
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    SET client_min_messages = warning
    AS $drop_feed$
DECLARE
    s text := quote_ident(schema);
    t text;
    feed_tables text[];
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('thelook.write_feed'), hashtext(schema));
    IF to_regclass(format('%s.feed_state', s)) IS NULL THEN
        RETURN false;
    END IF;
    FOR t IN SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
             WHERE g.tgname = 'thelook_feed_capture' AND c.relnamespace = schema::regnamespace LOOP
        EXECUTE format('DROP TRIGGER thelook_feed_capture ON %s.%I', s, t);
    END LOOP;
    EXECUTE format('SELECT tables FROM %s.feed_state', s) INTO feed_tables;
    FOREACH t IN ARRAY feed_tables LOOP
        EXECUTE format('DROP TABLE IF EXISTS %s.%I', s, 'feed_log_' || t);
    END LOOP;
    EXECUTE format('DROP TABLE %1$s.feed_log, %1$s.feed_state, %1$s.feed_files', s);
    RETURN true;
END
$drop_feed$;
COMMENT ON FUNCTION @extschema@.drop_feed(name) IS
    'Ends schema''s file feed: drops its capture triggers, feed_log and the feed_log_<table> logs (rows not yet written are lost), feed_state and feed_files. The files and the manifest stay. Returns false if there was no feed.';
