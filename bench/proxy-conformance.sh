#!/usr/bin/env bash
# The public HTTP caching test suite (http-cache-tests@0.4.5 from npm, the tests behind
# cache-tests.fyi) run against a caching proxy, printing pass counts by kind (required,
# optimal, check; raw and with dependencies, as the results site counts) and the ids of the
# required failures. How the suite runs and the reference scores are in
# docs/systems/caching-proxy.md, "Conformance: how the external suite runs here".
#
# Targets: caching-proxy (ours, built here) or nginx (Debian's nginx 1.22.1 with
# proxy_cache and proxy_cache_revalidate, fetched with apt-get download, not installed), so
# anyone can reproduce the reference score: required 94 with dependencies / 100 raw.
#
# The suite's client always exits 0 and records a refused connection as a failed test, so
# the report refuses (exit 1) a run with harness errors instead of printing a wrong score.
#
# Usage: bench/proxy-conformance.sh [caching-proxy|nginx]   (default caching-proxy)
#        OUT=<file> keeps the results JSON (test id -> true or [error, message]).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=${1:-caching-proxy}
case $TARGET in
  caching-proxy | nginx) ;;
  *)
    echo "usage: $0 [caching-proxy|nginx]   (OUT=<file> keeps the results JSON)" >&2
    exit 2
    ;;
esac
ORIGIN_PORT=18400
PROXY_PORT=18401
SUITE_VERSION=0.4.5
CACHE="$HOME/.cache/groundwork"
SUITE_DIR="$CACHE/http-cache-tests"
PKG="$SUITE_DIR/node_modules/http-cache-tests"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"

# bench/lib.sh's helpers (ports, the cleanup trap), without installing oha: the suite's
# client sends the requests here.
BENCH_WITHOUT_OHA=1
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
cleanup_hooks+=("rm -rf '$work'")

# Waits for a port to accept connections, failing (with the server's log) if the server
# exits or 30 s pass.
wait_for_port() { # port pid log
  for _ in $(seq 1 300); do
    port_taken "$1" && return 0
    if ! kill -0 "$2" 2>/dev/null; then
      echo "error: the server for port $1 exited; its log ($3):" >&2
      tail -n 30 "$3" >&2 || true
      exit 1
    fi
    sleep 0.1
  done
  echo "error: nothing listens on port $1 after 30 s" >&2
  exit 1
}

# The suite, installed once. Its install scripts are skipped: it has none we need, and its
# dependencies' would only build what the CLI run does not use.
if [ "$(node -p "require('$PKG/package.json').version" 2>/dev/null)" != "$SUITE_VERSION" ]; then
  echo "installing http-cache-tests@$SUITE_VERSION into $SUITE_DIR" >&2
  mkdir -p "$SUITE_DIR"
  # --prefix, or npm would install into the nearest ancestor holding a package.json.
  npm i --prefix "$SUITE_DIR" --ignore-scripts --no-audit --no-fund --no-update-notifier \
    "http-cache-tests@$SUITE_VERSION" >&2
fi

# The target, built or fetched before anything starts.
case $TARGET in
  caching-proxy)
    cargo build --release --locked -p groundwork-proxy >&2
    ;;
  nginx)
    # shellcheck source=bench/fetch_nginx.sh
    source "$(dirname "$0")/fetch_nginx.sh"
    nginx=$NGINX
    ;;
esac

require_free_ports "$ORIGIN_PORT" "$PROXY_PORT"

# The suite's origin: answers every test as configured through the proxy (PUT /config/<id>)
# and counts requests (Server-Request-Count). Its settings are read from npm's environment.
npm_config_port=$ORIGIN_PORT npm_package_config_protocol=http \
  npm_package_config_pidfile="$work/origin.pid" \
  node "$PKG/server/server.mjs" >"$work/origin.log" 2>&1 &
origin=$!
pids+=("$origin")
# caching-proxy checks at start that its origin answers.
wait_for_port "$ORIGIN_PORT" "$origin" "$work/origin.log"

case $TARGET in
  caching-proxy)
    mkdir -p "$work/cache"
    "$CARGO_TARGET_DIR/release/caching-proxy" --port "$PROXY_PORT" \
      --origin "http://127.0.0.1:$ORIGIN_PORT" --cache-dir "$work/cache" >"$work/proxy.log" 2>&1 &
    ;;
  nginx)
    # As the reference: the suite's docker/nginx/nginx.conf (proxy_cache and
    # proxy_cache_revalidate) with every path that Debian's build puts under /var moved into
    # the temporary directory. Workers as root when run as root (the default user, nobody,
    # could not write the cache in a 0700 directory); as anyone else, no user directive.
    cat >"$work/nginx.conf" <<EOF
$NGINX_USER
daemon off;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/proxy.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx-body;
  proxy_temp_path $work/nginx-proxy;
  fastcgi_temp_path $work/nginx-fastcgi;
  uwsgi_temp_path $work/nginx-uwsgi;
  scgi_temp_path $work/nginx-scgi;
  proxy_cache_path $work/cache keys_zone=my-cache:8m;
  server {
    listen 127.0.0.1:$PROXY_PORT;
    location / {
      proxy_pass http://127.0.0.1:$ORIGIN_PORT;
      proxy_cache my-cache;
      proxy_cache_revalidate on;
    }
  }
}
EOF
    echo "target: $("$nginx" -v 2>&1)" >&2
    # -e: the error log before the configuration is read (Debian's default is stderr anyway).
    "$nginx" -p "$work" -e "$work/proxy.log" -c "$work/nginx.conf" >>"$work/proxy.log" 2>&1 &
    ;;
esac
proxy=$!
pids+=("$proxy")
wait_for_port "$PROXY_PORT" "$proxy" "$work/proxy.log"

# The client, every test through the proxy (about 100 at a time, 14-20 s). No trailing
# slash on the base: the client appends /test/..., /config/..., /state/.... An empty id runs
# all tests (npm_config_id=<test id> would run one with full dumps). node-fetch has no
# timeout, so a request the proxy never answers would hang the run: 2 minutes is far beyond
# a whole run.
echo "running http-cache-tests@$SUITE_VERSION against $TARGET on port $PROXY_PORT" >&2
status=0
npm_config_base="http://127.0.0.1:$PROXY_PORT" npm_package_config_id= \
  timeout 120 node --no-warnings "$PKG/cli.mjs" >"$work/results.json" 2>"$work/client.log" ||
  status=$?
if [ "$status" = 124 ]; then
  # Seen with a proxy whose listen backlog was 5 (Python's socketserver default): of the
  # ~100 connections opened at once, some were never accepted and waited forever.
  echo "error: the suite's client did not finish in 120 s (requests the proxy never answered?)" >&2
  exit 1
elif [ "$status" != 0 ]; then
  echo "error: the suite's client failed (exit $status); its output:" >&2
  tail -n 30 "$work/client.log" >&2
  exit 1
fi
if [ -n "${OUT:-}" ]; then cp "$work/results.json" "$OUT"; fi

# Refused connections (a dead proxy) and other harness errors make the report refuse the run;
# the proxy's log says why.
if ! kill -0 "$proxy" 2>/dev/null; then
  echo "error: the proxy exited during the run" >&2
fi
if ! python3 bench/proxy_conformance_report.py "$work/results.json" "$PKG"; then
  echo "the proxy's log, last lines:" >&2
  tail -n 20 "$work/proxy.log" >&2
  exit 1
fi
