CREATE TYPE @extschema@.locations_row AS (
    country text, state text, city text, postal_code text, latitude float8, longitude float8,
    population float8);
