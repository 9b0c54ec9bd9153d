#!/usr/bin/env bash
# The direct picks' fallbacks (src/pg/writers/index_picks.cpp, docs/performance.md): where the
# index scan cannot stand in for the pick's SELECT, the SELECT runs, and the rows picked are the
# same. Each schema below is set up alike and runs the same seeded simulation; one leaves the
# tables as setup() made them (direct picks), each other takes away one thing the direct path
# needs. All must write exactly the reference's rows:
#   noidx     orders_open_id_idx dropped (the open-order pick has no index of setup's shape)
#   otheridx  orders_open_id_idx replaced by one with another predicate (open orders AND Returned):
#             were it scanned, a pick could land on a Returned order
#   nopk      the users' primary key replaced by a UNIQUE constraint (the user pick has no primary key)
#   off       thelook.direct_picks = off for the run (the SELECTs throughout)
#   reopen    thelook.keep_scans_open = off for the run (each pick opens and closes its tables and
#             scans, instead of rescanning the ones kept open since the transaction's last flush)
# (The other fallbacks, row-level security and no table-level SELECT, cannot be reached by a run
# that starts: start_simulation refuses a role without SELECT, INSERT and UPDATE on each table,
# and the direct inserts already leave tables with row-level security to the upsert.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
start_cluster direct-picks "${DIRECT_PICKS_PORT:-54963}"
SCHEMAS="ref noidx otheridx nopk off reopen"
PARAMS="avg_qps => 400, max_iter => 3000, seed => 42, id_format => 'uuid4', heartbeat_interval => '0'"
q -q -c "CREATE EXTENSION thelook_datagen"
for s in $SCHEMAS; do q -q -c "SELECT thelook.setup('$s', init_num_users => 300, seed => 3)" >/dev/null; done
q -q <<'SQL'
DROP INDEX noidx.orders_open_id_idx;
DROP INDEX otheridx.orders_open_id_idx;
CREATE INDEX orders_open_id_idx ON otheridx.orders (id) WHERE status IN ('Processing', 'Shipped', 'Delivered', 'Returned');
ALTER TABLE nopk.users DROP CONSTRAINT users_pkey CASCADE;
ALTER TABLE nopk.users ADD CONSTRAINT users_id_key UNIQUE (id);
SQL
check_eq "otheridx: the replacement index exists with its other predicate" "1" \
  "$(q -c "SELECT count(*) FROM pg_indexes WHERE schemaname = 'otheridx' AND indexdef LIKE '%Returned%'")"

ids=$(run_simulations "$PARAMS" ref noidx otheridx nopk)
# The last two alone, each with its setting off for the whole run.
ids="$ids,$(with_setting direct_picks off run_simulations "$PARAMS" off)"
ids="$ids,$(with_setting keep_scans_open off run_simulations "$PARAMS" reopen)"
check_runs_finished "$ids"

ref=$(entities_md5 ref)
echo "# reference (rows:md5 of users orders items events): $ref"
check "the reference moved orders on (picks of open orders happened): some are Shipped or later" \
  test "$(q -c "SELECT count(*) > 100 FROM ref.orders WHERE status <> 'Processing'")" = t
check "the reference updated users (picks of users happened)" \
  test "$(q -c "SELECT count(*) > 10 FROM ref.users WHERE updated_at > created_at")" = t
for s in noidx otheridx nopk off reopen; do
  check_eq "$s: exactly the reference's rows" "$ref" "$(entities_md5 "$s")"
done
finish
