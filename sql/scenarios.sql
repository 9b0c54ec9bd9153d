-- Scenarios: the built-ins, resolution (names, bases, overrides), every validation error with its
-- JSON path and hint, users' own scenarios, and a back-fill shaped by opening hours and incidents.
SET client_min_messages = warning;  -- the suite's files may run in any order
CREATE EXTENSION IF NOT EXISTS thelook_datagen;
RESET client_min_messages;
CREATE FUNCTION pg_temp.error_of(sql text) RETURNS TABLE (state text, message text, hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    state := 'no error';
    RETURN NEXT;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
    RETURN NEXT;
END
$$;
SELECT thelook.setup('scen', init_num_users => 50, seed => 3);

SELECT name, builtin, definition FROM thelook.scenarios ORDER BY name;
SELECT thelook.scenario('reference') AS reference, thelook.scenario('retail') AS retail;
-- A document with a base overrides it key by key; the base's other keys stay.
SELECT thelook.scenario('{"base": "retail_incidents", "traffic": {"timezone": "Europe/Berlin"}, "random_incidents": []}');
SELECT thelook.scenario('{"traffic": {"profile": "business_hours", "opening_hours": {"mon-fri": "09:00-17:00", "sat": "closed"}}}');

-- Errors name the JSON path (or the parameter) and give a hint.
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('no_such_scenario')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"traffic": ')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('[1, 2]')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"base": "nope"}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"trafic": {}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"traffic": {"profile": "weekend"}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"traffic": {"hourly": [1, 2, 3]}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"traffic": {"hourly": [1,1,1,-1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"traffic": {"hourly": [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"traffic": {"weekly": [1, 1, 1, "x", 1, 1, 1]}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"traffic": {"weekly": [1, 1, 1, 1, 1, 1]}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"traffic": {"timezone": "Mars/Olympus_Mons"}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"traffic": {"opening_hours": {"mon": "20:00-08:00"}}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"traffic": {"opening_hours": {"someday": "08:00-20:00"}}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"traffic": {"opening_hours": {"mon": "closed"}}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"incidents": [{"kind": "storm", "after": "1 hour", "duration": "1 hour"}]}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"incidents": [{"kind": "spike", "magnitude": 0.5, "after": "1 hour", "duration": "1 hour"}]}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"incidents": [{"kind": "slump", "magnitude": 2, "after": "1 hour", "duration": "1 hour"}]}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"incidents": [{"kind": "outage", "magnitude": 0, "after": "1 hour", "duration": "1 hour"}]}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"incidents": [{"kind": "spike", "after": "1 hour"}]}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"incidents": [{"kind": "spike", "at": "2026-11-24 12:00", "duration": "1 hour"}]}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"incidents": [{"kind": "spike", "after": "1 fortnight", "duration": "1 hour"}]}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"random_incidents": [{"kind": "spike", "per_day": -1, "duration": "1 hour"}]}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"shoppers": {"model": "sessions", "matrix": "m", "matrices": {"m": {"start": {"home": 1}, "home": {"product": 0.5, "exit": 0.4}}}}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"shoppers": {"matrices": {"m": {"start": {"hom": 1}}}}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"shoppers": {"matrices": {"m": {"start": {"home": 1}, "home": {"home": 1}}}}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"shoppers": {"campaigns": [{"name": "x", "channel": "Telegram", "duration": "1 day"}]}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"shoppers": {"matrix": "nope"}}')$$);
-- Campaigns in force together bring at most all sessions: an error naming them.
SELECT * FROM pg_temp.error_of($$SELECT thelook.scenario('{"shoppers": {"campaigns": [{"name": "a", "channel": "Email", "after": "1 hour", "duration": "2 hours", "share": 0.6}, {"name": "b", "channel": "Adwords", "after": "2 hours", "duration": "1 hour", "share": 0.5}]}}')$$);
-- A campaign "at" a time and one "after" the start meet once the start is known: start_simulation checks them.
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('scen', simulated_start => '2026-11-27 00:00+00', scenario => '{"shoppers": {"campaigns": [{"name": "fixed", "channel": "Email", "at": "2026-11-27T01:00:00Z", "duration": "1 hour", "share": 0.8}, {"name": "relative", "channel": "Adwords", "after": "90 minutes", "duration": "1 hour", "share": 0.3}]}}')$$);
-- The built-in matrices and a user page are valid as given.
SELECT thelook.scenario('{"shoppers": {"model": "sessions", "pages": [{"name": "blog", "uri": "/blog/{category}"}],
    "matrices": {"blogged": {"start": {"blog": 0.5, "home": 0.5}, "blog": {"product": 0.5, "exit": 0.5},
                             "home": {"product": 0.6, "exit": 0.4}, "product": {"cart": 0.3, "exit": 0.7},
                             "cart": {"checkout": 0.5, "exit": 0.5}, "checkout": {"purchase": 0.8, "exit": 0.2}}},
    "matrix": "blogged"}}') -> 'shoppers' ->> 'matrix' AS matrix;

-- start_simulation checks scenario and time_scale before anything starts.
SELECT coalesce(max(id), 0) AS last_sim FROM thelook.simulations \gset
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('scen', scenario => 'nope')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('scen', scenario => '{"traffic": {"hourly": [1]}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('scen', time_scale => 0)$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('scen', time_scale => -60)$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('scen', time_scale => 'NaN')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.backfill('scen', now() - interval '1 day', scenario => 'nope')$$);
SELECT count(*) AS simulations_started FROM thelook.simulations WHERE id > :last_sim;
SELECT * FROM pg_temp.error_of($$SELECT thelook.alter_simulation(999999, avg_qps => 5)$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.inject_incident(999999, 'spike')$$);

-- Users' own scenarios: checked on the way in; every role manages only its own, never a built-in.
INSERT INTO thelook.scenarios (name, definition, description)
    VALUES ('night_owls', '{"base": "retail", "traffic": {"hourly": [3,3,3,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,3,3]}}', 'a test');
SELECT thelook.scenario('night_owls') -> 'traffic' -> 'hourly' ->> 0 AS first_hour;
SELECT * FROM pg_temp.error_of($$INSERT INTO thelook.scenarios (name, definition) VALUES ('broken', '{"traffic": {"hourly": [1]}}')$$);
SELECT * FROM pg_temp.error_of($$INSERT INTO thelook.scenarios (name, definition) VALUES ('loop', '{"base": "loop"}')$$);
CREATE ROLE thelook_scenario_user;
SET ROLE thelook_scenario_user;
UPDATE thelook.scenarios SET definition = '{}' WHERE name IN ('retail', 'night_owls');  -- not theirs: 0 rows
INSERT INTO thelook.scenarios (name, definition) VALUES ('mine', '{"base": "business_hours"}');
SELECT name, owner FROM thelook.scenarios WHERE NOT builtin ORDER BY name;
RESET ROLE;
SELECT thelook.scenario('retail') AS retail_unchanged, thelook.scenario('night_owls') -> 'traffic' -> 'hourly' ->> 0 AS night_owls_unchanged;
DELETE FROM thelook.scenarios WHERE NOT builtin;
DROP ROLE thelook_scenario_user;

-- The SRFs place orders and sessions by the scenario's shape; 'reference' changes nothing.
SELECT (SELECT md5(string_agg(o::text, ',')) FROM thelook.generate_orders(300, seed => 4, start_at => '2026-11-02 00:00+00', end_at => '2026-11-16 00:00+00') o)
     = (SELECT md5(string_agg(o::text, ',')) FROM thelook.generate_orders(300, seed => 4, start_at => '2026-11-02 00:00+00', end_at => '2026-11-16 00:00+00', scenario => 'reference') o)
       AS reference_unchanged;
SELECT count(*) AS orders,
       count(*) FILTER (WHERE extract(isodow FROM created_at AT TIME ZONE current_setting('TimeZone') AT TIME ZONE 'UTC') = 7
                           OR extract(hour FROM created_at AT TIME ZONE current_setting('TimeZone') AT TIME ZONE 'UTC') NOT BETWEEN 8 AND 19) AS while_closed
  FROM thelook.generate_orders(3000, seed => 4, users => 50, start_at => '2026-11-02 00:00+00', end_at => '2026-11-16 00:00+00',
                               scenario => 'business_hours');
-- (A session ends at its place in time; its first pages come up to a few minutes earlier.)
SELECT count(*) AS sessions,
       count(*) FILTER (WHERE extract(isodow FROM ended AT TIME ZONE current_setting('TimeZone') AT TIME ZONE 'UTC') = 7
                           OR extract(hour FROM ended AT TIME ZONE current_setting('TimeZone') AT TIME ZONE 'UTC') NOT BETWEEN 8 AND 19) AS ending_while_closed
  FROM (SELECT session_id, max(created_at) AS ended
          FROM thelook.generate_sessions(1000, seed => 4, start_at => '2026-11-02 00:00+00', end_at => '2026-11-16 00:00+00',
                                         scenario => 'business_hours') GROUP BY session_id) s;

-- generate_sessions under the session model: anonymous visits walked by the matrix (searches,
-- checkouts), never a purchase event (orders are generate_orders' part).
SELECT count(DISTINCT session_id) AS visits, bool_or(event_type = 'search') AS searched,
       bool_or(event_type = 'checkout') AS checked_out, count(*) FILTER (WHERE event_type = 'purchase') AS purchases,
       count(*) FILTER (WHERE user_id IS NOT NULL) AS known
  FROM thelook.generate_sessions(3000, seed => 4, start_at => '2026-11-02 00:00+00', end_at => '2026-11-16 00:00+00',
                                 scenario => '{"shoppers": {"model": "sessions"}}');

-- A back-fill with opening hours: two weeks of business hours (UTC), nothing while closed.
SELECT orders > 1000 AS many_orders FROM thelook.backfill('scen', now() - interval '14 days', now(),
    avg_qps => 0.01, seed => 5, scenario => 'business_hours');
SELECT count(*) FILTER (WHERE extract(isodow FROM created_at AT TIME ZONE current_setting('TimeZone') AT TIME ZONE 'UTC') = 7) AS on_sunday,
       count(*) FILTER (WHERE extract(hour FROM created_at AT TIME ZONE current_setting('TimeZone') AT TIME ZONE 'UTC') NOT BETWEEN 8 AND 19) AS outside_8_to_20
  FROM scen.orders WHERE created_at > now() - interval '14 days';
-- A back-fill with a scheduled outage: no orders in it, its ground truth and recovery recorded.
TRUNCATE scen.orders, scen.order_items, scen.events, scen.incidents;
SELECT orders > 0 AS some_orders FROM thelook.backfill('scen', now() - interval '3 days', now(), avg_qps => 0.05, seed => 6,
    scenario => '{"incidents": [{"kind": "outage", "after": "1 day", "duration": "6 hours"}]}');
SELECT kind, magnitude, ended_at - started_at AS lasts, origin, simulation_id FROM scen.incidents ORDER BY started_at, kind;
SELECT count(*) AS orders_in_outage FROM scen.orders o JOIN scen.incidents i ON i.kind = 'outage'
 WHERE o.created_at >= i.started_at AND o.created_at < i.ended_at;
-- A schema set up before incidents existed: a clear error, with the way out.
DROP TABLE scen.incidents;
SELECT * FROM pg_temp.error_of($$SELECT thelook.backfill('scen', now() - interval '1 day', scenario => 'retail_incidents')$$);
SELECT thelook.setup('scen', init_num_users => 0) IS NOT NULL AS setup_again;
SELECT to_regclass('scen.incidents') IS NOT NULL AS incidents_back;
SET client_min_messages = warning;
DROP SCHEMA scen CASCADE;

-- The data set functions apply each section of a scenario or refuse it (0A000), never ignore it.
SELECT * FROM pg_temp.error_of($$SELECT count(*) FROM thelook.generate_orders(10, scenario => '{"inventory": {}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT count(*) FROM thelook.generate_order_items(10, scenario => '{"faults": {"cdc": {"pk_update_rate": 0.1}}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT count(*) FROM thelook.generate_events(10, scenario => '{"faults": {"late_events": {"share": 0.1}}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT count(*) FROM thelook.generate_sessions(10, scenario => '{"faults": {"files": {"truncated_line_rate": 0.1}}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT count(*) FROM thelook.generate_sessions(10, scenario => '{"inventory": {}}')$$);
SELECT * FROM pg_temp.error_of($$SELECT count(*) FROM thelook.generate_orders(10, scenario => '{"shoppers": {"campaigns": [{"name": "bf", "channel": "Email", "duration": "1 day"}]}}')$$);
-- generate_sessions walks campaign visits: accepted.
SELECT count(*) > 0 AS campaign_sessions FROM thelook.generate_sessions(200, seed => 1, start_at => '2026-11-02 00:00+00', end_at => '2026-11-03 00:00+00',
    scenario => '{"shoppers": {"model": "sessions", "campaigns": [{"name": "bf", "channel": "Email", "after": 0, "duration": "1 day"}]}}')
 WHERE uri LIKE '%utm_campaign=bf%';
-- A checkout failure applies: half of the purchases of its window (1000 of 2000 orders, 4 sigma = 89)
-- fail, no order and no item; their visits end at the cart (generate_events); the other orders are
-- the same rows as without the incident.
SELECT abs(count(*) - 1000) < 89 AS half_failed
  FROM thelook.generate_orders(2000, seed => 4, users => 50, start_at => '2026-11-02 00:00+00', end_at => '2026-11-03 00:00+00',
                               scenario => '{"incidents": [{"kind": "checkout_failure", "magnitude": 0.5, "at": "2026-11-01T00:00:00Z", "duration": "3 days"}]}');
SELECT (SELECT count(*) FROM thelook.generate_order_items(2000, seed => 4, users => 50, start_at => '2026-11-02 00:00+00', end_at => '2026-11-03 00:00+00',
                               scenario => '{"incidents": [{"kind": "checkout_failure", "magnitude": 0.5, "at": "2026-11-01T00:00:00Z", "duration": "3 days"}]}') i
         WHERE i.order_id NOT IN (SELECT id FROM thelook.generate_orders(2000, seed => 4, users => 50, start_at => '2026-11-02 00:00+00', end_at => '2026-11-03 00:00+00',
                               scenario => '{"incidents": [{"kind": "checkout_failure", "magnitude": 0.5, "at": "2026-11-01T00:00:00Z", "duration": "3 days"}]}'))) AS items_without_order,
       (SELECT count(*) FILTER (WHERE event_type = 'purchase') = (SELECT count(*) FROM thelook.generate_order_items(2000, seed => 4, users => 50,
                               start_at => '2026-11-02 00:00+00', end_at => '2026-11-03 00:00+00',
                               scenario => '{"incidents": [{"kind": "checkout_failure", "magnitude": 0.5, "at": "2026-11-01T00:00:00Z", "duration": "3 days"}]}'))
          FROM thelook.generate_events(2000, seed => 4, users => 50, start_at => '2026-11-02 00:00+00', end_at => '2026-11-03 00:00+00',
                               scenario => '{"incidents": [{"kind": "checkout_failure", "magnitude": 0.5, "at": "2026-11-01T00:00:00Z", "duration": "3 days"}]}')) AS one_purchase_event_per_item;
SELECT count(*) AS kept_orders_changed FROM (
    SELECT * FROM thelook.generate_orders(2000, seed => 4, users => 50, start_at => '2026-11-02 00:00+00', end_at => '2026-11-03 00:00+00',
                               scenario => '{"incidents": [{"kind": "checkout_failure", "magnitude": 0.5, "at": "2026-11-01T00:00:00Z", "duration": "3 days"}]}')
    EXCEPT SELECT * FROM thelook.generate_orders(2000, seed => 4, users => 50, start_at => '2026-11-02 00:00+00', end_at => '2026-11-03 00:00+00',
                               scenario => '{"incidents": [{"kind": "checkout_failure", "magnitude": 0.5, "at": "2020-01-01T00:00:00Z", "duration": "3 days"}]}')) x;
