#!/usr/bin/env bash
# The extension on a Citus cluster: a coordinator and two workers (three clusters on private ports
# 7432-7434 + PORT_OFFSET, citus + thelook_datagen + pg_cron preloaded, wal_level=logical), each
# stopped at the end. Run by test/citus/run.sh inside the PostgreSQL 17 root that has Citus built.
# Checks: distribute() refuses a database without Citus; it lays the schema out (reference and
# distributed tables, colocation, the extension on every node); a simulation started on the
# coordinator writes through Citus (every row on the shard its id hashes to, the counters equal the
# rows, no orphans across shards, lifecycle updates reached their shards); the back-fill refuses a
# Citus table, and a back-filled plain schema distributed afterwards keeps every row; the SRFs give
# the same rows on the coordinator as on a worker; four sharded simulations, each on the worker
# holding its shard, write the rows the same four write into a plain schema on one server.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
PRELOAD=citus,thelook_datagen,pg_cron
export PRELOAD
nodes=()  # "host port" of coordinator, worker 1, worker 2
for i in 0 1 2; do
  start_cluster "citus$i" $((7432 + i)) "max_connections = 100" "citus.shard_count = 8" \
    "max_prepared_transactions = 100" "citus.enable_change_data_capture = on"
  nodes+=("$PGHOST $PGPORT")
done
on() {  # on NODE psql-args...: psql on node 0 (coordinator), 1 or 2
  local n=$1; shift
  PGHOST=${nodes[$n]% *} PGPORT=${nodes[$n]#* } q "$@"
}
for i in 0 1 2; do on "$i" -c "CREATE EXTENSION citus" >/dev/null; done

# 1. Without Citus in the database (the extension alone, Citus not created): 0A000 with a hint.
on 0 -c "CREATE DATABASE plain" >/dev/null 2>&1
out=$(PGDATABASE=plain on 0 -c "CREATE EXTENSION thelook_datagen" -c "SELECT thelook.setup('demo', 10, seed => 1)" \
        -c "\\set VERBOSITY verbose" -c "SELECT thelook.distribute('demo')" 2>&1 || true)
check "distribute() without Citus: 0A000 'extension \"citus\" is not installed' with a hint" \
  grep -q 'ERROR:  0A000: extension "citus" is not installed in this database' <<<"$out"
check "... and the hint says what to do" grep -q 'HINT:  Install Citus' <<<"$out"

# 2. The cluster: the workers added, then the extension (Citus creates it on every worker).
on 0 -c "SELECT citus_set_coordinator_host('${nodes[0]% *}', ${nodes[0]#* })" \
     -c "SELECT citus_add_node('${nodes[1]% *}', ${nodes[1]#* })" \
     -c "SELECT citus_add_node('${nodes[2]% *}', ${nodes[2]#* })" >/dev/null
check_eq "two active workers" "2" "$(on 0 -c "SELECT count(*) FROM pg_dist_node WHERE groupid <> 0 AND isactive")"
on 0 -c "CREATE EXTENSION thelook_datagen" >/dev/null
check_eq "the extension is on both workers" "1 1" \
  "$(on 1 -c "SELECT count(*) FROM pg_extension WHERE extname = 'thelook_datagen'") $(on 2 -c "SELECT count(*) FROM pg_extension WHERE extname = 'thelook_datagen'")"
out=$(on 1 -c "\\set VERBOSITY verbose" -c "SELECT thelook.distribute('demo')" 2>&1 || true)
check "distribute() on a worker: 55000 'not the Citus coordinator'" grep -q '55000: this node is not the Citus coordinator' <<<"$out"
out=$(on 0 -c "\\set VERBOSITY verbose" -c "SELECT thelook.distribute('nosuch')" 2>&1 || true)
check "distribute() of a schema not set up: 3F000 with the setup hint" grep -q "3F000: schema \"nosuch\" does not exist" <<<"$out"

# docs/citus.md's block, as written.
echo "# $(python3 "$(dirname "$0")/../readme_blocks.py" get citus_distribute | on 0 | tail -n 1)"
check_eq "products and dist_centers are reference tables" "dist_centers products" \
  "$(on 0 -c "SELECT string_agg(logicalrelid::regclass::text, ' ' ORDER BY 1) FROM pg_dist_partition WHERE partmethod = 'n' AND repmodel = 't' AND logicalrelid::regclass::text LIKE 'demo.%'" | sed 's/demo\.//g')"
check_eq "seven tables hash-distributed by id" "7" \
  "$(on 0 -c "SELECT count(*) FROM pg_dist_partition WHERE partmethod = 'h' AND column_to_column_name(logicalrelid, partkey) = 'id' AND logicalrelid::regclass::text LIKE 'demo.%'")"
check_eq "users, orders, order_items and events share one colocation group" "1" \
  "$(on 0 -c "SELECT count(DISTINCT colocationid) FROM pg_dist_partition WHERE logicalrelid IN ('demo.users'::regclass, 'demo.orders', 'demo.order_items', 'demo.events')")"
on 0 -c "SELECT thelook.distribute('demo')" >/dev/null
check_eq "distribute() again changes nothing" "1000 $(on 0 -c "SELECT count(*) FROM thelook.dist_centers()")" \
  "$(on 0 -c "SELECT (SELECT count(*) FROM demo.users) || ' ' || (SELECT count(*) FROM demo.dist_centers)")"
check_eq "the shells' own heaps are empty (the rows are in the shards)" "0" \
  "$(on 0 -c "SELECT sum(pg_relation_size(c.oid)) FROM pg_class c WHERE c.relnamespace = 'demo'::regnamespace AND c.relkind = 'r' AND c.relname IN ('users', 'products')")"

# placement_check SCHEMA TABLE: on each worker, rows of every shard of TABLE whose id hashes outside
# the shard's range, and the rows in all; prints "misplaced total".
placement_check() {
  local schema=$1 table=$2 n sql mis=0 tot=0 m t
  for n in 1 2; do
    sql=$(on 0 -c "SELECT coalesce(string_agg(format('SELECT count(*) FILTER (WHERE worker_hash(id) NOT BETWEEN %s AND %s), count(*) FROM %I.%I',
                          s.shardminvalue, s.shardmaxvalue, '$schema', '${table}_' || s.shardid), ' UNION ALL '), 'SELECT 0, 0')
                   FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid) JOIN pg_dist_node d USING (groupid)
                   WHERE s.logicalrelid = '$schema.$table'::regclass AND d.nodeport = ${nodes[$n]#* }")
    read -r m t <<<"$(on "$n" -F ' ' -c "SELECT sum(c1), sum(c2) FROM ($sql) AS x(c1, c2)")"
    mis=$((mis + m)); tot=$((tot + t))
  done
  echo "$mis $tot"
}
check_eq "the users are in their shards on the workers" "0 1000" "$(placement_check demo users)"

# CDC (citus.enable_change_data_capture): one pgoutput slot and publication per node, made before
# the simulation starts; read after it (section 4b).
for i in 0 1 2; do
  on "$i" -c "SET citus.enable_ddl_propagation TO off" -c "CREATE PUBLICATION thelook_pub FOR ALL TABLES" \
       -c "SELECT pg_create_logical_replication_slot('thelook_node', 'pgoutput')" >/dev/null
done

# 3. A simulation on the coordinator, writing through Citus.
id=$(on 0 -c "SELECT thelook.start_simulation('demo', avg_qps => 40, max_iter => 400, seed => 5, order_update_prob => 0.6, name => 'citus')")
for _ in $(seq 1 900); do
  [ "$(on 0 -c "SELECT state IN ('finished', 'failed') FROM thelook.simulations WHERE id = $id")" = t ] && break
  sleep 0.2
done
on 0 -c "SELECT format('# simulation: state %s, %s iterations, %s it/s, %s users + %s orders + %s items + %s events inserted, %s orders updated, %s errors (%s)',
                 state, iterations, round(achieved_qps::numeric, 1), users_inserted, orders_inserted, order_items_inserted, events_inserted,
                 orders_updated, total_errors, coalesce(last_error, '-')) FROM thelook.simulation_status() WHERE id = $id"
check_eq "the simulation finished 400 iterations without an error" "finished 400 0" \
  "$(on 0 -c "SELECT state || ' ' || iterations || ' ' || total_errors FROM thelook.simulation_status() WHERE id = $id")"
read -r su so si se <<<"$(on 0 -F ' ' -c "SELECT 1000 + users_inserted, orders_inserted - orders_deleted, order_items_inserted - order_items_deleted, events_inserted FROM thelook.simulation_status() WHERE id = $id")"
check "the simulation made orders" test "$so" -gt 0
for t in users:$su orders:$so order_items:$si events:$se; do
  check_eq "${t%%:*}: every row on the shard its id hashes to, as many as the simulation counted" "0 ${t#*:}" "$(placement_check demo "${t%%:*}")"
done
check_eq "no orphans across shards (items without order, orders and events without user)" "0 0 0" "$(on 0 -c "
  WITH o AS MATERIALIZED (SELECT id, user_id, status FROM demo.orders), u AS MATERIALIZED (SELECT id FROM demo.users),
       i AS MATERIALIZED (SELECT order_id, status FROM demo.order_items), e AS MATERIALIZED (SELECT user_id FROM demo.events)
  SELECT (SELECT count(*) FROM i WHERE NOT EXISTS (SELECT FROM o WHERE o.id = i.order_id)) || ' ' ||
         (SELECT count(*) FROM o WHERE NOT EXISTS (SELECT FROM u WHERE u.id = o.user_id)) || ' ' ||
         (SELECT count(*) FROM e WHERE e.user_id IS NOT NULL AND NOT EXISTS (SELECT FROM u WHERE u.id = e.user_id))")"
check_eq "lifecycle updates reached the shards: every item has its order's status" "0" "$(on 0 -c "
  WITH o AS MATERIALIZED (SELECT id, status FROM demo.orders), i AS MATERIALIZED (SELECT order_id, status FROM demo.order_items)
  SELECT count(*) FROM i JOIN o ON o.id = i.order_id WHERE i.status <> o.status")"
read -r moved counted <<<"$(on 0 -F ' ' -c "SELECT (SELECT count(*) FROM demo.orders WHERE status <> 'Processing'), orders_updated FROM thelook.simulation_status() WHERE id = $id")"
echo "# orders moved past Processing: $moved; orders_updated: $counted"
check "orders moved past Processing (as many as updated, at most)" test "$moved" -gt 0 -a "$moved" -le "$counted"
check_eq "status timestamps follow the status (shipped_at for Shipped/Delivered/Returned)" "0" \
  "$(on 0 -c "SELECT count(*) FROM demo.orders WHERE status IN ('Shipped', 'Delivered', 'Returned') AND shipped_at IS NULL")"

# 4b. CDC: each node's stream up to an end message emitted there, the union checked.
dsns=""
for i in 0 1 2; do
  on "$i" -c "SELECT pg_logical_emit_message(true, 'thelook_cdc_end', 'end')" >/dev/null
  dsns+="${dsns:+,}host=${nodes[$i]% *} port=${nodes[$i]#* } user=postgres dbname=postgres"
done
read -r cu co ci ce <<<"$(on 0 -F ' ' -c "SELECT users_inserted, orders_inserted, order_items_inserted, events_inserted FROM thelook.simulation_status() WHERE id = $id")"
cdc_out=$(/usr/bin/python3 "$(dirname "$0")/cdc_nodes.py" thelook_node thelook_pub demo "$dsns" \
            users="$cu" orders="$co" order_items="$ci" events="$ce" 2>&1) || true
echo "$cdc_out" | grep -v '^ok - \|^not ok - ' || true
while IFS= read -r line; do
  case $line in "ok - "*) check "CDC: ${line#ok - }" true ;; "not ok - "*) check "CDC: ${line#not ok - }" false ;; esac
done <<<"$cdc_out"
check "CDC: the reader ran its checks" grep -q '^# [0-9]* checks' <<<"$cdc_out"
for i in 0 1 2; do on "$i" -c "SELECT pg_drop_replication_slot('thelook_node')" >/dev/null; done

# 4. The back-fill: refuses Citus tables (0A000 naming the table); a plain schema back-filled and then
# distributed keeps every row.
out=$(on 0 -c "\\set VERBOSITY verbose" -c "SELECT * FROM thelook.backfill('demo', now() - interval '1 hour', now(), 5, seed => 3)" 2>&1 || true)
check "backfill() into Citus tables: 0A000 naming demo.users" \
  grep -q 'ERROR:  0A000: table "demo.users" is a Citus table: the back-fill cannot write it' <<<"$out"
check "... with a hint" grep -q 'HINT:  Back-fill a schema of plain tables and call thelook.distribute()' <<<"$out"
on 0 -c "SELECT thelook.setup('hist', 200, seed => 9)" >/dev/null
read -r bu bo bi be <<<"$(on 0 -F ' ' -c "SELECT users + 200, orders, order_items, events FROM thelook.backfill('hist', now() - interval '2 hours', now(), 2, seed => 9)")"
on 0 -c "SELECT thelook.distribute('hist')" >/dev/null
for t in users:$bu orders:$bo order_items:$bi events:$be; do
  check_eq "back-filled hist.${t%%:*} distributed afterwards: all rows in their shards" "0 ${t#*:}" "$(placement_check hist "${t%%:*}")"
done

# 5. The SRFs on the coordinator give what they give on a worker (and on one server).
srf="SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM thelook.generate_orders(500, seed => 4, start_at => '2026-01-01', end_at => '2026-02-01') AS x"
check_eq "generate_orders on the coordinator equals the same call on a worker" "$(on 1 -c "$srf")" "$(on 0 -c "$srf")"
check_eq "INSERT ... SELECT generate_users() into a distributed table, from the coordinator" "0 300" \
  "$(on 0 -c "SELECT thelook.setup('srf', 0)" -c "SELECT thelook.distribute('srf')" -c "INSERT INTO srf.users SELECT * FROM thelook.generate_users(300, 8)" >/dev/null; placement_check srf users)"

# 6. Figures for docs/citus.md (printed, never checked: timings do not decide pass/fail). The same
# simulation (2000 purchases asked at 5000/s, so it runs flat out) into a plain schema on the
# coordinator, into a distributed schema through the coordinator, and into a plain schema on a
# worker (what a shard-local writer on one node reaches); the back-fill's rate and distribute()'s.
wait_sim() {  # wait_sim NODE ID: until the simulation ends (3 minutes at most)
  local k
  for k in $(seq 1 900); do
    [ "$(on "$1" -c "SELECT state IN ('finished', 'failed') FROM thelook.simulations WHERE id = $2")" = t ] && return 0
    sleep 0.2
  done
  return 1
}
rate() {  # rate NODE SCHEMA: runs the simulation there, prints "it/s rows/s"
  local sid
  sid=$(on "$1" -c "SELECT thelook.start_simulation('$2', avg_qps => 5000, max_iter => 2000, seed => 21, name => 'rate_$2')")
  wait_sim "$1" "$sid" || true
  on "$1" -F ' ' -c "SELECT round(achieved_qps::numeric), round(achieved_qps::numeric * (users_inserted + users_updated + orders_inserted + orders_updated
                        + order_items_inserted + order_items_updated + events_inserted) / greatest(iterations, 1)) FROM thelook.simulation_status() WHERE id = $sid"
}
on 0 -c "SELECT thelook.setup('plain_c', 1000, seed => 42)" -c "SELECT thelook.setup('dist_c', 1000, seed => 42)" \
     -c "SELECT thelook.distribute('dist_c')" >/dev/null
on 1 -c "SET citus.enable_ddl_propagation TO off" -c "SELECT thelook.setup('plain_w', 1000, seed => 42)" >/dev/null
read -r pi pr <<<"$(rate 0 plain_c)"; read -r di dr <<<"$(rate 0 dist_c)"; read -r wi wr <<<"$(rate 1 plain_w)"
check_eq "thelook.simulations.runs_on: the coordinator's simulations run on the coordinator" "${nodes[0]% *}:${nodes[0]#* }" \
  "$(on 0 -c "SELECT string_agg(DISTINCT runs_on, ' ') FROM thelook.simulations")"
check_eq "thelook.simulations.runs_on: the worker's simulation runs on that worker" "${nodes[1]% *}:${nodes[1]#* }" \
  "$(on 1 -c "SELECT string_agg(DISTINCT runs_on, ' ') FROM thelook.simulations")"
check_eq "thelook.simulations.runs_on without Citus in the database: local" "local" \
  "$(PGDATABASE=plain on 0 -c "SELECT thelook.start_simulation('demo', max_iter => 3, seed => 1)" >/dev/null
     PGDATABASE=plain on 0 -c "SELECT string_agg(runs_on, ' ') FROM thelook.simulations")"
echo "# figure: simulation flat out: plain table on the coordinator $pi it/s ($pr rows/s); distributed through the coordinator $di it/s ($dr rows/s, ratio $(awk -v a="$di" -v b="$pi" 'BEGIN { printf "%.2f", a / b }')); plain table on a worker $wi it/s ($wr rows/s); load $(cut -d' ' -f1 /proc/loadavg)"
on 0 -c "SELECT thelook.setup('bf', 0, seed => 9)" >/dev/null
read -r brows bsec <<<"$(on 0 -F ' ' -c "SELECT total_rows, round(seconds::numeric, 2) FROM thelook.backfill('bf', now() - interval '4 hours', now(), 4, seed => 9, init_num_users => 1000)")"
t0=$(date +%s.%N); on 0 -c "SELECT thelook.distribute('bf')" >/dev/null; t1=$(date +%s.%N)
echo "# figure: back-fill into plain tables $brows rows in $bsec s ($(awk -v r="$brows" -v s="$bsec" 'BEGIN { printf "%d", r / s }') rows/s); distribute() moved them into the shards in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s ($(awk -v r="$brows" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", r / (b - a) }') rows/s)"

# 7. Sharded simulations on the nodes (docs/citus.md#sharded-simulations): shard k of 4, started on
# the worker holding shard k of a schema distributed with 4 shards, writes that worker's shard
# relations; the cluster's rows equal those of the same four simulations on one server (a plain
# schema on the coordinator), and every row is on its shard.
on 0 -c "SELECT thelook.setup('sh_p', 1000, seed => 42)" -c "SELECT thelook.setup('sh_d', 1000, seed => 42)" \
     -c "SELECT thelook.distribute('sh_d', 4)" >/dev/null
SHP="avg_qps => 5000, max_iter => 1500, seed => 42"
holder() {  # holder K: the node (1 or 2) holding shard K of sh_d.users
  local port
  port=$(on 0 -c "SELECT n.nodeport FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid) JOIN pg_dist_node n ON n.groupid = p.groupid
                  WHERE s.logicalrelid = 'sh_d.users'::regclass AND s.shardminvalue::bigint = -2147483648::bigint + $1::bigint * 1073741824")
  [ "$port" = "${nodes[1]#* }" ] && echo 1 || echo 2
}
out=$(on 0 -c "\\set VERBOSITY verbose" -c "SELECT thelook.start_simulation('sh_d', shard => 0, shards => 4)" 2>&1 || true)
check "a sharded simulation on the coordinator, which holds no shard: 55000, the hint names the node" \
  grep -q "55000: shard 0 of table \"sh_d.users\" is not on this node" <<<"$out"
check "... the hint names the node that holds it" grep -q "HINT:  Start it on the node holding the shard: ${nodes[$(holder 0)]% *}:${nodes[$(holder 0)]#* }" <<<"$out"
out=$(on "$(holder 0)" -c "\\set VERBOSITY verbose" -c "SELECT thelook.start_simulation('sh_d', shard => 0, shards => 8)" 2>&1 || true)
check "shards => 8 for tables of 4 shards: 22023" grep -q '22023: table "sh_d.users" has 4 shards, the simulation shards => 8' <<<"$out"
# docs/citus.md's query of the nodes holding each shard, as written but for the schema.
check_eq "docs/citus.md's query: shard k's node, for k = 0 to 3" "$(for k in 0 1 2 3; do printf '%s|%s ' "$k" "${nodes[$(holder "$k")]#* }"; done)" \
  "$(python3 "$(dirname "$0")/../readme_blocks.py" get citus_shard_nodes | sed 's/demo\./sh_d./' | on 0 | awk -F'|' '{ printf "%s|%s ", $1, $3 }')"
# CDC of the sharded simulations' direct writes into the shards: a slot on each node from here.
for i in 0 1 2; do on "$i" -c "SELECT pg_create_logical_replication_slot('thelook_sh', 'pgoutput')" >/dev/null; done
sh_ids=() sh_nodes=()
for k in 0 1 2 3; do
  n=$(holder "$k")
  sh_nodes+=("$n")
  sh_ids+=("$(on "$n" -c "SELECT thelook.start_simulation('sh_d', $SHP, shard => $k, shards => 4, name => 'sh_$k')")")
done
plain_ids=""
for k in 0 1 2 3; do plain_ids="$plain_ids${plain_ids:+,}$(on 0 -c "SELECT thelook.start_simulation('sh_p', $SHP, shard => $k, shards => 4)")"; done
for k in 0 1 2 3; do wait_sim "${sh_nodes[$k]}" "${sh_ids[$k]}" || true; done
for id in ${plain_ids//,/ }; do wait_sim 0 "$id" || true; done
sh_state="" sh_rate=""
for k in 0 1 2 3; do
  sh_state="$sh_state $(on "${sh_nodes[$k]}" -c "SELECT state || '/' || total_errors || '/' || (runs_on = '${nodes[${sh_nodes[$k]}]% *}:${nodes[${sh_nodes[$k]}]#* }') FROM thelook.simulations WHERE id = ${sh_ids[$k]}")"
  sh_rate="$sh_rate $(on "${sh_nodes[$k]}" -c "SELECT round(achieved_qps::numeric * (users_inserted + users_updated + orders_inserted + orders_updated
                        + order_items_inserted + order_items_updated + events_inserted) / greatest(iterations, 1)) FROM thelook.simulation_status() WHERE id = ${sh_ids[$k]}")"
done
check_eq "the four sharded simulations finished on their workers without errors, runs_on naming each" " finished/0/true finished/0/true finished/0/true finished/0/true" "$sh_state"
check_eq "... and the same four on one server (a plain schema) too" "4" \
  "$(on 0 -c "SELECT count(*) FROM thelook.simulations WHERE id IN ($plain_ids) AND state = 'finished' AND total_errors = 0")"
ep=$(PGHOST=${nodes[0]% *} PGPORT=${nodes[0]#* } entities_md5 sh_p)
ed=$(PGHOST=${nodes[0]% *} PGPORT=${nodes[0]#* } entities_md5 sh_d)
echo "# one server (rows:md5 of users orders items events): $ep"
echo "# the cluster:                                        $ed"
check_eq "the cluster's rows equal the one-server run's" "$ep" "$ed"
for t in users orders order_items events; do
  check_eq "sh_d.$t: every row on the shard its id hashes to" "0 $(on 0 -c "SELECT count(*) FROM sh_d.$t")" "$(placement_check sh_d "$t")"
done
read -r cu co ci ce <<<"$(for k in 0 1 2 3; do on "${sh_nodes[$k]}" -F ' ' -c "SELECT users_inserted, orders_inserted, order_items_inserted, events_inserted FROM thelook.simulation_status() WHERE id = ${sh_ids[$k]}"; done |
  awk '{ u += $1; o += $2; i += $3; e += $4 } END { print u, o, i, e }')"
for i in 0 1 2; do on "$i" -c "SELECT pg_logical_emit_message(true, 'thelook_cdc_end', 'end')" >/dev/null; done
cdc_out=$(THELOOK_NO_HEARTBEAT=1 /usr/bin/python3 "$(dirname "$0")/cdc_nodes.py" thelook_sh thelook_pub sh_d "$dsns" \
            users="$cu" orders="$co" order_items="$ci" events="$ce" 2>&1) || true
echo "$cdc_out" | grep -v '^ok - \|^not ok - ' || true
while IFS= read -r line; do
  case $line in "ok - "*) check "CDC of the sharded simulations: ${line#ok - }" true ;; "not ok - "*) check "CDC of the sharded simulations: ${line#not ok - }" false ;; esac
done <<<"$cdc_out"
for i in 0 1 2; do on "$i" -c "SELECT pg_drop_replication_slot('thelook_sh')" >/dev/null; done
echo "# figure: sharded simulations flat out on the workers, rows/s each:$sh_rate (through the coordinator: $dr rows/s); load $(cut -d' ' -f1 /proc/loadavg)"

echo "# $(grep -c 'ERROR\|FATAL\|PANIC' "${CLUSTERS[0]}/server.log" || true) ERROR lines in the coordinator's log; the last:"
grep 'ERROR\|FATAL\|PANIC' "${CLUSTERS[0]}/server.log" | tail -n 5 | sed 's/^/#   /' || true
check "no FATAL or PANIC on any node" bash -c "! grep -q 'FATAL\|PANIC' ${CLUSTERS[0]}/server.log ${CLUSTERS[1]}/server.log ${CLUSTERS[2]}/server.log"
finish
