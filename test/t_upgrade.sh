#!/usr/bin/env bash
# Upgrade paths from every released version: CREATE EXTENSION ... VERSION '1.0' (and '1.1'), a
# simulation running across ALTER EXTENSION UPDATE to the current version, then each upgraded
# database's extension objects compared with a fresh install: any drift between an object's
# definition and the upgrade scripts fails the test. Also: 1.0 + the assembled 1.0--1.1 upgrade
# equals the frozen 1.1 install.
source "$(dirname "$0")/lib.sh"
start_cluster upgrade "${UPGRADE_PORT:-54831}"
CURRENT=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$REPO/thelook_datagen.control")
RELEASED=(1.0 1.1)  # every released version: the frozen installs in versions/

# The scripts installed must be this checkout's: another checkout's "make install" may have run.
share=$("$PG_CONFIG" --sharedir)/extension
check "installed thelook_datagen--$CURRENT.sql is this checkout's src/sql/ (else: make install)" \
  cmp -s <("$REPO/src/sql/assemble.sh" "$CURRENT" "$REPO/src/sql/install.sql") "$share/thelook_datagen--$CURRENT.sql"
for f in "$REPO"/src/sql/upgrades/*--*.sql; do
  u=${f##*/}; u=${u%.sql}
  check "installed thelook_datagen--$u.sql is this checkout's src/sql/upgrades/$u.sql, assembled" \
    cmp -s <("$REPO/src/sql/assemble.sh" "${u##*--}" "$f") "$share/thelook_datagen--$u.sql"
done
for v in "${RELEASED[@]}"; do
  f=$REPO/versions/thelook_datagen--$v.sql
  check "installed ${f##*/} is this checkout's versions/${f##*/}" cmp -s "$f" "$share/${f##*/}"
  check_eq "update path $v -> $CURRENT" t \
    "$(q -c "SELECT path IS NOT NULL FROM pg_extension_update_paths('thelook_datagen') WHERE source = '$v' AND target = '$CURRENT'")"
done

q -q -c "CREATE DATABASE upgraded" -c "CREATE DATABASE fresh" -c "CREATE DATABASE from11"
export PGDATABASE=upgraded
wait_for_in() { local PGDATABASE=$1; shift; wait_for "$@"; }  # wait_for in database $1
ext_version() { q -c "SELECT extversion FROM pg_extension WHERE extname = 'thelook_datagen'"; }
orders() { q -c "SELECT count(*) FROM demo.orders"; }

echo "# database upgraded: 1.0, a simulation running, then ALTER EXTENSION UPDATE"
q -q -c "CREATE EXTENSION thelook_datagen VERSION '1.0'"
check_eq "created at 1.0" 1.0 "$(ext_version)"
q -q -c "SELECT thelook.setup('demo', init_num_users => 100)" >/dev/null
old=$(q -c "SELECT thelook.start_simulation('demo', avg_qps => 50)")
check "simulation $old started under 1.0 is running" wait_for "SELECT state = 'running' FROM thelook.simulations WHERE id = $old" 10
old_pid=$(q -c "SELECT pid FROM thelook.simulations WHERE id = $old")
sleep 2
n=$(orders)
check "it wrote orders under 1.0 ($n)" test "$n" -gt 0
q -q -c "ALTER EXTENSION thelook_datagen UPDATE TO '$CURRENT'"
check_eq "updated to $CURRENT" "$CURRENT" "$(ext_version)"
check_eq "simulation $old still listed in thelook.simulations, running, same worker" "running $old_pid" \
  "$(q -c "SELECT state || ' ' || pid FROM thelook.simulations WHERE id = $old")"
check "simulation $old still writes orders after the update (more than $n)" wait_for "SELECT count(*) > $n FROM demo.orders" 10
check_eq "stop_simulation($old) after the update" t "$(q -c "SELECT thelook.stop_simulation($old)")"
check_eq "simulation $old stopped, its worker gone" "stopped 0" \
  "$(q -c "SELECT state || ' ' || (SELECT count(*) FROM pg_stat_activity WHERE pid = $old_pid) FROM thelook.simulations WHERE id = $old")"
n=$(orders)
new=$(q -c "SELECT thelook.start_simulation('demo', avg_qps => 50)")
check "a simulation started after the update ($new) runs" wait_for "SELECT state = 'running' FROM thelook.simulations WHERE id = $new" 10
check "it writes orders (more than $n)" wait_for "SELECT count(*) > $n FROM demo.orders" 10
check_eq "it is kept in thelook.simulation_runs; the one started under 1.0 is not" "$new" \
  "$(q -c "SELECT string_agg(id::text, ',') FROM thelook.simulation_runs")"
check_eq "stop_simulation($new)" t "$(q -c "SELECT thelook.stop_simulation($new)")"
check_eq "no simulation errors" 0 "$(q -c "SELECT sum(total_errors) FROM thelook.simulations")"

echo "# database from11: 1.1 (the frozen install), a durable simulation running, then ALTER EXTENSION UPDATE"
PGDATABASE=from11 q -q -c "CREATE EXTENSION thelook_datagen VERSION '1.1'"
check_eq "created at 1.1" 1.1 "$(PGDATABASE=from11 ext_version)"
PGDATABASE=from11 q -q -c "SELECT thelook.setup('demo', init_num_users => 100)" >/dev/null
from11=$(PGDATABASE=from11 q -c "SELECT thelook.start_simulation('demo', avg_qps => 50, name => 'from11')")
check "simulation $from11 started under 1.1 is running" wait_for_in from11 "SELECT state = 'running' AND iterations > 0 FROM thelook.simulations WHERE id = $from11" 10
n11=$(PGDATABASE=from11 orders)
# A user's own views over the extension's view and function: the update must not need to drop them.
PGDATABASE=from11 q -q -c "CREATE VIEW public.my_simulations AS SELECT id, name, state, iterations FROM thelook.simulations" \
  -c "CREATE VIEW public.my_status AS SELECT id, lost_sales FROM thelook.simulation_status()"
# A file feed made under 1.1 (feed_log only), with rows logged and not yet written.
as_pg mkdir -p "$PGHOST/feed11"
PGDATABASE=from11 q -q -c "SET client_min_messages = warning" -c "SELECT thelook.setup('fd11', init_num_users => 20, seed => 2)" \
  -c "SELECT count(*) FROM thelook.write_feed('fd11', '$PGHOST/feed11')" \
  -c "INSERT INTO fd11.users SELECT * FROM thelook.generate_users(30, 5)" >/dev/null
PGDATABASE=from11 q -q -c "ALTER EXTENSION thelook_datagen UPDATE"
check_eq "database from11 updated to $CURRENT" "$CURRENT" "$(PGDATABASE=from11 ext_version)"
echo "# the feed made under 1.1 after the update: its first call makes the per-table logs"
fd11=$(PGDATABASE=from11 q -c "SELECT thelook.start_simulation('fd11', avg_qps => 200, time_scale => 3600, seed => 3)")
sleep 1
check_eq "the first call after the update writes the 30 users logged before it (and what the simulation wrote)" t \
  "$(PGDATABASE=from11 q -c "SELECT sum(rows) FILTER (WHERE table_name = 'users') >= 30 FROM thelook.write_feed('fd11', '$PGHOST/feed11')")"
check_eq "and makes the feed's per-table logs" 4 "$(PGDATABASE=from11 q -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'fd11' AND tablename LIKE 'feed\_log\_%'")"
sleep 1
PGDATABASE=from11 q -q -c "SELECT thelook.stop_simulation($fd11)"
fd11=$(PGDATABASE=from11 q -c "SELECT thelook.start_simulation('fd11', avg_qps => 200, time_scale => 3600, seed => 4)")
sleep 2
fd11_pid=$(PGDATABASE=from11 q -c "SELECT pid FROM thelook.simulations WHERE id = $fd11")
PGDATABASE=from11 q -q -c "SELECT thelook.stop_simulation($fd11)"
# Its table statistics are flushed as its worker exits.
wait_for "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = ${fd11_pid:-0}" 15 || true
sleep 1
PGDATABASE=from11 q -c "SELECT count(*) FROM thelook.write_feed('fd11', '$PGHOST/feed11')" >/dev/null
check "a simulation started since logs into them (feed_log_orders: $(PGDATABASE=from11 q -c "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relid = 'fd11.feed_log_orders'::regclass") inserted)" \
  test "$(PGDATABASE=from11 q -c "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relid = 'fd11.feed_log_orders'::regclass")" -gt 0
mkdir -p "$PGHOST/fd11"
for t in users orders order_items events; do PGDATABASE=from11 q -c "COPY (SELECT id FROM fd11.$t) TO STDOUT" >"$PGHOST/fd11/$t.ids"; done
check "every row of fd11's tables is in exactly one of the feed's files, before and after the update" \
  /usr/bin/python3 "$REPO/test/feed_ids.py" "$PGHOST/feed11" "$PGHOST/fd11"
check_eq "drop_feed('fd11') drops the per-table logs too" "t 0" \
  "$(PGDATABASE=from11 q -c "SELECT thelook.drop_feed('fd11')") $(PGDATABASE=from11 q -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'fd11' AND tablename LIKE 'feed%'")"
check_eq "a user's views over thelook.simulations and simulation_status() lived through the update" "1 1 local" \
  "$(PGDATABASE=from11 q -c "SELECT (SELECT count(*) FROM public.my_simulations WHERE id = $from11) || ' ' ||
                                    (SELECT count(*) FROM public.my_status WHERE id = $from11) || ' ' ||
                                    (SELECT runs_on FROM thelook.simulations WHERE id = $from11)")"
check "simulation $from11 still writes orders after the update (more than $n11)" \
  wait_for_in from11 "SELECT count(*) > $n11 FROM demo.orders" 10

echo "# a restart after the update: what was started under 1.1 is resumed, what was started under 1.0 ends with the server"
q -q -c "CREATE DATABASE legacy"
PGDATABASE=legacy q -q -c "CREATE EXTENSION thelook_datagen VERSION '1.0'" -c "SELECT thelook.setup('demo', init_num_users => 100)" >/dev/null
legacy=$(PGDATABASE=legacy q -c "SELECT thelook.start_simulation('demo', avg_qps => 50)")
PGDATABASE=legacy q -q -c "ALTER EXTENSION thelook_datagen UPDATE"
durable=$(q -c "SELECT thelook.start_simulation('demo', avg_qps => 50, name => 'durable')")
check "both run ($legacy in database legacy under the 1.0 functions, $durable here)" wait_for \
  "SELECT (SELECT state FROM thelook.simulations WHERE id = $durable) = 'running' AND (SELECT iterations FROM thelook.simulations WHERE id = $durable) > 0" 10
check_eq "simulation $legacy of database legacy runs across its ALTER EXTENSION UPDATE" running \
  "$(PGDATABASE=legacy q -c "SELECT state FROM thelook.simulations WHERE id = $legacy")"
n=$(q -c "SELECT iterations FROM thelook.simulations WHERE id = $durable")
restart_cluster
check "after the restart simulation $durable resumes by itself and goes on from $n iterations" wait_for \
  "SELECT state = 'running' AND iterations > $n FROM thelook.simulations WHERE id = $durable" 15
check_eq "simulation $legacy (started under 1.0) is gone from database legacy, no worker runs there" "0 0" \
  "$(PGDATABASE=legacy q -c "SELECT count(*) FROM thelook.simulations") $(q -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'thelook simulation' AND datname = 'legacy'")"
n11=$(PGDATABASE=from11 q -c "SELECT iterations FROM thelook.simulations WHERE id = $from11")
check "simulation $from11 (started under 1.1, updated across) resumes after the restart" \
  wait_for_in from11 "SELECT state = 'running' AND iterations > $n11 FROM thelook.simulations WHERE id = $from11" 15
check_eq "stop_simulation($from11) in database from11" t "$(PGDATABASE=from11 q -c "SELECT thelook.stop_simulation($from11)")"
check_eq "no simulation errors in database from11" 0 "$(PGDATABASE=from11 q -c "SELECT sum(total_errors) FROM thelook.simulations")"
check_eq "stop_simulation($durable)" t "$(q -c "SELECT thelook.stop_simulation($durable)")"
check_eq "generate_orders(10, seed => 1) gives 10 orders" 10 "$(q -c "SELECT count(*) FROM thelook.generate_orders(10, seed => 1)")"
q -q -c "SELECT thelook.setup('bf', init_num_users => 0)" >/dev/null
bf=$(q -c "SELECT orders || ' ' || total_rows FROM thelook.backfill('bf', now() - interval '1 day', now(), avg_qps => 0.02, seed => 1, init_num_users => 20)")
check "backfill into a new schema wrote orders ($bf: orders, rows)" test "${bf% *}" -gt 0
check_eq "bf.orders holds what backfill reported" "${bf% *}" "$(q -c "SELECT count(*) FROM bf.orders")"

echo "# database fresh: CREATE EXTENSION at $CURRENT"
PGDATABASE=fresh q -q -c "CREATE EXTENSION thelook_datagen"
check_eq "fresh database at $CURRENT" "$CURRENT" "$(PGDATABASE=fresh ext_version)"
same_orders="SELECT md5(string_agg(o::text, ',' ORDER BY o.id)) FROM thelook.generate_orders(50, seed => 7,
  start_at => '2024-01-01', end_at => '2024-03-01') o"
check_eq "generate_orders with a seed: the same rows in both databases" "$(PGDATABASE=fresh q -c "$same_orders")" "$(q -c "$same_orders")"

# A canonical description of the extension and of everything in schema thelook, one line per
# fact, "object | section line-number | text", sorted; no OIDs.
describe() {
  PGDATABASE=$1 q <<'SQL'
WITH ext AS (
  SELECT oid FROM pg_extension WHERE extname = 'thelook_datagen'
), nsp AS (
  SELECT oid FROM pg_namespace WHERE nspname = 'thelook'
), members AS (
  SELECT d.classid, d.objid, d.objsubid FROM pg_depend d, ext
   WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), parts AS (  -- what a member brings along: array types, row types, a composite type's relation
  WITH RECURSIVE p(classid, objid) AS (
    SELECT classid, objid FROM members
    UNION
    SELECT d.classid, d.objid FROM pg_depend d JOIN p ON (d.refclassid, d.refobjid) = (p.classid, p.objid)
     WHERE d.deptype IN ('i', 'a')
  ) SELECT * FROM p
), in_schema(classid, objid, objsubid) AS (
            SELECT 'pg_namespace'::regclass::oid, nsp.oid, 0 FROM nsp
  UNION ALL SELECT 'pg_class'::regclass, x.oid, 0 FROM pg_class x, nsp WHERE x.relnamespace = nsp.oid
  UNION ALL SELECT 'pg_proc'::regclass, x.oid, 0 FROM pg_proc x, nsp WHERE x.pronamespace = nsp.oid
  UNION ALL SELECT 'pg_type'::regclass, x.oid, 0 FROM pg_type x, nsp WHERE x.typnamespace = nsp.oid
  UNION ALL SELECT 'pg_constraint'::regclass, x.oid, 0 FROM pg_constraint x, nsp WHERE x.connamespace = nsp.oid
  UNION ALL SELECT 'pg_operator'::regclass, x.oid, 0 FROM pg_operator x, nsp WHERE x.oprnamespace = nsp.oid
  UNION ALL SELECT 'pg_opclass'::regclass, x.oid, 0 FROM pg_opclass x, nsp WHERE x.opcnamespace = nsp.oid
  UNION ALL SELECT 'pg_opfamily'::regclass, x.oid, 0 FROM pg_opfamily x, nsp WHERE x.opfnamespace = nsp.oid
  UNION ALL SELECT 'pg_collation'::regclass, x.oid, 0 FROM pg_collation x, nsp WHERE x.collnamespace = nsp.oid
  UNION ALL SELECT 'pg_conversion'::regclass, x.oid, 0 FROM pg_conversion x, nsp WHERE x.connamespace = nsp.oid
  UNION ALL SELECT 'pg_statistic_ext'::regclass, x.oid, 0 FROM pg_statistic_ext x, nsp WHERE x.stxnamespace = nsp.oid
  UNION ALL SELECT 'pg_ts_config'::regclass, x.oid, 0 FROM pg_ts_config x, nsp WHERE x.cfgnamespace = nsp.oid
  UNION ALL SELECT 'pg_ts_dict'::regclass, x.oid, 0 FROM pg_ts_dict x, nsp WHERE x.dictnamespace = nsp.oid
  UNION ALL SELECT 'pg_ts_parser'::regclass, x.oid, 0 FROM pg_ts_parser x, nsp WHERE x.prsnamespace = nsp.oid
  UNION ALL SELECT 'pg_ts_template'::regclass, x.oid, 0 FROM pg_ts_template x, nsp WHERE x.tmplnamespace = nsp.oid
), objs AS (
  SELECT o.classid, o.objid, o.objsubid,
         o.classid::regclass || ' ' || i.type || ' ' || i.identity AS key,
         CASE WHEN EXISTS (SELECT FROM members m WHERE (m.classid, m.objid, m.objsubid) = (o.classid, o.objid, o.objsubid))
              THEN 'member of the extension'
              WHEN EXISTS (SELECT FROM parts p WHERE (p.classid, p.objid) = (o.classid, o.objid))
              THEN 'not a member, part of one'
              ELSE 'NOT a member of the extension, nor part of one' END AS member
    FROM (SELECT * FROM members UNION SELECT * FROM in_schema) o,
         LATERAL pg_identify_object(o.classid, o.objid, o.objsubid) i
), procs AS (
  SELECT o.key, p.* FROM objs o JOIN pg_proc p ON o.classid = 'pg_proc'::regclass AND p.oid = o.objid
), rels AS (
  SELECT o.key, c.oid AS reloid, c.* FROM objs o JOIN pg_class c ON o.classid = 'pg_class'::regclass AND c.oid = o.objid
), types AS (
  SELECT o.key, t.oid AS typoid, t.* FROM objs o JOIN pg_type t ON o.classid = 'pg_type'::regclass AND t.oid = o.objid
), facts(key, sec, n, line) AS (
  SELECT 'pg_extension extension thelook_datagen', 'extension', 0::bigint,
         format('version %s, relocatable %s, schema %s, owner %s, config tables %s, conditions %s',
                e.extversion, e.extrelocatable, e.extnamespace::regnamespace, pg_get_userbyid(e.extowner),
                e.extconfig::regclass[], e.extcondition)
    FROM pg_extension e WHERE e.extname = 'thelook_datagen'
  UNION ALL SELECT key, 'member', 0, member FROM objs
  UNION ALL
  SELECT o.key, 'comment', 0, coalesce(quote_literal(d.description), '(none)')
    FROM objs o LEFT JOIN pg_description d ON (d.objoid, d.classoid, d.objsubid) = (o.objid, o.classid, o.objsubid)
  UNION ALL
  SELECT o.key, 'init privileges', 0, ip.privtype::text || ' ' || ip.initprivs::text
    FROM objs o JOIN pg_init_privs ip ON (ip.objoid, ip.classoid, ip.objsubid) = (o.objid, o.classid, o.objsubid)
  -- the schema
  UNION ALL
  SELECT o.key, 'schema', 0, format('owner %s, acl %s', pg_get_userbyid(s.nspowner), s.nspacl)
    FROM objs o JOIN pg_namespace s ON o.classid = 'pg_namespace'::regclass AND s.oid = o.objid
  UNION ALL
  SELECT o.key, 'default privileges', 0, format('for %s on %s: %s', pg_get_userbyid(da.defaclrole), da.defaclobjtype, da.defaclacl)
    FROM objs o JOIN pg_default_acl da ON o.classid = 'pg_namespace'::regclass AND da.defaclnamespace = o.objid
  -- functions and procedures
  UNION ALL
  SELECT key, 'function', 0,
         format('kind %s, volatility %s, parallel %s, strict %s, security definer %s, leakproof %s, cost %s, rows %s, config %s, owner %s, acl %s',
                prokind, provolatile, proparallel, proisstrict, prosecdef, proleakproof, procost, prorows, proconfig,
                pg_get_userbyid(proowner), proacl)
    FROM procs
  UNION ALL
  SELECT key, 'definition', l.n, l.line
    FROM procs, LATERAL regexp_split_to_table(
           CASE WHEN prokind = 'a' THEN format('aggregate, transition function %s', (SELECT aggtransfn FROM pg_aggregate WHERE aggfnoid = procs.oid))
                ELSE pg_get_functiondef(procs.oid) END, E'\n') WITH ORDINALITY l(line, n)
  -- relations: tables, views, indexes, sequences, composite types' relations
  UNION ALL
  SELECT key, 'relation', 0,
         format('kind %s, persistence %s, replica identity %s, options %s, row security %s/%s, owner %s, acl %s',
                relkind, relpersistence, relreplident, reloptions, relrowsecurity, relforcerowsecurity,
                pg_get_userbyid(relowner), relacl)
    FROM rels
  UNION ALL
  SELECT r.key, 'column', row_number() OVER (PARTITION BY r.key ORDER BY a.attnum),
         format('%I %s%s%s%s%s%s%s, acl %s, comment %s', a.attname, format_type(a.atttypid, a.atttypmod),
                CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
                ' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid),
                CASE WHEN a.attidentity <> '' THEN ' IDENTITY ' || a.attidentity::text ELSE '' END,
                CASE WHEN a.attgenerated <> '' THEN ' GENERATED ' || a.attgenerated::text ELSE '' END,
                CASE WHEN a.attcollation <> t.typcollation THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END,
                CASE WHEN a.attstattarget <> -1 THEN ' STATISTICS ' || a.attstattarget ELSE '' END,
                a.attacl, coalesce(quote_literal(col_description(r.reloid, a.attnum)), '(none)'))
    FROM rels r JOIN pg_attribute a ON a.attrelid = r.reloid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_attrdef ad ON (ad.adrelid, ad.adnum) = (a.attrelid, a.attnum)
  UNION ALL
  SELECT key, 'view definition', l.n, l.line
    FROM rels, LATERAL regexp_split_to_table(pg_get_viewdef(rels.reloid), E'\n') WITH ORDINALITY l(line, n)
   WHERE relkind IN ('v', 'm')
  UNION ALL SELECT key, 'index definition', 0, pg_get_indexdef(reloid) FROM rels WHERE relkind IN ('i', 'I')
  UNION ALL
  SELECT key, 'sequence', 0, format('%s start %s increment %s min %s max %s cache %s cycle %s',
                                    format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle)
    FROM rels JOIN pg_sequence s ON s.seqrelid = rels.reloid
  UNION ALL
  SELECT rels.key, 'trigger', 0, pg_get_triggerdef(tg.oid) || ' enabled ' || tg.tgenabled::text
    FROM rels JOIN pg_trigger tg ON tg.tgrelid = rels.reloid AND NOT tg.tgisinternal
  UNION ALL
  SELECT rels.key, 'policy', 0, format('%I %s %s to %s using %s check %s', pol.polname, pol.polcmd, pol.polpermissive,
                                       pol.polroles::regrole[], pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid))
    FROM rels JOIN pg_policy pol ON pol.polrelid = rels.reloid
  UNION ALL
  SELECT rels.key, 'rule', 0, pg_get_ruledef(ru.oid)
    FROM rels JOIN pg_rewrite ru ON ru.ev_class = rels.reloid AND ru.rulename <> '_RETURN'
  UNION ALL
  SELECT o.key, 'constraint', 0, pg_get_constraintdef(x.oid)
    FROM objs o JOIN pg_constraint x ON o.classid = 'pg_constraint'::regclass AND x.oid = o.objid
  -- types: composite types by their attributes, enums by their labels, domains by their base
  UNION ALL
  SELECT key, 'type', 0,
         format('type %s, category %s, base %s, element %s, not null %s, default %s, in/out %s/%s, owner %s, acl %s',
                typtype, typcategory, CASE WHEN typbasetype <> 0 THEN format_type(typbasetype, typtypmod) END,
                CASE WHEN typelem <> 0 THEN format_type(typelem, NULL) END, typnotnull, typdefault,
                typinput, typoutput, pg_get_userbyid(typowner), typacl)
    FROM types
  UNION ALL
  SELECT types.key, 'attribute', row_number() OVER (PARTITION BY types.key ORDER BY a.attnum),
         format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod))
    FROM types JOIN pg_attribute a ON a.attrelid = types.typrelid AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT types.key, 'label', row_number() OVER (PARTITION BY types.key ORDER BY en.enumsortorder), en.enumlabel
    FROM types JOIN pg_enum en ON en.enumtypid = types.typoid
)
SELECT key || ' | ' || sec || ' ' || lpad(n::text, 4, '0') || ' | ' || coalesce(line, '(null)')
  FROM facts ORDER BY key COLLATE "C", sec COLLATE "C", n, line COLLATE "C";
SQL
}

echo "# 1.0 + the assembled 1.0--1.1 upgrade against the frozen 1.1 install"
q -q -c "CREATE DATABASE to11" -c "CREATE DATABASE fresh11"
PGDATABASE=to11 q -q -c "CREATE EXTENSION thelook_datagen VERSION '1.0'" -c "ALTER EXTENSION thelook_datagen UPDATE TO '1.1'"
PGDATABASE=fresh11 q -q -c "CREATE EXTENSION thelook_datagen VERSION '1.1'"

dir=$PGHOST  # the cluster's directory: removed with it, kept with KEEP_CLUSTERS=1
for db in upgraded from11 fresh to11 fresh11; do describe $db >"$dir/$db.txt"; done
echo "# $(wc -l <"$dir/fresh.txt") facts about $(cut -d'|' -f1 "$dir/fresh.txt" | sort -u | wc -l) objects;" \
     "$(grep -c '| member 0000 | member of' "$dir/fresh.txt") extension members"
described() {  # a function's definition, a view's, a type's attributes, the schema's ACL
  grep -q '^pg_proc function thelook.setup(.* | definition 0001 | CREATE OR REPLACE FUNCTION thelook.setup(' "$1" &&
    grep -q '^pg_class view thelook.simulations | view definition 0001 | ' "$1" &&
    grep -q '^pg_type type thelook.users_row | attribute 0001 | id text$' "$1" &&
    grep -q '^pg_namespace schema thelook | schema 0000 | owner postgres, acl {.*=U/' "$1"
}
check "the descriptions hold functions, views, types and the schema's ACL" described "$dir/fresh.txt"
check "the frozen 1.1's description holds them too" described "$dir/fresh11.txt"
same_catalog() {  # same_catalog DESCRIPTION upgraded-db fresh-db
  if diff -U1 "$dir/$2.txt" "$dir/$3.txt" >"$dir/diff-$2.txt"; then
    check "$1 (extension members, schema thelook)" true
  else
    check "$1 (extension members, schema thelook); - upgraded, + fresh:" false
    sed 's/^/#   /' "$dir/diff-$2.txt"
  fi
}
same_catalog "1.0 + upgrade scripts = fresh $CURRENT" upgraded fresh
same_catalog "1.1 + upgrade scripts = fresh $CURRENT" from11 fresh
same_catalog "1.0 + the assembled 1.0--1.1 = the frozen 1.1 install" to11 fresh11
[ -z "${KEEP_CLUSTERS:-}" ] || echo "# descriptions kept in $dir/*.txt"

finish
