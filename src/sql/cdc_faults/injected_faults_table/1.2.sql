-- injected_faults_table(): the schema's injected_faults table, quoted; 42P01 with a hint when the
-- schema has none (set up by 1.0), 22004 when schema is NULL (evolve_schema, large_transaction and
-- truncate_table call this first, so theirs is the same error).
CREATE OR REPLACE FUNCTION @extschema@.injected_faults_table(schema name)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $injected_faults_table$
BEGIN
    IF schema IS NULL THEN
        RAISE EXCEPTION 'parameter "schema" must not be NULL'
            USING ERRCODE = '22004', HINT = 'Pass the schema that thelook.setup() created, e.g. ''demo''.';
    END IF;
    IF to_regclass(format('%I.injected_faults', schema)) IS NULL THEN
        RAISE EXCEPTION 'relation "%.injected_faults" does not exist', schema
            USING ERRCODE = '42P01', HINT = format('Run SELECT thelook.setup(%L) again: it adds the table.', schema);
    END IF;
    RETURN format('%I.injected_faults', schema);
END
$injected_faults_table$;
COMMENT ON FUNCTION @extschema@.injected_faults_table(name) IS
    'The schema''s ground-truth table injected_faults as a quoted name; raises 42P01 when the schema has none.';
