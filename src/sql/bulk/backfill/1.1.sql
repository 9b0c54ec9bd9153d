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
