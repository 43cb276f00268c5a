#!/usr/bin/env bash
# The to-do, expense and book APIs: a page of 20 and a create, each next to GET /hello
# measured in the same run.
#
# Data: to-do and expenses each get 100 000 rows owned by 1 000 accounts
# (`groundwork todo seed`, `groundwork expenses seed`), on SQLite and on PostgreSQL; the
# books file gets 100 000 books (`groundwork books seed`). Creates all come from one
# account (oha sends one token). For books the run also reads /metrics to report how many
# rewrites of the file carried the writes (group commit).
# Server pinned to CPU 0, oha to CPU 1.
#
# Usage: bench/crud.sh [seconds per measurement = 10] [connections = 64]
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_ROUND=${1:-10}
CONNECTIONS=${2:-64}
PORT=18091
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
cargo build --release --locked -p groundwork >&2
require_free_ports "$PORT"
base="http://127.0.0.1:$PORT"
secret="bench-secret-bench-secret-bench-secret"
common=("${limits[@]}" GROUNDWORK__AUTH__JWT_SECRET="$secret"
  GROUNDWORK__TODO__MAX_ITEMS_PER_USER=100000000 GROUNDWORK__EXPENSES__MAX_EXPENSES_PER_USER=100000000)

start_server() { # work-dir env... ; sets $server
  local work=$1; shift
  (cd "$work" && exec env "$@" taskset -c 0 "$BIN/groundwork" serve --bind "127.0.0.1:$PORT" 2>"$work/serve.log" >/dev/null) &
  server=$!
  pids+=("$server")
  wait_for "$base/hello"
}

stop_server() {
  kill "$server"
  wait "$server" 2>/dev/null || true
}

seed_token() {
  curl -fsS -X POST "$base/auth/login" -H 'content-type: application/json' \
    -d '{"email":"seed0@example.com","password":"seed password"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

row() { # database endpoint numbers
  echo "| $1 | $2 | $(field "$3" 1) | $(field "$3" 2) |"
}

run_system() { # database-name url-or-empty system list-path create-path create-body
  local name=$1 url=$2 system=$3 list_path=$4 create_path=$5 body=$6 work
  work=$(mktemp -d)
  cleanup_hooks+=("rm -rf '$work'")
  local env=("${common[@]}")
  [ -n "$url" ] && env+=(DATABASE_URL="$url")
  local started=$SECONDS
  (cd "$work" && env "${env[@]}" "$BIN/groundwork" migrate >/dev/null &&
    env "${env[@]}" "$BIN/groundwork" "$system" seed --users 1000 --items 100000 2>"$work/seed.log")
  echo "$name $system: seeded in $((SECONDS - started)) s" >&2
  start_server "$work" "${env[@]}"
  local token hello list create
  token=$(seed_token)
  taskset -c 1 "$OHA" --no-tui --output-format quiet -z 3s -c "$CONNECTIONS" -H "Authorization: Bearer $token" "$base$list_path"
  hello=$(measure -c "$CONNECTIONS" "$base/hello")
  list=$(measure -c "$CONNECTIONS" -H "Authorization: Bearer $token" "$base$list_path")
  create=$(measure -c "$CONNECTIONS" -m POST -T application/json -d "$body" -H "Authorization: Bearer $token" "$base$create_path")
  stop_server
  row "$name" "GET /hello" "$hello"
  row "$name" "GET $list_path" "$list"
  row "$name" "POST $create_path" "$create"
}

metric() { # name
  curl -fsS "$base/metrics" | awk -v name="$1" '$1 == name { print $2 }'
}

run_books() {
  local work
  work=$(mktemp -d)
  cleanup_hooks+=("rm -rf '$work'")
  local started=$SECONDS
  (cd "$work" && env "${common[@]}" "$BIN/groundwork" books seed --books 100000 2>"$work/seed.log")
  echo "books: seeded in $((SECONDS - started)) s, file $(du -h "$work/data/books.json" | cut -f1)" >&2
  start_server "$work" "${common[@]}"
  local token hello list search create writes_before writes_after changes_before changes_after
  token=$(curl -fsS -X POST "$base/auth/register" -H 'content-type: application/json' \
    -d '{"email":"bench@example.com","password":"bench password"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  taskset -c 1 "$OHA" --no-tui --output-format quiet -z 3s -c "$CONNECTIONS" "$base/books?limit=20"
  hello=$(measure -c "$CONNECTIONS" "$base/hello")
  list=$(measure -c "$CONNECTIONS" "$base/books?limit=20")
  search=$(measure -c "$CONNECTIONS" "$base/books?q=author%2042&limit=20")
  writes_before=$(metric books_file_writes_total); writes_before=${writes_before:-0}
  changes_before=$(metric books_changes_committed_total); changes_before=${changes_before:-0}
  create=$(measure -c "$CONNECTIONS" -m POST -T application/json \
    -d '{"title":"Bench book","authors":["Oha"],"publishedYear":2026}' -H "Authorization: Bearer $token" "$base/books")
  writes_after=$(metric books_file_writes_total)
  changes_after=$(metric books_changes_committed_total)
  stop_server
  row "JSON file" "GET /hello" "$hello"
  row "JSON file" "GET /books?limit=20" "$list"
  row "JSON file" "GET /books?q=author%2042&limit=20 (scans every book)" "$search"
  row "JSON file" "POST /books" "$create"
  echo
  echo "books: $((changes_after - changes_before)) writes committed in $((writes_after - writes_before)) rewrites of the file" \
    "(a file of $(du -h "$work/data/books.json" | cut -f1))"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), Linux $(uname -r); oha $("$OHA" --version | cut -d' ' -f2), ${CONNECTIONS} connections, ${SECONDS_PER_ROUND} s each"
echo
echo "| database | endpoint | requests/s | p99 ms |"
echo "|---|---|---|---|"
todo_args=(todo "/todo/todos?page=1&limit=20" /todo/todos '{"title":"Bench item","description":"from oha"}')
expense_args=(expenses "/expenses?limit=20" /expenses '{"amount":"12.34","category":"Groceries"}')
run_system SQLite "" "${todo_args[@]}"
run_system SQLite "" "${expense_args[@]}"
if command -v psql >/dev/null; then
  server_url=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
  for system in todo expenses; do
    database="gw_bench_${system}_$$"
    psql "$server_url" -qc "CREATE DATABASE $database"
    cleanup_hooks+=("psql '$server_url' -qc 'DROP DATABASE IF EXISTS $database WITH (FORCE)'")
    if [ "$system" = todo ]; then args=("${todo_args[@]}"); else args=("${expense_args[@]}"); fi
    run_system PostgreSQL "${server_url%/*}/$database" "${args[@]}"
  done
fi
run_books
