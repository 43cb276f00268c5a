#!/usr/bin/env bash
# Redirect throughput of the shortener on LINKS seeded links (SQLite), next to GET /hello
# of the same server and nginx answering `return 302` from a `map` of the same codes: the
# practical ceiling for a redirect. Also creation throughput (POST /shorten), and a check
# that the clicks stored equal the redirects sent.
#
# - warm: 10 000 codes, each already requested (cached in process);
# - cold: a freshly started server, random codes out of all LINKS (mostly cache misses,
#   each read from the database).
# The shortener is mounted at the root (`--mount shortener=/`), so both servers answer the
# same paths. Server (or nginx, one worker) pinned to CPU 0, oha to CPU 1.
#
# Usage: bench/shortener.sh [links = 1000000] [requests per redirect run = 300000] [connections = 64]
set -euo pipefail
cd "$(dirname "$0")/.."

LINKS=${1:-1000000}
RUN=${2:-300000}
CONNECTIONS=${3:-64}
SECONDS_PER_ROUND=10
PORT=18093
NGINX_PORT=18094
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
if ! command -v nginx >/dev/null; then
  echo "installing nginx-light (Debian package) for the comparison" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y nginx-light >&2; else sudo apt-get install -y nginx-light >&2; fi
fi
cargo build --release --locked -p groundwork >&2
require_free_ports "$PORT" "$NGINX_PORT"

work=$(mktemp -d)
cleanup_hooks+=("rm -rf '$work'")
env=("${limits[@]}"
  GROUNDWORK__SHORTENER__ANONYMOUS_CREATES_PER_MINUTE=1000000000
  GROUNDWORK__SHORTENER__USER_CREATES_PER_MINUTE=1000000000)
(cd "$work" && env "${env[@]}" "$BIN/groundwork" migrate >/dev/null &&
  env "${env[@]}" "$BIN/groundwork" shortener seed --links "$LINKS" --codes "$work/codes.txt" 2>"$work/seed.log")
echo "seed: $(tail -1 "$work/seed.log")" >&2

awk -v base="http://127.0.0.1:$PORT/" '{ print base $0 }' "$work/codes.txt" >"$work/all.urls"
head -n 10000 "$work/all.urls" >"$work/warm.urls"
sed "s/:$PORT\//:$NGINX_PORT\//" "$work/all.urls" >"$work/nginx-all.urls"
sed "s/:$PORT\//:$NGINX_PORT\//" "$work/warm.urls" >"$work/nginx-warm.urls"
# The seed's nth code points to https://example.com/landing/n. nginx compares map keys
# without case, so codes that differ only in case (a handful in a million) keep one entry:
# both still get a 302, which is all this comparison needs.
awk '!seen[tolower($0)]++ { printf "/%s https://example.com/landing/%d;\n", $0, NR - 1 }' \
  "$work/codes.txt" >"$work/map.conf"
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  map_hash_max_size 4194304;
  map_hash_bucket_size 128;
  map \$uri \$target { default ""; include $work/map.conf; }
  server {
    listen 127.0.0.1:$NGINX_PORT reuseport;
    location / {
      if (\$target = "") { return 404; }
      return 302 \$target;
    }
  }
}
EOF

base="http://127.0.0.1:$PORT"
start_server() {
  (cd "$work" && exec env "${env[@]}" taskset -c 0 "$BIN/groundwork" serve --bind "127.0.0.1:$PORT" \
    --only auth,shortener --mount shortener=/ 2>>"$work/serve.log" >/dev/null) &
  server=$!
  pids+=("$server")
  wait_for "$base/hello"
}
stop_server() { # SIGTERM: the final flush writes the clicks still in memory
  kill -TERM "$server"
  wait "$server" 2>/dev/null || true
}
redirects() { # url-file → "rps p99 p50 responses"
  REQUESTS=$RUN ALLOW_STATUS=302 measure -c "$CONNECTIONS" --redirect 0 --urls-from-file "$1"
}

sent=0
start_server
hello=$(measure -c "$CONNECTIONS" "$base/hello")
warmup=$(REQUESTS=100000 ALLOW_STATUS=302 measure -c "$CONNECTIONS" --redirect 0 --urls-from-file "$work/warm.urls")
sent=$((sent + $(field "$warmup" 4)))
warm=$(redirects "$work/warm.urls")
sent=$((sent + $(field "$warm" 4)))
create=$(measure -c "$CONNECTIONS" -m POST -H 'content-type: application/json' \
  -d '{"url":"https://www.example.com/some/long/url"}' "$base/shorten")
stop_server
start_server
cold=$(redirects "$work/all.urls")
sent=$((sent + $(field "$cold" 4)))
stop_server
stored=$(python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT COALESCE(SUM(clicks), 0) FROM shortener_clicks_hourly").fetchone()[0])' "$work/data/groundwork.db")

(exec taskset -c 0 nginx -c "$work/nginx.conf" -p "$work") &
nginx_pid=$!
pids+=("$nginx_pid")
for _ in $(seq 1 300); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NGINX_PORT/none")" = 404 ] && break
  sleep 0.2
done
taskset -c 1 "$OHA" --no-tui --output-format quiet -n 20000 -c "$CONNECTIONS" --redirect 0 --urls-from-file "$work/nginx-warm.urls"
nginx_warm=$(redirects "$work/nginx-warm.urls")
nginx_cold=$(redirects "$work/nginx-all.urls")
kill -QUIT "$nginx_pid" 2>/dev/null || true

ratio() { python3 -c "import sys; print('%d%%' % round(100 * float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), Linux $(uname -r); oha $("$OHA" --version | cut -d' ' -f2), $(nginx -v 2>&1 | cut -d' ' -f3); $LINKS links; $RUN requests per redirect run, $CONNECTIONS connections"
echo
echo "| server | request | requests/s | p50 ms | p99 ms |"
echo "|---|---|---|---|---|"
echo "| groundwork | GET /hello | $(field "$hello" 1) | $(field "$hello" 3) | $(field "$hello" 2) |"
echo "| groundwork | redirect, warm cache | $(field "$warm" 1) | $(field "$warm" 3) | $(field "$warm" 2) |"
echo "| groundwork | redirect, cold cache | $(field "$cold" 1) | $(field "$cold" 3) | $(field "$cold" 2) |"
echo "| groundwork | POST /shorten (create) | $(field "$create" 1) | $(field "$create" 3) | $(field "$create" 2) |"
echo "| nginx | redirect (10 000 codes) | $(field "$nginx_warm" 1) | $(field "$nginx_warm" 3) | $(field "$nginx_warm" 2) |"
echo "| nginx | redirect (all codes) | $(field "$nginx_cold" 1) | $(field "$nginx_cold" 3) | $(field "$nginx_cold" 2) |"
echo
echo "- warm redirect / nginx: $(ratio "$(field "$warm" 1)" "$(field "$nginx_warm" 1)"); cold redirect / nginx: $(ratio "$(field "$cold" 1)" "$(field "$nginx_cold" 1)"); warm redirect / GET /hello: $(ratio "$(field "$warm" 1)" "$(field "$hello" 1)")"
echo "- clicks: $sent redirects sent, $stored stored"
if [ "$sent" != "$stored" ]; then
  echo "error: the stored clicks do not match the redirects sent" >&2
  exit 1
fi
