-- A built-in scenario with the faults on at rates a pipeline test would use.
INSERT INTO @extschema@.scenarios (name, definition, description, builtin) VALUES
    ('pipeline_faults', '{"faults": {"bad_records": {"rate": 0.01}, "late_events": {"share": 0.05}, "duplicate_events": {"share": 0.01}}}',
     'The reference traffic with 1 % bad records, 5 % late events (median lag 10 minutes) and 1 % duplicate events, all listed in the schema''s injected_faults table.', true);
