CREATE VIEW @extschema@.simulations AS
    SELECT * FROM @extschema@.simulation_status() ORDER BY id;
COMMENT ON VIEW @extschema@.simulations IS
    'Simulations of this database and their counters (live while running): scheduled arrivals vs iterations done, rows written per table, errors, desired state.';
