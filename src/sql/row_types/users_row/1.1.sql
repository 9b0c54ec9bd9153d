CREATE TYPE @extschema@.users_row AS (
    id text, first_name text, last_name text, email text, age int, gender text,
    street_address text, postal_code text, city text, state text, country text,
    latitude float8, longitude float8, traffic_source text,
    created_at timestamp, updated_at timestamp);
