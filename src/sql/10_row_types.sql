-- Row types of the theLook tables, in the reference column order. The set-returning functions
-- return them, so their output can be inserted into the tables with SELECT *.
CREATE TYPE @extschema@.users_row AS (
    id text, first_name text, last_name text, email text, age int, gender text,
    street_address text, postal_code text, city text, state text, country text,
    latitude float8, longitude float8, traffic_source text,
    created_at timestamp, updated_at timestamp);

CREATE TYPE @extschema@.orders_row AS (
    id text, user_id text, status text, num_of_items int,
    created_at timestamp, updated_at timestamp, returned_at timestamp, shipped_at timestamp,
    delivered_at timestamp, cancelled_at timestamp);

CREATE TYPE @extschema@.order_items_row AS (
    id text, order_id text, product_id bigint, status text, quantity int, sale_price float8,
    created_at timestamp, updated_at timestamp, shipped_at timestamp, delivered_at timestamp,
    returned_at timestamp, cancelled_at timestamp);

CREATE TYPE @extschema@.events_row AS (
    id text, user_id text, sequence_number int, session_id text, ip_address text, city text,
    state text, postal_code text, browser text, traffic_source text, uri text, event_type text,
    created_at timestamp);

CREATE TYPE @extschema@.products_row AS (
    id bigint, cost float8, category text, name text, brand text, retail_price float8,
    department text, sku text, distribution_center_id bigint);

CREATE TYPE @extschema@.dist_centers_row AS (id bigint, name text, latitude float8, longitude float8);

CREATE TYPE @extschema@.locations_row AS (
    country text, state text, city text, postal_code text, latitude float8, longitude float8,
    population float8);
