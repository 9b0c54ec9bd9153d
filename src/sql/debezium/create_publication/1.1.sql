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
