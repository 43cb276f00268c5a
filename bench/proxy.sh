#!/usr/bin/env bash
# caching-proxy next to nginx's proxy_cache (Debian's nginx), same box, same origin, same
# objects, measured in the same run:
#   - hits on a 1 KB and on a 100 KB object (100% hit ratio after one warming request);
#   - the miss path: every request a new URL (oha --rand-regex-url), so each one goes to
#     the origin and is stored; this is also the cache-filling workload, after which the
#     proxy's peak memory (VmHWM) is reported next to --max-size.
# Equivalent configurations: one nginx worker against caching-proxy on the same single
# CPU (both pinned to CPU 0, as is the origin, a separate nginx serving static files with
# Cache-Control: max-age=3600); oha on CPU 1. Both proxies keep connections to the origin
# alive, store on disk under a 64 MiB bound, and coalesce concurrent misses
# (proxy_cache_lock). Rounds alternate between the proxies; medians are reported. Then
# both serve the hits once more at a fixed rate (60% of the slower one's throughput) so
# that their p99 latencies are compared under the same load: at full throughput the one
# that serves more requests also queues more of them.
#
# Usage: bench/proxy.sh [seconds per round = 10] [rounds = 3] [connections = 64]
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_ROUND=${1:-10}
ROUNDS=${2:-3}
CONNECTIONS=${3:-64}
ORIGIN_PORT=18410
OURS_PORT=18411
NGINX_PORT=18412
MAX_SIZE=$((64 << 20))
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=bench/fetch_nginx.sh
source "$(dirname "$0")/fetch_nginx.sh"
cargo build --release --locked -p groundwork-proxy >&2
require_free_ports "$ORIGIN_PORT" "$OURS_PORT" "$NGINX_PORT"

work=$(mktemp -d)
cleanup_hooks+=("rm -rf '$work'")
mkdir -p "$work/www" "$work/origin" "$work/nginx" "$work/ours"
python3 -c 'import sys; sys.stdout.write(("0123456789abcdef" * 64)[:1024])' >"$work/www/1k"
python3 -c 'import sys; sys.stdout.write(("0123456789abcdef" * 6400)[:102400])' >"$work/www/100k"

nginx_conf() { # dir port body-of-http-block
  cat >"$1/nginx.conf" <<CONF
$NGINX_USER
daemon off;
worker_processes 1;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_body_temp_path $1/body;
  proxy_temp_path $1/proxy;
  fastcgi_temp_path $1/fastcgi;
  uwsgi_temp_path $1/uwsgi;
  scgi_temp_path $1/scgi;
  $3
}
CONF
}

nginx_conf "$work/origin" "$ORIGIN_PORT" "
  server {
    listen 127.0.0.1:$ORIGIN_PORT;
    root $work/www;
    add_header Cache-Control \"max-age=3600\";
    location /miss/ { rewrite ^ /1k break; }
  }"
nginx_conf "$work/nginx" "$NGINX_PORT" "
  proxy_cache_path $work/nginx/cache levels=1:2 keys_zone=bench:16m max_size=$MAX_SIZE inactive=1h use_temp_path=off;
  upstream origin { server 127.0.0.1:$ORIGIN_PORT; keepalive 128; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_cache bench;
      proxy_cache_revalidate on;
      proxy_cache_lock on;
      add_header X-Cache \$upstream_cache_status;
    }
  }"

taskset -c 0 "$NGINX" -p "$work/origin" -c "$work/origin/nginx.conf" -e "$work/origin/error.log" &
pids+=($!)
wait_for "http://127.0.0.1:$ORIGIN_PORT/1k"
taskset -c 0 "$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
pids+=($!)
taskset -c 0 "$BIN/caching-proxy" --port "$OURS_PORT" --origin "http://127.0.0.1:$ORIGIN_PORT" \
  --cache-dir "$work/ours/cache" --max-size "$MAX_SIZE" --log-format json 2>"$work/ours/log" &
ours_pid=$!
pids+=("$ours_pid")
wait_for "http://127.0.0.1:$NGINX_PORT/1k"
wait_for "http://127.0.0.1:$OURS_PORT/1k"

# Both must really answer hits from their caches, or the comparison is void.
for object in 1k 100k; do
  for port in "$NGINX_PORT" "$OURS_PORT"; do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/$object"
    hit=$(curl -fsS -D - -o /dev/null "http://127.0.0.1:$port/$object" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache" {print $2}')
    [ "$hit" = HIT ] || { echo "error: :$port/$object is not a cache hit (X-Cache: $hit)" >&2; exit 1; }
  done
done

declare -A results rates
run_round() { # name port workload
  local name=$1 port=$2 workload=$3 object rate=()
  case $workload in
    hit-1k* | hit-100k*)
      object=${workload#hit-}
      object=${object%% *}
      # "at a fixed rate": the same offered load for both, with oha's correction for
      # coordinated omission, so the p99s compare like with like.
      [ -n "${rates[$workload]:-}" ] && rate=(-q "${rates[$workload]}" --latency-correction)
      results["$name $workload"]+="$(measure -c "$CONNECTIONS" "${rate[@]}" "http://127.0.0.1:$port/$object")"$'\n'
      ;;
    miss) results["$name $workload"]+="$(measure -c "$CONNECTIONS" --rand-regex-url "http://127.0.0.1:$port/miss/$name-[0-9]{14}")"$'\n' ;;
  esac
}

run_series() { # workloads...
  for round in $(seq 1 "$ROUNDS"); do
    for workload in "$@"; do
      if [ $((round % 2)) = 1 ]; then
        run_round nginx "$NGINX_PORT" "$workload"; run_round ours "$OURS_PORT" "$workload"
      else
        run_round ours "$OURS_PORT" "$workload"; run_round nginx "$NGINX_PORT" "$workload"
      fi
    done
  done
}

# The median round (by requests/s) of each series.
median_line() { printf '%s' "${results[$1]}" | sed '/^$/d' | sort -n -k1,1 | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'; }

workloads=(hit-1k hit-100k miss)
run_series "${workloads[@]}"
# Then latency at equal load: 60% of the slower proxy's throughput.
for object in 1k 100k; do
  slower=$(python3 -c "print(min($(field "$(median_line "nginx hit-$object")" 1), $(field "$(median_line "ours hit-$object")" 1)))")
  rates["hit-$object at 60%"]=$((slower * 6 / 10))
done
fixed=("hit-1k at 60%" "hit-100k at 60%")
run_series "${fixed[@]}"
workloads+=("${fixed[@]}")

peak_kb=$(awk '/VmHWM/ {print $2}' "/proc/$ours_pid/status")
disk_bytes=$(du -sb "$work/ours/cache/objects" | cut -f1)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), Linux $(uname -r); oha $("$OHA" --version | cut -d' ' -f2), $("$NGINX" -v 2>&1 | cut -d' ' -f3)"
echo "$ROUNDS rounds of ${SECONDS_PER_ROUND} s per series, $CONNECTIONS connections; medians"
echo
echo "| workload | nginx req/s | nginx p99 ms | caching-proxy req/s | caching-proxy p99 ms | ratio (ours / nginx) |"
echo "|---|---|---|---|---|---|"
for workload in "${workloads[@]}"; do
  n=$(median_line "nginx $workload")
  o=$(median_line "ours $workload")
  ratio=$(python3 -c "print(f'{$(field "$o" 1) / $(field "$n" 1):.2f}')")
  label=$workload
  [ -n "${rates[$workload]:-}" ] && label="$workload (${rates[$workload]} req/s offered)"
  echo "| $label | $(field "$n" 1) | $(field "$n" 2) | $(field "$o" 1) | $(field "$o" 2) | $ratio |"
done
echo
echo "caching-proxy after the miss rounds (each miss a new 1 KB object stored): peak RSS $((peak_kb / 1024)) MiB with --max-size $((MAX_SIZE >> 20)) MiB; disk tier $((disk_bytes >> 20)) MiB"
