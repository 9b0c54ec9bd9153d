-- Debezium builds topic names as prefix.schema.table and replaces characters Kafka does not
-- allow in a topic name with '_'.
CREATE FUNCTION @extschema@.kafka_topics(
    schema name DEFAULT 'demo',
    topic_prefix text DEFAULT 'ecomm')
RETURNS SETOF text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $kafka_topics$
    SELECT regexp_replace(topic_prefix || '.' || schema || '.' || t, '[^A-Za-z0-9._-]', '_', 'g')
      FROM unnest(ARRAY['dist_centers', 'events', 'heartbeat', 'order_items', 'orders', 'products', 'users']) AS t
     ORDER BY 1
$kafka_topics$;
COMMENT ON FUNCTION @extschema@.kafka_topics(name, text) IS
    'The Kafka topics Debezium writes the theLook tables of schema to: {topic_prefix}.{schema}.{table}, sorted.';
