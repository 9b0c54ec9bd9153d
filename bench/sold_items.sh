# add_sold_items SCHEMA N: N sold inventory items of a long history added to SCHEMA (set up with
# inventory => true), one per product in turn, then vacuumed and checkpointed. They are in the table
# and its primary key, never in the partial index of unsold items: what a take pays for a long
# history. Sourced by bench/run.sh (section 12) and bench/profile.sh (PROFILE_SOLD_ROWS).
add_sold_items() {
  q -q -c "INSERT INTO $1.inventory_items (product_id, created_at, sold_at, cost, product_category, product_name, product_brand,
             product_retail_price, product_department, product_sku, product_distribution_center_id)
           SELECT p.id, '2019-01-01'::timestamp + g * interval '1 second', '2019-01-02'::timestamp + g * interval '1 second', p.cost,
                  p.category, p.name, p.brand, p.retail_price, p.department, p.sku, p.distribution_center_id
             FROM generate_series(1, $2) g JOIN $1.products p ON p.id = (SELECT min(id) FROM $1.products) + g % 29120" \
       -c "VACUUM ANALYZE $1.inventory_items" -c "CHECKPOINT"
}
