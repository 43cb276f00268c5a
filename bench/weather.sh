#!/usr/bin/env bash
# Weather cache hits next to GET /hello, measured in the same run: once with the cache in
# process (no Redis) and once with the cache and rate limits in Redis.
#
# The provider is bench/fake_open_meteo.py (Open-Meteo's documented response shapes, no
# internet needed); it is asked once per key while the cache is filled, never during the
# measurements. Workloads per backend: one hot key (GET /weather/London) and 1 000
# keys at random (GET /weather/city000..city999), both from a client that accepts brotli
# (oha's default, like browsers'), and the hot key once more from a client that accepts no
# compression (10 KB instead of 1 KB a response). The weather limiter and the global
# limiters run, with limits set so high that they never refuse.
# Server pinned to CPU 0, oha to CPU 1; rounds alternate between the endpoints so that
# drift on a shared machine hits them alike, and the median round is reported.
#
# Usage: bench/weather.sh [seconds per round = 10] [rounds = 3] [connections = 64]
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_ROUND=${1:-10}
ROUNDS=${2:-3}
CONNECTIONS=${3:-64}
PORT=18090
FAKE_PORT=18095
REDIS=${BENCH_REDIS_URL:-redis://127.0.0.1:6379}
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
cargo build --release --locked -p groundwork >&2
require_free_ports "$PORT" "$FAKE_PORT"

python3 bench/fake_open_meteo.py "$FAKE_PORT" &
pids+=($!)
for _ in $(seq 1 100); do port_taken "$FAKE_PORT" && break; sleep 0.1; done

upstream_calls() { python3 -c 'import json,sys; print(json.load(sys.stdin)["upstreamCalls"])'; }

run_backend() { # name redis-url-or-empty
  local name=$1 redis=$2 work
  work=$(mktemp -d)
  cleanup_hooks+=("rm -rf '$work'")
  local env=("${limits[@]}" GROUNDWORK__WEATHER__REQUESTS_PER_MINUTE=1000000000
    GROUNDWORK__WEATHER__OPEN_METEO_GEOCODING_URL="http://127.0.0.1:$FAKE_PORT/v1/search"
    GROUNDWORK__WEATHER__OPEN_METEO_FORECAST_URL="http://127.0.0.1:$FAKE_PORT/v1/forecast")
  if [ -n "$redis" ]; then
    # A prefix of our own, so the run neither reads nor leaves keys of anyone else's.
    local prefix="gwbench$$:"
    env+=(REDIS_URL="$redis" GROUNDWORK__REDIS__KEY_PREFIX="$prefix")
    cleanup_hooks+=("redis-cli -u '$redis' --scan --pattern '$prefix*' | xargs -r redis-cli -u '$redis' del >/dev/null")
  fi
  (cd "$work" && exec env "${env[@]}" taskset -c 0 "$BIN/groundwork" serve --bind "127.0.0.1:$PORT" \
    2>"$work/serve.log" >/dev/null) &
  local server=$!
  pids+=("$server")
  wait_for "http://127.0.0.1:$PORT/hello"

  local base="http://127.0.0.1:$PORT"
  # Fill the cache: every key once, each of them a miss that reaches the fake provider.
  curl -fsS -o /dev/null "$base/weather/London"
  for i in $(seq -w 0 999); do printf 'url = "%s"\noutput = "/dev/null"\n' "$base/weather/city$i"; done >"$work/urls"
  curl -fsS --no-progress-meter -Z --parallel-max 16 -K "$work/urls"
  local calls_after_fill
  calls_after_fill=$(curl -fsS "$base/weather/_stats" | upstream_calls)
  if [ "$(curl -fsS -o /dev/null -D - "$base/weather/London" | tr -d '\r' | grep -i '^x-cache:')" != "x-cache: HIT" ]; then
    echo "error: $name: GET /weather/London is not a cache hit after filling" >&2
    exit 1
  fi

  # Warm-up, which also makes each report's compressed form (once per report and encoding;
  # oha asks for brotli): the measurements are of the steady state.
  taskset -c 1 "$OHA" --no-tui --output-format quiet -z 3s -c "$CONNECTIONS" "$base/weather/London"
  taskset -c 1 "$OHA" --no-tui --output-format quiet -z 5s -c "$CONNECTIONS" --rand-regex-url "$base/weather/city[0-9]{3}"
  local -A rounds=([hello]="" [hot]="" [spread]="" [plain]="")
  for _ in $(seq 1 "$ROUNDS"); do
    rounds[hello]+="$(measure -c "$CONNECTIONS" "$base/hello")"$'\n'
    rounds[hot]+="$(measure -c "$CONNECTIONS" "$base/weather/London")"$'\n'
    rounds[spread]+="$(measure -c "$CONNECTIONS" --rand-regex-url "$base/weather/city[0-9]{3}")"$'\n'
    rounds[plain]+="$(measure -c "$CONNECTIONS" --disable-compression "$base/weather/London")"$'\n'
  done
  local stats
  stats=$(curl -fsS "$base/weather/_stats")
  kill "$server"
  wait "$server" 2>/dev/null || true

  # Had the provider been asked during the measurements, they would not be of cache hits.
  local calls_after_run
  calls_after_run=$(echo "$stats" | upstream_calls)
  if [ "$calls_after_run" != "$calls_after_fill" ]; then
    echo "error: $name: $((calls_after_run - calls_after_fill)) provider calls during the measurements" >&2
    exit 1
  fi

  local hello_rps
  hello_rps=$(echo -n "${rounds[hello]}" | cut -d' ' -f1 | median)
  for what in hello hot spread plain; do
    local rps p99 label
    rps=$(echo -n "${rounds[$what]}" | cut -d' ' -f1 | median)
    p99=$(echo -n "${rounds[$what]}" | cut -d' ' -f2 | median)
    case $what in
      hello) label="GET /hello" ;;
      hot) label="GET /weather/London (one key, hit)" ;;
      spread) label="GET /weather/city000..999 (1 000 keys, hits)" ;;
      plain) label="GET /weather/London (hit, client without compression)" ;;
    esac
    echo "| $name | $label | $rps | $p99 | $((100 * rps / hello_rps))% |"
  done
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), Linux $(uname -r); oha $("$OHA" --version | cut -d' ' -f2), ${CONNECTIONS} connections, ${SECONDS_PER_ROUND} s per round, median of ${ROUNDS} rounds"
echo
echo "| cache | endpoint | requests/s | p99 ms | of /hello |"
echo "|---|---|---|---|---|"
run_backend "in process" ""
if redis-cli -u "$REDIS" ping >/dev/null 2>&1; then
  run_backend Redis "$REDIS"
else
  echo "(Redis at $REDIS not reachable: Redis-backed rows skipped)"
fi
