#!/usr/bin/env bash
# The blog's read paths on a large data set, on SQLite and on PostgreSQL, each next to
# GET /hello measured in the same run: the article list, a tag filter, the feed, one
# article, and its comments.
#
# Data (`groundwork blog seed`): 10 000 users, 100 000 articles, 500 000 comments and
# 1 000 000 favorites at scale 1 (one article in twenty a draft); every size is divided
# by SCALE for quick runs.
# Server pinned to CPU 0, oha to CPU 1.
#
# Usage: bench/blog.sh [seconds per measurement = 10] [connections = 64] [scale = 1]
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_ROUND=${1:-10}
CONNECTIONS=${2:-64}
SCALE=${3:-1}
PORT=18090
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
cargo build --release --locked -p groundwork >&2
require_free_ports "$PORT"

users=$((10000 / SCALE)); articles=$((100000 / SCALE)); comments=$((500000 / SCALE)); favorites=$((1000000 / SCALE))
secret="bench-secret-bench-secret-bench-secret"

run_backend() { # name database-url-or-empty
  local name=$1 url=$2 work
  work=$(mktemp -d)
  cleanup_hooks+=("rm -rf '$work'")
  local env=("${limits[@]}" GROUNDWORK__AUTH__JWT_SECRET="$secret" GROUNDWORK__BLOG__WRITES_PER_MINUTE=1000000)
  [ -n "$url" ] && env+=(DATABASE_URL="$url")
  local seed_started=$SECONDS
  (cd "$work" && env "${env[@]}" "$BIN/groundwork" migrate >/dev/null &&
    env "${env[@]}" "$BIN/groundwork" blog seed --users "$users" --articles "$articles" \
      --comments "$comments" --favorites "$favorites" 2>"$work/seed.log")
  echo "$name: seeded in $((SECONDS - seed_started)) s" >&2
  (cd "$work" && exec env "${env[@]}" taskset -c 0 "$BIN/groundwork" serve --bind "127.0.0.1:$PORT" 2>"$work/serve.log" >/dev/null) &
  local server=$!
  pids+=("$server")
  wait_for "http://127.0.0.1:$PORT/hello"

  local base="http://127.0.0.1:$PORT"
  local token
  token=$(curl -fsS -X POST "$base/blog/api/users/login" -H 'content-type: application/json' \
    -d '{"user":{"email":"seed1@example.com","password":"seed password"}}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["token"])')
  # The article with the most comments among a few, so "one article with comments" has some.
  local slug="seeded-article-$((articles / 2))"
  local n_comments
  n_comments=$(curl -fsS "$base/blog/api/articles/$slug/comments" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["comments"]))')

  taskset -c 1 "$OHA" --no-tui --output-format quiet -z 3s -c "$CONNECTIONS" "$base/blog/api/articles?limit=20" # warm-up
  local hello list tag feed one discussion
  hello=$(measure -c "$CONNECTIONS" "$base/hello")
  list=$(measure -c "$CONNECTIONS" "$base/blog/api/articles?limit=20")
  tag=$(measure -c "$CONNECTIONS" "$base/blog/api/articles?tag=tag7&limit=20")
  feed=$(measure -c "$CONNECTIONS" -H "Authorization: Token $token" "$base/blog/api/articles/feed?limit=20")
  one=$(measure -c "$CONNECTIONS" "$base/blog/api/articles/$slug")
  discussion=$(measure -c "$CONNECTIONS" "$base/blog/api/articles/$slug/comments")
  kill "$server"
  wait "$server" 2>/dev/null || true

  for row in "GET /hello|$hello" "GET /blog/api/articles?limit=20|$list" "GET /blog/api/articles?tag=tag7&limit=20|$tag" \
    "GET /blog/api/articles/feed?limit=20|$feed" "GET /blog/api/articles/{slug}|$one" \
    "GET /blog/api/articles/{slug}/comments ($n_comments comments)|$discussion"; do
    local what=${row%%|*} numbers=${row##*|}
    echo "| $name | $what | $(field "$numbers" 1) | $(field "$numbers" 2) |"
  done
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), Linux $(uname -r); oha $("$OHA" --version | cut -d' ' -f2), ${CONNECTIONS} connections, ${SECONDS_PER_ROUND} s each"
echo "data: $users users, $articles articles, $comments comments, $favorites favorites"
echo
echo "| database | endpoint | requests/s | p99 ms |"
echo "|---|---|---|---|"
run_backend SQLite ""
if [ -n "${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}" ] && command -v psql >/dev/null; then
  server_url=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
  database="gw_bench_$$"
  psql "$server_url" -qc "CREATE DATABASE $database"
  cleanup_hooks+=("psql '$server_url' -qc 'DROP DATABASE IF EXISTS $database WITH (FORCE)'")
  run_backend PostgreSQL "${server_url%/*}/$database"
fi
