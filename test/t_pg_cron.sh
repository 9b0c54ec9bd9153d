#!/usr/bin/env bash
# pg_cron keeps a bounded simulation alive: a job every minute calls thelook.ensure_simulation();
# the first firing starts a 90-second simulation named 'burst', the second (a minute later, while
# it still runs) must return the same simulation instead of starting another. pg_cron 1.4 fires
# on the minute, so this takes about 2 minutes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
# The cluster listens on a Unix socket only: let pg_cron run jobs in background workers instead
# of connecting to cron.host over TCP.
start_cluster cron "${CRON_PORT:-54812}" "cron.use_background_workers = on"
t0=$(date +%s)

q <<'SQL' >/dev/null
CREATE EXTENSION pg_cron;
CREATE EXTENSION thelook_datagen;
SELECT thelook.setup('demo', init_num_users => 200);
SQL
job=$(q -c "SELECT cron.schedule('thelook-burst', '* * * * *',
              \$\$SELECT thelook.ensure_simulation('burst', 'demo', avg_qps => 50, duration => '90 seconds')\$\$)")
echo "# job $job scheduled at $(date -u +%H:%M:%S) GMT"

check "the first run succeeded within 75 s" \
  wait_for "SELECT count(*) >= 1 FROM cron.job_run_details WHERE jobid = $job AND status = 'succeeded'" 75
first=$(q -c "SELECT end_time FROM cron.job_run_details WHERE jobid = $job ORDER BY runid LIMIT 1")
echo "# first run ended at $first, $(( $(date +%s) - t0 )) s after the cluster started"
check_eq "it started one simulation named 'burst'" "1" \
  "$(q -c "SELECT count(*) FROM thelook.simulations WHERE name = 'burst' AND schema = 'demo' AND state IN ('starting', 'running')")"
sleep 3
check "rows grew" test "$(q -c "SELECT count(*) > 0 FROM demo.orders")" = t
orders_before=$(q -c "SELECT count(*) FROM demo.orders")

check "the second run succeeded within 65 s" \
  wait_for "SELECT count(*) >= 2 FROM cron.job_run_details WHERE jobid = $job AND status = 'succeeded'" 65
echo "# second run at $(date -u +%H:%M:%S) GMT, $(( $(date +%s) - t0 )) s after the cluster started"
check_eq "the second run did not start another simulation" "1" \
  "$(q -c "SELECT count(*) FROM thelook.simulations WHERE name = 'burst'")"
check_eq "the first simulation is still running" "running" \
  "$(q -c "SELECT state FROM thelook.simulations WHERE name = 'burst'")"
check "rows kept growing" test "$(q -c "SELECT count(*) > $orders_before FROM demo.orders")" = t
check_eq "no run failed" "0" \
  "$(q -c "SELECT count(*) FROM cron.job_run_details WHERE jobid = $job AND status = 'failed'")"

check_eq "the job is unscheduled" "t" "$(q -c "SELECT cron.unschedule($job)")"
q -c "SELECT thelook.stop_all_simulations()" >/dev/null
echo "# total $(( $(date +%s) - t0 )) s"
finish
