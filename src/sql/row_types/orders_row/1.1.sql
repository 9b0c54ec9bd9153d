CREATE TYPE @extschema@.orders_row AS (
    id text, user_id text, status text, num_of_items int,
    created_at timestamp, updated_at timestamp, returned_at timestamp, shipped_at timestamp,
    delivered_at timestamp, cancelled_at timestamp);
