CREATE TYPE @extschema@.products_row AS (
    id bigint, cost float8, category text, name text, brand text, retail_price float8,
    department text, sku text, distribution_center_id bigint);
