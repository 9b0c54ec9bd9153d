CREATE TYPE @extschema@.dist_centers_row AS (id bigint, name text, latitude float8, longitude float8);
