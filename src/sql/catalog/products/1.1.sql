CREATE FUNCTION @extschema@.products() RETURNS SETOF @extschema@.products_row
    LANGUAGE c STABLE PARALLEL SAFE ROWS 30000 AS 'MODULE_PATHNAME', 'thelook_products';
COMMENT ON FUNCTION @extschema@.products() IS
    'The product catalogue shipped with the extension (about 29,000 apparel products), shaped like the products table.';
