// Parsing of the tab-separated data files, on in-memory text (no dependency on data/).
#include "fixtures.hpp"

using namespace thelook;

TEST_CASE("parse_tsv: header, rows, CRLF and blank lines", "[catalog]") {
    const Table t = parse_tsv("id\tname\tprice\r\n1\tTee\t9.5\r\n\n2\t\t10\n", "test.tsv");
    REQUIRE(t.columns == std::vector<std::string>{"id", "name", "price"});
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[0] == std::vector<std::string>{"1", "Tee", "9.5"});
    CHECK(t.rows[1] == std::vector<std::string>{"2", "", "10"});  // an empty field is a field
    CHECK(t.column("id") == 0);
    CHECK(t.column("price") == 2);

    const Table header_only = parse_tsv("a\tb\n", "x");
    CHECK(header_only.columns.size() == 2);
    CHECK(header_only.rows.empty());
    CHECK(parse_tsv("", "x").columns.empty());
}

TEST_CASE("parse_tsv: a row with the wrong number of fields throws", "[catalog]") {
    fixtures::check_error([] { parse_tsv("a\tb\n1\t2\n3\n", "short.tsv"); }, sqlstate::kDataCorrupted, "short.tsv line 3");
    fixtures::check_error([] { parse_tsv("a\tb\n1\t2\t3\n", "long.tsv"); }, sqlstate::kDataCorrupted, "long.tsv");
}

TEST_CASE("Table::column: a missing column throws naming it", "[catalog]") {
    const Table t = parse_tsv("id\tname\n1\tx\n", "t");
    fixtures::check_error([&] { t.column("price"); }, sqlstate::kDataCorrupted, "\"price\"");
    // So do the loaders that need it.
    fixtures::check_error([&] { products_from_table(t); }, sqlstate::kDataCorrupted, "column");
    fixtures::check_error([&] { locations_from_table(t); }, sqlstate::kDataCorrupted, "column");
}

TEST_CASE("read_tsv_file: a missing file throws 58P01 naming it", "[catalog]") {
    const std::string path = "/nonexistent/thelook/products.tsv";
    fixtures::check_error([&] { read_tsv_file(path); }, sqlstate::kUndefinedFile, path);
    fixtures::check_error([] { Catalog::load("/nonexistent/thelook"); }, sqlstate::kUndefinedFile, "products.tsv");
}

TEST_CASE("products, dist centres, locations and names from tables", "[catalog]") {
    const Table pt = parse_tsv(
        "id\tcost\tcategory\tname\tbrand\tretail_price\tdepartment\tsku\tdistribution_center_id\n"
        "7\t12.5\tTops & Tees\tA Tee\tAcme\t25.00\tWomen\tABC\t3\n",
        "products.tsv");
    const auto products = products_from_table(pt);
    REQUIRE(products.size() == 1);
    CHECK(products[0].id == 7);
    CHECK(products[0].cost == 12.5);
    CHECK(products[0].category == "Tops & Tees");
    CHECK(products[0].name == "A Tee");
    CHECK(products[0].brand == "Acme");
    CHECK(products[0].retail_price == 25.0);
    CHECK(products[0].department == "Women");
    CHECK(products[0].sku == "ABC");
    CHECK(products[0].distribution_center_id == 3);

    // Columns are found by name, not position.
    const auto dcs = dist_centers_from_table(parse_tsv("longitude\tid\tname\tlatitude\n-89.9711\t1\tMemphis TN\t35.1174\n", "dc"));
    REQUIRE(dcs.size() == 1);
    CHECK(dcs[0].id == 1);
    CHECK(dcs[0].name == "Memphis TN");
    CHECK(dcs[0].latitude == Approx(35.1174));
    CHECK(dcs[0].longitude == Approx(-89.9711));

    const auto locs = locations_from_table(parse_tsv(
        "country\tstate\tcity\tpostal_code\tlatitude\tlongitude\tpopulation\nFrance\tIle-de-France\tParis\t75001\t48.86\t2.35\t17000\n",
        "locations"));
    REQUIRE(locs.size() == 1);
    CHECK(locs[0].country == "France");
    CHECK(locs[0].postal_code == "75001");
    CHECK(locs[0].population == 17000);

    CHECK(names_from_table(parse_tsv("name\nAnn\nBob\n", "names")) == std::vector<std::string>{"Ann", "Bob"});
}

TEST_CASE("malformed numbers are reported", "[catalog]") {
    const std::string header = "id\tcost\tcategory\tname\tbrand\tretail_price\tdepartment\tsku\tdistribution_center_id\n";
    fixtures::check_error([&] { products_from_table(parse_tsv(header + "x7\t1\tc\tn\tb\t2\tMen\ts\t1\n", "p")); },
                          sqlstate::kDataCorrupted, "x7");
    fixtures::check_error([&] { products_from_table(parse_tsv(header + "7\t1\tc\tn\tb\t\tMen\ts\t1\n", "p")); },
                          sqlstate::kDataCorrupted, "retail_price");
    fixtures::check_error([&] { products_from_table(parse_tsv(header + "7\t1.5x\tc\tn\tb\t2\tMen\ts\t1\n", "p")); },
                          sqlstate::kDataCorrupted, "cost");
}
