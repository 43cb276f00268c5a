#!/usr/bin/env bash
# The fitness report over one year of a user with five years of history
# (`groundwork fitness seed`: about 1 500 workouts and 20 000 sets), on SQLite and on
# PostgreSQL, next to GET /hello in the same run: latency with one connection, and
# throughput with CONNECTIONS.
# Server pinned to CPU 0, oha to CPU 1.
#
# Usage: bench/fitness.sh [seconds per measurement = 10] [connections = 16]
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_ROUND=${1:-10}
CONNECTIONS=${2:-16}
PORT=18092
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
cargo build --release --locked -p groundwork >&2
require_free_ports "$PORT"
base="http://127.0.0.1:$PORT"
secret="bench-secret-bench-secret-bench-secret"
to=$(date -u +%F)
from=$(date -u -d "$to - 364 days" +%F)
report="$base/fitness/reports?from=$from&to=$to"

run_backend() { # name url-or-empty
  local name=$1 url=$2 work
  work=$(mktemp -d)
  cleanup_hooks+=("rm -rf '$work'")
  local env=("${limits[@]}" GROUNDWORK__AUTH__JWT_SECRET="$secret")
  [ -n "$url" ] && env+=(DATABASE_URL="$url")
  (cd "$work" && env "${env[@]}" "$BIN/groundwork" migrate >/dev/null &&
    env "${env[@]}" "$BIN/groundwork" fitness seed 2>"$work/seed.log")
  echo "$name: $(tail -1 "$work/seed.log")" >&2
  (cd "$work" && exec env "${env[@]}" taskset -c 0 "$BIN/groundwork" serve --bind "127.0.0.1:$PORT" 2>"$work/serve.log" >/dev/null) &
  local server=$!
  pids+=("$server")
  wait_for "$base/hello"
  local token
  token=$(curl -fsS -X POST "$base/auth/login" -H 'content-type: application/json' \
    -d '{"email":"seed0@example.com","password":"seed password"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  curl -fsS -H "Authorization: Bearer $token" "$report" |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print("report: %d workouts, %d exercise-weeks, %d records" % (r["scheduled"], len(r["volumeByExercise"]), len(r["personalRecords"])))' >&2
  taskset -c 1 "$OHA" --no-tui --output-format quiet -z 3s -c 4 -H "Authorization: Bearer $token" "$report"
  local hello single many
  hello=$(measure -c "$CONNECTIONS" "$base/hello")
  single=$(measure -c 1 -H "Authorization: Bearer $token" "$report")
  many=$(measure -c "$CONNECTIONS" -H "Authorization: Bearer $token" "$report")
  kill "$server"
  wait "$server" 2>/dev/null || true
  echo "| $name | GET /hello, $CONNECTIONS connections | $(field "$hello" 1) | $(field "$hello" 3) | $(field "$hello" 2) |"
  echo "| $name | GET /fitness/reports (one year), 1 connection | $(field "$single" 1) | $(field "$single" 3) | $(field "$single" 2) |"
  echo "| $name | GET /fitness/reports (one year), $CONNECTIONS connections | $(field "$many" 1) | $(field "$many" 3) | $(field "$many" 2) |"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), Linux $(uname -r); oha $("$OHA" --version | cut -d' ' -f2), ${SECONDS_PER_ROUND} s each; report $from to $to"
echo
echo "| database | endpoint | requests/s | p50 ms | p99 ms |"
echo "|---|---|---|---|---|"
run_backend SQLite ""
if command -v psql >/dev/null; then
  server_url=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
  database="gw_bench_fitness_$$"
  psql "$server_url" -qc "CREATE DATABASE $database"
  cleanup_hooks+=("psql '$server_url' -qc 'DROP DATABASE IF EXISTS $database WITH (FORCE)'")
  run_backend PostgreSQL "${server_url%/*}/$database"
fi
