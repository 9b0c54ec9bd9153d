CREATE TYPE @extschema@.order_items_row AS (
    id text, order_id text, product_id bigint, status text, quantity int, sale_price float8,
    created_at timestamp, updated_at timestamp, shipped_at timestamp, delivered_at timestamp,
    returned_at timestamp, cancelled_at timestamp);
