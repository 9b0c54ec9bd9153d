-- generate_inventory_items(): the initial stock of every product of the catalogue at its
-- distribution centre, as rows of the inventory_items table (without id): a count per product
-- uniform in [initial_min, initial_max] (a hash of the product id and the seed), all in stock from
-- stocked_at. setup(inventory => true) stocks a schema with it.
CREATE FUNCTION @extschema@.generate_inventory_items(
    initial_min int DEFAULT 5,
    initial_max int DEFAULT 30,
    stocked_at timestamp DEFAULT '2019-01-01',
    seed bigint DEFAULT 0)
RETURNS TABLE (product_id bigint, created_at timestamp, sold_at timestamp, cost float8,
               product_category text, product_name text, product_brand text,
               product_retail_price float8, product_department text, product_sku text,
               product_distribution_center_id bigint)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $inv$
BEGIN
    IF initial_min IS NULL OR initial_max IS NULL OR initial_min < 0 OR initial_max < initial_min THEN
        RAISE EXCEPTION 'parameters "initial_min" and "initial_max" must satisfy 0 <= initial_min <= initial_max'
            USING ERRCODE = '22023', DETAIL = format('They were %s and %s.', initial_min, initial_max),
                  HINT = 'Pass a range of items per product, such as 5 and 30.';
    END IF;
    RETURN QUERY
        SELECT p.id, stocked_at, NULL::timestamp, p.cost, p.category, p.name, p.brand, p.retail_price,
               p.department, p.sku, p.distribution_center_id
        FROM @extschema@.products() p,
             generate_series(1, initial_min + abs(hashint8extended(p.id, coalesce(seed, 0)) % (initial_max - initial_min + 1))::int);
END
$inv$;
COMMENT ON FUNCTION @extschema@.generate_inventory_items(int, int, timestamp, bigint) IS
    'The initial stock of every catalogue product at its distribution centre as inventory_items rows (no id): uniform in [initial_min, initial_max] items per product (deterministic per seed), in stock from stocked_at.';
