CREATE FUNCTION @extschema@.product_popularity(
    scenario text DEFAULT 'reference',
    OUT product_id bigint, OUT rank int, OUT p_men float8, OUT p_women float8)
RETURNS SETOF record
    LANGUAGE c STABLE CALLED ON NULL INPUT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'thelook_product_popularity';
COMMENT ON FUNCTION @extschema@.product_popularity(text) IS
    'The scenario''s popularity law over the installed catalogue: each product''s rank and the probability that a man''s or a woman''s pick (an order item, a product page) is that product. Uniform without "shoppers.popularity".';
