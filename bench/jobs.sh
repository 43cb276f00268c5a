#!/usr/bin/env bash
# The job queue next to graphile-worker (bench/graphile), same box, same PostgreSQL, one run:
#   - burn-down: JOBS no-op jobs inserted in bulk, then 1 and 2 worker processes started;
#     seconds from their start until the queue is empty (jobs/s). Ours also on SQLite.
#   - steady: jobs enqueued one insert at a time, evenly, at half of our measured 1-process
#     saturation rate on that backend, for STEADY_SECONDS; latency from enqueue to start
#     (p50/p90/p99/max). graphile-worker runs at the same rate as ours on PostgreSQL.
# Both peers run CONCURRENCY jobs at once per process (default 32) and poll only as a
# fallback (LISTEN/NOTIFY on PostgreSQL). Workers are real processes: `groundwork worker`
# and graphile-worker's `run()` in Node. Nothing is pinned: the database, the workers and
# the load share the two cores alike for both peers.
#
# Usage: bench/jobs.sh [jobs = 100000] [steady seconds = 20] [rounds = 1]
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=${1:-100000}
STEADY_SECONDS=${2:-20}
ROUNDS=${3:-1}
CONCURRENCY=${CONCURRENCY:-32}
PG=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
BENCH_WITHOUT_OHA=1
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

command -v node >/dev/null || { echo "error: node (20 or later) is needed for graphile-worker" >&2; exit 1; }
command -v psql >/dev/null || { echo "error: psql is needed to create the benchmark databases" >&2; exit 1; }
cargo build --release --locked -p groundwork -p groundwork-bench-jobload >&2
[ -d bench/graphile/node_modules/graphile-worker ] || (cd bench/graphile && npm ci --no-audit --no-fund >&2)

work=$(mktemp -d)
cleanup_hooks+=("rm -rf '$work'")
results="$work/results.jsonl"

recreate_db() { # name → URL
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >&2
  echo "$PG/$1"
}
ours_pg=$(recreate_db gw_bench_jobs)
theirs_pg=$(recreate_db gw_bench_graphile)
cleanup_hooks+=("psql '$PG/postgres' -qc 'DROP DATABASE IF EXISTS gw_bench_jobs' -c 'DROP DATABASE IF EXISTS gw_bench_graphile' >&2")
ours_sqlite="sqlite://$work/groundwork.db?mode=rwc"
for url in "$ours_sqlite" "$ours_pg"; do
  DATABASE_URL=$url GROUNDWORK__DATA_DIR=$work RUST_LOG=warn "$BIN/groundwork" migrate >&2
done

jobload() { "$BIN/jobload" "$@" --groundwork "$BIN/groundwork" --concurrency "$CONCURRENCY" | tee -a "$results"; }
graphile() { node "bench/graphile/$1.js" "${@:2}" --concurrency "$CONCURRENCY" | tee -a "$results"; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round: burn-down of $JOBS jobs" >&2
  for processes in 1 2; do
    jobload burndown --database-url "$ours_sqlite" --jobs "$JOBS" --processes "$processes" >/dev/null
    jobload burndown --database-url "$ours_pg" --jobs "$JOBS" --processes "$processes" >/dev/null
    graphile burndown --database-url "$theirs_pg" --jobs "$JOBS" --processes "$processes" >/dev/null
    # graphile-worker's opt-in batching (a local queue of 200 claimed jobs, completions
    # batched): its fastest configuration.
    graphile burndown --database-url "$theirs_pg" --jobs "$JOBS" --processes "$processes" \
      --local-queue 200 --complete-batch-delay 0 >/dev/null
    # Ours in the same spirit: 200 jobs claimed ahead of free slots (`--prefetch`), with
    # finished jobs kept (the default) and deleted on success like graphile-worker's
    # (`worker.retention_hours = 0`).
    jobload burndown --database-url "$ours_pg" --jobs "$JOBS" --processes "$processes" --prefetch 200 >/dev/null
    jobload burndown --database-url "$ours_pg" --jobs "$JOBS" --processes "$processes" --prefetch 200 \
      --retention-hours 0 >/dev/null
  done
done

# Steady saturation: enqueue as fast as one process of single-job inserts can while one
# worker process runs them; the achieved rate is what the whole system sustains (on two
# cores the enqueuer, the database and the worker share the machine).
echo "== steady saturation (10 s at an unreachable rate)" >&2
sqlite_max=$(jobload steady --database-url "$ours_sqlite" --rate 100000 --seconds 10 --processes 1)
pg_max=$(jobload steady --database-url "$ours_pg" --rate 100000 --seconds 10 --processes 1)
half() { python3 -c "import json,sys; print(int(json.loads(sys.argv[1])['achieved_rate'] / 2))" "$1"; }
sqlite_rate=$(half "$sqlite_max")
pg_rate=$(half "$pg_max")
echo "== steady: SQLite at $sqlite_rate/s, PostgreSQL at $pg_rate/s (half of the above), $STEADY_SECONDS s each" >&2
for round in $(seq 1 "$ROUNDS"); do
  for processes in 1 2; do
    jobload steady --database-url "$ours_sqlite" --rate "$sqlite_rate" --seconds "$STEADY_SECONDS" --processes "$processes" >/dev/null
    jobload steady --database-url "$ours_pg" --rate "$pg_rate" --seconds "$STEADY_SECONDS" --processes "$processes" >/dev/null
    graphile steady --database-url "$theirs_pg" --rate "$pg_rate" --seconds "$STEADY_SECONDS" --processes "$processes" >/dev/null
  done
done

cp "$results" /tmp/groundwork-jobs-bench.jsonl
echo "== raw results: /tmp/groundwork-jobs-bench.jsonl" >&2
python3 bench/jobs_report.py "$results"
