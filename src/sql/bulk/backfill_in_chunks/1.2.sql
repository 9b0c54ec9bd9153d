CREATE PROCEDURE @extschema@.backfill_in_chunks(
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
    commit_rows bigint DEFAULT 1000000,
    id_format text DEFAULT 'uuid4',
    scenario text DEFAULT 'reference',
    workers int DEFAULT 1)
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'thelook_backfill_in_chunks';
COMMENT ON PROCEDURE @extschema@.backfill_in_chunks(name, timestamptz, timestamptz, float8, bigint, float8, float8, bigint, text, text, text, bigint, text, text, int) IS
    'As backfill(), but commits every commit_rows rows when CALLed outside a transaction block, so a long back-fill holds no giant transaction and an interruption keeps what was committed. Reports a summary as a NOTICE. workers > 1 (CALLed outside a transaction block) writes the same rows with that many background workers, each generating the whole history and writing every workers-th chunk.';
