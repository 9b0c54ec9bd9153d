// SchemaWriter's reads of the schema's products table: the catalogue a simulation sells from.
#include "pg/bridge/datum.hpp"
#include "pg/writers/schema_writer.hpp"

namespace thelook::pg {

bool SchemaWriter::has_products() {
    std::string sql = "SELECT 1 FROM " + tables_.qualified("products") + " LIMIT 1";
    return pg_guard([&] {
        int rc = SPI_execute(sql.c_str(), true, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "thelook: reading products failed: %s", SPI_result_code_string(rc));
        return SPI_processed > 0;
    });
}

std::vector<Product> SchemaWriter::load_products() {
    std::string sql = "SELECT id, retail_price, cost, department, category, brand, name, sku, distribution_center_id FROM " +
                      tables_.qualified("products") + " ORDER BY id";
    uint64 n = pg_guard([&] {
        int rc = SPI_execute(sql.c_str(), true, 0);
        if (rc != SPI_OK_SELECT) elog(ERROR, "thelook: reading products failed: %s", SPI_result_code_string(rc));
        return SPI_processed;
    });
    std::vector<Product> products(n);
    for (uint64 i = 0; i < n; ++i) {
        const char *dept = nullptr, *category = nullptr, *brand = nullptr, *name = nullptr, *sku = nullptr;
        bool null_id = false, null_price = false, null_cost = false, null_dc = false;
        Datum id = 0, price = 0, cost = 0, dc = 0;
        pg_guard([&] {
            HeapTuple t = SPI_tuptable->vals[i];
            TupleDesc d = SPI_tuptable->tupdesc;
            id = SPI_getbinval(t, d, 1, &null_id);
            price = SPI_getbinval(t, d, 2, &null_price);
            cost = SPI_getbinval(t, d, 3, &null_cost);
            dept = SPI_getvalue(t, d, 4);
            category = SPI_getvalue(t, d, 5);
            brand = SPI_getvalue(t, d, 6);
            name = SPI_getvalue(t, d, 7);
            sku = SPI_getvalue(t, d, 8);
            dc = SPI_getbinval(t, d, 9, &null_dc);
        });
        products[i].sku = sku ? sku : "";
        products[i].distribution_center_id = null_dc ? 0 : DatumGetInt64(dc);
        products[i].id = null_id ? 0 : DatumGetInt64(id);
        products[i].retail_price = null_price ? 0 : DatumGetFloat8(price);
        products[i].cost = null_cost ? 0 : DatumGetFloat8(cost);
        products[i].department = dept ? dept : "";
        products[i].category = category ? category : "";
        products[i].brand = brand ? brand : "";
        products[i].name = name ? name : "";
    }
    return products;
}

}  // namespace thelook::pg
