CREATE TYPE @extschema@.events_row AS (
    id text, user_id text, sequence_number int, session_id text, ip_address text, city text,
    state text, postal_code text, browser text, traffic_source text, uri text, event_type text,
    created_at timestamp);
