CREATE OR REPLACE FUNCTION @extschema@.inject_incident(
    id int,
    kind text,
    magnitude float8 DEFAULT NULL,
    duration interval DEFAULT '10 minutes',
    start_at timestamptz DEFAULT NULL)
RETURNS timestamptz
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'thelook_inject_incident';
COMMENT ON FUNCTION @extschema@.inject_incident(int, text, float8, interval, timestamptz) IS
    'Injects an incident into a running simulation: spike (rate x magnitude, default 3), slump (x magnitude < 1, default 0.5), outage (no traffic, then a recovery at 1.5x) or checkout_failure (that share of purchases, default all, ends at the cart). duration and start_at are in simulated time (start_at default: the simulation''s now). Returns the simulated start; the incident begins after the calling transaction commits (nothing on rollback), at the simulation''s now then if that is later, and is recorded with the start it had in the schema''s incidents table.';
