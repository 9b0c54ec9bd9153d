CREATE OR REPLACE FUNCTION @extschema@.resume_simulation(id int) RETURNS boolean
    LANGUAGE c VOLATILE STRICT PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'thelook_resume_simulation';
COMMENT ON FUNCTION @extschema@.resume_simulation(int) IS
    'Resumes a stopped, failed or interrupted simulation of this database from its last committed transaction, with a worker running as its role, once the calling transaction commits (nothing on rollback). Returns false if it was running already.';
