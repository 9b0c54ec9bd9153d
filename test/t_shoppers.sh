#!/usr/bin/env bash
# Shoppers who browse by a state machine, checked from the data alone: transition frequencies of
# a seeded live run against the default matrix (chi-square per row), conversion before and after
# switching to the campaign matrix with alter_simulation, coherent sessions, a campaign's share,
# window and UTM parameters, popularity (top 1 % of products) and department affinity from a
# back-fill, member and promotion prices exactly as configured, and the reference unchanged.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
start_cluster shoppers "${SHOPPERS_PORT:-54851}" "timezone = 'UTC'"
q >/dev/null <<'SQL'
CREATE EXTENSION thelook_datagen;
SELECT thelook.setup('shop', init_num_users => 2000, seed => 1);
SQL
py() { /usr/bin/python3 "$@"; }

# 1. Sessions by the default matrix for 12 s at 400 sessions/s, then the campaign matrix for 12 s.
sim=$(q -c "SELECT thelook.start_simulation('shop', avg_qps => 400, seed => 7, order_update_prob => 0,
              scenario => '{\"shoppers\": {\"model\": \"sessions\"}}')")
wait_for "SELECT iterations > 0 FROM thelook.simulations WHERE id = $sim" 10
sleep 12
t_switch=$(q -c "SELECT now() FROM (SELECT thelook.alter_simulation($sim,
                   scenario => '{\"shoppers\": {\"model\": \"sessions\", \"matrix\": \"campaign\"}}')) a")
sleep 12
q -c "SELECT thelook.stop_simulation($sim)" >/dev/null
check_eq "the view shows the scenario in force" "custom" "$(q -c "SELECT scenario FROM thelook.simulations WHERE id = $sim")"
q -c "SELECT e.session_id, e.event_type, e.created_at < ('$t_switch'::timestamptz - interval '1 second') AT TIME ZONE 'UTC' AS before,
             e.created_at >= ('$t_switch'::timestamptz + interval '1 second') AT TIME ZONE 'UTC' AS after_switch
        FROM shop.events e WHERE e.event_type NOT IN ('cancel', 'return')
       ORDER BY e.session_id, e.sequence_number" >"$PGHOST/events.txt"
result=$(py - "$PGHOST/events.txt" <<'PY'
import math, sys, collections
# The built-in matrices (src/core/shopper_section.cpp), written out again here.
default = {
 'start': {'home': .45, 'category': .20, 'product': .20, 'search': .15},
 'home': {'department': .35, 'category': .20, 'search': .15, 'product': .10, 'exit': .20},
 'department': {'category': .55, 'product': .15, 'home': .05, 'exit': .25},
 'category': {'product': .60, 'category': .10, 'search': .05, 'exit': .25},
 'search': {'product': .55, 'search': .15, 'category': .05, 'exit': .25},
 'product': {'product': .25, 'cart': .08, 'category': .15, 'search': .07, 'home': .03, 'exit': .42},
 'cart': {'checkout': .45, 'product': .20, 'exit': .35},
 'checkout': {'purchase': .65, 'cart': .10, 'exit': .25}}
campaign = dict(default)
campaign['product'] = {'product': .22, 'cart': .16, 'category': .12, 'search': .05, 'home': .02, 'exit': .43}
campaign['cart'] = {'checkout': .60, 'product': .15, 'exit': .25}
campaign['checkout'] = {'purchase': .75, 'cart': .05, 'exit': .20}
def conversion(m):
    p = collections.defaultdict(float); p['purchase'] = 1.0
    for _ in range(3000):
        for s, row in m.items():
            p[s] = sum(q * p[t] for t, q in row.items())
    return p['start']
sessions = collections.OrderedDict()
for line in open(sys.argv[1]):
    sid, kind, before, after = line.rstrip('\n').split('|')
    sessions.setdefault(sid, []).append((kind, before == 't', after == 't'))
def z_crit(df):  # chi-square critical value at p = 0.001 (Wilson-Hilferty)
    return df * (1 - 2 / (9 * df) + 3.090232306 * math.sqrt(2 / (9 * df))) ** 3
counts = collections.defaultdict(collections.Counter)
phase = {'before': [0, 0], 'after': [0, 0]}
for events in sessions.values():
    kinds = [k for k, _, _ in events]
    bought = 'purchase' in kinds
    pages = [k for k in kinds if k != 'purchase']
    # every session's last event is at its end: the phase is the one of its last event
    _, before, after = events[-1]
    key = 'before' if before else 'after' if after else None
    if key:
        phase[key][0] += 1; phase[key][1] += bought
    if not before:
        continue
    path = ['start'] + pages + ['purchase' if bought else 'exit']
    for a, b in zip(path, path[1:]):
        counts[a][b] += 1
worst = 0.0
rows = []
for state, row in default.items():
    n = sum(counts[state].values())
    if n < 100:
        continue
    stat = sum((counts[state][t] - n * p) ** 2 / (n * p) for t, p in row.items())
    extra = sum(c for t, c in counts[state].items() if t not in row)
    rows.append(f"{state}:{n}:{stat:.1f}/{z_crit(len(row) - 1):.1f}")
    if extra or stat > z_crit(len(row) - 1):
        worst = max(worst, 1.0)
out = [str(len(rows)), 'ok' if worst == 0 else 'bad', ' '.join(rows)]
for key, m in (('before', default), ('after', campaign)):
    n, k = phase[key]; p = conversion(m)
    z = (k - n * p) / math.sqrt(n * p * (1 - p))
    out.append(f"{key}:{n}:{k}:{k / n:.4f}:{p:.4f}:{z:.2f}")
print(' '.join(out))
PY
)
read -r nrows verdict rest <<<"$result"
echo "# transition rows checked: $nrows ($verdict); $rest"
check "transition frequencies match the default matrix (chi-square per row, p = 0.001)" test "$verdict" = ok
check "every row of the default matrix had enough transitions" test "$nrows" -eq 8
for phase in before after; do
  z=$(grep -o "$phase:[^ ]*" <<<"$rest" | cut -d: -f6)
  check "conversion $phase the switch is the matrix's within 4 sigma (z = $z)" py -c "import sys; sys.exit(0 if abs($z) < 4 else 1)"
done
check_eq "sessions are coherent: every purchased product was viewed and carted before, one order per purchasing session" "0|0|0" \
  "$(q -c "WITH s AS (SELECT session_id, min(user_id) AS user_id, count(*) FILTER (WHERE event_type = 'purchase') AS purchases,
                            max(created_at) AS ended FROM shop.events WHERE event_type NOT IN ('cancel', 'return') GROUP BY 1)
           SELECT (SELECT count(*) FROM shop.orders o JOIN shop.order_items i ON i.order_id = o.id
                    WHERE NOT EXISTS (SELECT FROM shop.events v JOIN s ON s.session_id = v.session_id
                                       WHERE s.user_id = o.user_id AND s.ended = o.created_at AND v.event_type = 'product'
                                         AND v.uri = '/product/' || i.product_id)) || '|' ||
                  (SELECT count(*) FROM s WHERE purchases > 0 AND (SELECT count(*) FROM shop.orders o
                                         WHERE o.user_id = s.user_id AND o.created_at = s.ended) <> 1) || '|' ||
                  (SELECT count(*) FROM shop.orders o JOIN s ON s.user_id = o.user_id AND s.ended = o.created_at
                    WHERE o.num_of_items <> s.purchases OR o.num_of_items <> (SELECT count(*) FROM shop.order_items i WHERE i.order_id = o.id))")"
check_eq "times increase with sequence_number in every session" "0" \
  "$(q -c "SELECT count(*) FROM (SELECT created_at < lag(created_at) OVER (PARTITION BY session_id ORDER BY sequence_number) AS back
                                   FROM shop.events) x WHERE back")"
check "searches carry a catalogue term" test "$(q -c "SELECT count(*) FROM shop.events WHERE event_type = 'search' AND uri ~ '^/search\?q=[a-z0-9%+.-]+$'")" -gt 100

# 2. A campaign: 40 % of sessions for 6 s from 3 s after the start, Email, landing with UTM.
q -c "SELECT thelook.setup('camp', init_num_users => 500, seed => 2)" >/dev/null
camp=$(q -c "SELECT thelook.start_simulation('camp', avg_qps => 300, seed => 8, order_update_prob => 0, duration => '12 seconds',
               scenario => '{\"shoppers\": {\"model\": \"sessions\", \"campaigns\": [{\"name\": \"black friday\", \"channel\": \"Email\",
                             \"after\": \"3 seconds\", \"duration\": \"6 seconds\", \"share\": 0.4, \"landing\": \"/promo/bf\", \"discount\": 0.2}]}}')")
check "the campaign simulation finished" wait_for "SELECT state = 'finished' FROM thelook.simulations WHERE id = $camp" 40
# The campaign's "after" counts from the simulated clock's origin (the worker's first instant, a
# little after started_at, which the call records): read it from the saved progress.
read -r start_t <<<"$(q -c "SELECT to_timestamp((progress->'clock'->>'sim')::bigint / 1e6) AT TIME ZONE 'UTC' FROM thelook.simulation_runs WHERE id = $camp")"
# A visit belongs to the campaign whose window holds its first page: sessions by their first page.
q -c "WITH s AS (SELECT session_id, min(created_at) AS began, min(traffic_source) AS channel,
                        (array_agg(uri ORDER BY sequence_number))[1] AS landing
                   FROM camp.events WHERE event_type NOT IN ('cancel', 'return') GROUP BY 1)
      SELECT extract(epoch FROM began - '$start_t'::timestamp), channel, landing FROM s" >"$PGHOST/campaign.txt"
result=$(py - "$PGHOST/campaign.txt" <<'PY'
import math, sys
from urllib.parse import urlsplit, parse_qs
inside = attributed = outside_attributed = email_outside_window = email_inside_plain = bad_utm = 0
for line in open(sys.argv[1]):
    t, channel, landing = line.rstrip('\n').split('|')
    t = float(t)
    u = urlsplit(landing); q = parse_qs(u.query)
    is_campaign = 'utm_campaign' in q
    if is_campaign and not (u.path == '/promo/bf' and q == {'utm_source': ['newsletter'], 'utm_medium': ['email'], 'utm_campaign': ['black friday']} and channel == 'Email'):
        bad_utm += 1
    if 3.2 <= t <= 8.8:
        inside += 1; attributed += is_campaign
        email_inside_plain += channel == 'Email' and not is_campaign
    elif t < 2.8 or t > 9.2:
        outside_attributed += is_campaign
z = (attributed - 0.4 * inside) / math.sqrt(inside * 0.4 * 0.6)
print(inside, attributed, f"{z:.2f}", outside_attributed, email_inside_plain, bad_utm)
PY
)
read -r inside attributed z outside plain bad <<<"$result"
echo "# campaign: $attributed of $inside sessions in its window (40 % expected, z = $z); outside: $outside; bad UTM: $bad"
check "the campaign's share within 4 sigma of 0.4" py -c "import sys; sys.exit(0 if abs($z) < 4 else 1)"
check_eq "no attribution outside the window" "0" "$outside"
check_eq "while it runs, every Email session is the campaign's" "0" "$plain"
check_eq "UTM parameters parse back to the campaign (urllib)" "0" "$bad"

# 3. Popularity, affinity and prices from a back-fill: each order item of the reference flow is one
#    pick by the law, so thelook.product_popularity() gives its exact chances.
q -c "SELECT thelook.setup('pop', init_num_users => 0)" >/dev/null
scenario='{"shoppers": {"popularity": {"zipf_exponent": 1}, "members": {"share": 0.2, "discount": 0.1},
           "promotions": [{"category": "Jeans", "discount": 0.25, "at": "2026-10-10T00:00:00Z", "duration": "5 days"}]}}'
q -c "SELECT orders FROM thelook.backfill('pop', '2026-10-01 00:00+00', '2026-11-01 00:00+00', avg_qps => 0.05, seed => 9,
                                          init_num_users => 3000, scenario => '$scenario')" >/dev/null
q -c "CREATE TABLE pop.law AS SELECT l.*, p.department FROM thelook.product_popularity('$scenario') l JOIN pop.products p ON p.id = l.product_id;
      CREATE TABLE pop.sold AS SELECT i.product_id, u.gender FROM pop.order_items i JOIN pop.orders o ON o.id = i.order_id JOIN pop.users u ON u.id = o.user_id" >/dev/null
zscore() { py -c "import math; print(f'{($1 - $2) / math.sqrt($3):.2f}')"; }
read -r obs exp var <<<"$(q -F ' ' -c "WITH top AS (SELECT sum(p_men) AS m, sum(p_women) AS w FROM pop.law WHERE rank <= (SELECT count(*) / 100 FROM pop.law))
    SELECT count(*) FILTER (WHERE l.rank <= (SELECT count(*) / 100 FROM pop.law)),
           sum(CASE s.gender WHEN 'M' THEN top.m ELSE top.w END), sum(CASE s.gender WHEN 'M' THEN top.m * (1 - top.m) ELSE top.w * (1 - top.w) END)
      FROM pop.sold s JOIN pop.law l USING (product_id), top")"
z=$(zscore "$obs" "$exp" "$var")
echo "# popularity: $obs items from the top 1 % of products; the law predicts $(py -c "print(round($exp))") (z = $z)"
check "the top 1 % of products sell as the Zipf law predicts (4 sigma)" py -c "import sys; sys.exit(0 if abs($z) < 4 else 1)"
read -r obs exp var <<<"$(q -F ' ' -c "WITH d AS (SELECT sum(p_men) FILTER (WHERE department = 'Men') AS m, sum(p_women) FILTER (WHERE department = 'Women') AS w FROM pop.law)
    SELECT count(*) FILTER (WHERE l.department = CASE s.gender WHEN 'M' THEN 'Men' ELSE 'Women' END),
           sum(CASE s.gender WHEN 'M' THEN d.m ELSE d.w END), sum(CASE s.gender WHEN 'M' THEN d.m * (1 - d.m) ELSE d.w * (1 - d.w) END)
      FROM pop.sold s JOIN pop.law l USING (product_id), d")"
z=$(zscore "$obs" "$exp" "$var")
echo "# department affinity: $obs items in the buyer's department; the law predicts $(py -c "print(round($exp))") (affinity 0.9; z = $z)"
check "buyers' items are of their department as the affinity predicts (4 sigma)" py -c "import sys; sys.exit(0 if abs($z) < 4 else 1)"
# An item's price is retail_price x the discounts' factor, to the nearest cent (exactly retail_price with none).
cents_of() { echo "(abs(i.sale_price * 100 - round(i.sale_price * 100)) < 1e-6 AND abs(i.sale_price - p.retail_price * $1) <= 0.005 + 1e-9)"; }
check_eq "prices: every item at retail, 10 % off (members), 25 % off (Jeans promotion) or both, to the cent" "0" \
  "$(q -c "SELECT count(*) FROM pop.order_items i JOIN pop.products p ON p.id = i.product_id
            WHERE NOT (i.sale_price = p.retail_price OR $(cents_of 0.9) OR $(cents_of 0.75) OR $(cents_of 0.675))")"
check_eq "the promotion only on Jeans and only in its window" "0" \
  "$(q -c "SELECT count(*) FROM pop.order_items i JOIN pop.products p ON p.id = i.product_id
            WHERE ($(cents_of 0.75) OR $(cents_of 0.675)) AND NOT $(cents_of 0.9) AND i.sale_price <> p.retail_price
              AND (p.category <> 'Jeans' OR i.created_at < '2026-10-10' OR i.created_at >= '2026-10-15')")"
members=$(q -c "SELECT count(DISTINCT o.user_id) FILTER (WHERE $(cents_of 0.9) AND i.sale_price <> p.retail_price)
                       || ' ' || count(DISTINCT o.user_id) FILTER (WHERE p.category <> 'Jeans' OR o.created_at < '2026-10-10' OR o.created_at >= '2026-10-15')
                  FROM pop.order_items i JOIN pop.orders o ON o.id = i.order_id JOIN pop.products p ON p.id = i.product_id
                 WHERE p.category <> 'Jeans' OR o.created_at < '2026-10-10' OR o.created_at >= '2026-10-15'")
read -r m buyers <<<"$members"
z=$(py -c "import math; print(f'{($m - $buyers*0.2)/math.sqrt($buyers*0.16):.2f}')")
echo "# members: $m of $buyers buyers pay member prices (0.2 expected, z = $z)"
check "one buyer in five is a member (4 sigma)" py -c "import sys; sys.exit(0 if abs($z) < 4 else 1)"
check_eq "a member pays member prices on every item (none of theirs at retail outside promotions)" "0" \
  "$(q -c "WITH m AS (SELECT DISTINCT o.user_id FROM pop.order_items i JOIN pop.orders o ON o.id = i.order_id JOIN pop.products p ON p.id = i.product_id
                       WHERE $(cents_of 0.9) AND i.sale_price <> p.retail_price)
           SELECT count(*) FROM pop.order_items i JOIN pop.orders o ON o.id = i.order_id JOIN m USING (user_id)
                                JOIN pop.products p ON p.id = i.product_id
            WHERE i.sale_price = p.retail_price AND NOT $(cents_of 0.9)
              AND (p.category <> 'Jeans' OR i.created_at < '2026-10-10' OR i.created_at >= '2026-10-15')")"

# 4. The reference is unchanged: uniform products, retail prices, scripted sessions.
q -c "SELECT thelook.setup('ref', init_num_users => 0)" >/dev/null
q -c "SELECT orders FROM thelook.backfill('ref', '2026-10-01 00:00+00', '2026-10-08 00:00+00', avg_qps => 0.05, seed => 9, init_num_users => 1000)" >/dev/null
check_eq "reference: every item at retail price" "0" \
  "$(q -c "SELECT count(*) FROM ref.order_items i JOIN ref.products p ON p.id = i.product_id WHERE i.sale_price <> p.retail_price")"
check_eq "reference: no search or checkout pages" "0" "$(q -c "SELECT count(*) FROM ref.events WHERE event_type IN ('search', 'checkout')")"
uni=$(q -c "SELECT count(*) FILTER (WHERE l.rank <= 291) || ' ' || count(*) FROM ref.order_items i JOIN thelook.product_popularity('reference') l USING (product_id)")
read -r in_top total <<<"$uni"
z=$(py -c "import math; n=$total; p=291/29120; print(f'{($in_top - n*p)/math.sqrt(n*p*(1-p)):.2f}')")
echo "# reference: $in_top of $total items among 291 products (uniform: 1 %, z = $z)"
check "reference: products are uniform (the 'top 1 %' get 1 %, 4 sigma)" py -c "import sys; sys.exit(0 if abs($z) < 4 else 1)"
check "no FATAL or crash in the server log" bash -c "! grep -E 'FATAL|PANIC|terminated by signal' '$CLUSTER_LOG'"
finish
