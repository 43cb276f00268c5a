# Shared helpers of the benchmark scripts (sourced, not run).
# Expects: SECONDS_PER_ROUND. Provides: OHA, BIN, measure, median, wait_for, port_taken,
# require_free_ports, cleanup trap.

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/groundwork/target}"
BIN="$CARGO_TARGET_DIR/release"

# Scripts that send no load of their own (the conformance run) set BENCH_WITHOUT_OHA=1.
OHA=$(command -v oha || true)
if [ -z "$OHA" ] && [ -z "${BENCH_WITHOUT_OHA:-}" ]; then
  OHA="$HOME/.cargo/bin/oha"
  [ -x "$OHA" ] || cargo install oha --locked --version 1.16.0 >&2
fi

pids=()
cleanup_hooks=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for hook in "${cleanup_hooks[@]}"; do eval "$hook" || true; done
}
trap cleanup EXIT

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Stops the run, saying why, if any of the ports is taken.
require_free_ports() {
  for port in "$@"; do
    if port_taken "$port"; then
      echo "error: port $port is in use (a server from an earlier run?)" >&2
      exit 1
    fi
  done
}

# The median of the numbers on stdin, one per line.
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

wait_for() {
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "error: $1 did not answer" >&2
  exit 1
}

# Limits raised so the limiters run (their cost is measured) but never refuse the load.
limits=(
  GROUNDWORK__RATE_LIMIT__PER_IP_PER_SECOND=1000000000 GROUNDWORK__RATE_LIMIT__PER_IP_BURST=1000000000
  GROUNDWORK__RATE_LIMIT__PER_USER_PER_SECOND=1000000000 GROUNDWORK__RATE_LIMIT__PER_USER_BURST=1000000000
  GROUNDWORK__RATE_LIMIT__LOGIN_FAILURES_PER_IP=1000000000 GROUNDWORK__RATE_LIMIT__LOGIN_FAILURES_PER_ACCOUNT=1000000000
)

# oha on CPU 1 for SECONDS_PER_ROUND (or for exactly REQUESTS requests when that is set)
# → "requests/s p99_ms p50_ms responses", failing loudly if any response was not a success
# (a benchmark of errors is worthless); ALLOW_STATUS=401 (or 302) for a measurement of an
# expected non-2xx status.
measure() {
  local length=(-z "${SECONDS_PER_ROUND}s")
  [ -n "${REQUESTS:-}" ] && length=(-n "$REQUESTS")
  taskset -c 1 "$OHA" --no-tui --output-format json "${length[@]}" "$@" |
    ALLOW_STATUS="${ALLOW_STATUS:-}" python3 -c '
import json, os, sys
d = json.load(sys.stdin)
allowed = os.environ["ALLOW_STATUS"]
s, p = d["summary"], d["latencyPercentiles"]
codes = d.get("statusCodeDistribution", {})
bad = {k: v for k, v in codes.items() if not (k.startswith("2") or k == allowed)}
# Requests still in flight when the duration ends are aborted by oha; that is not an error.
errors = {k: v for k, v in d.get("errorDistribution", {}).items() if k != "aborted due to deadline"}
if bad or errors:
    sys.exit("unexpected responses: %s %s" % (bad, errors))
print(round(s["requestsPerSec"]), round(p["p99"] * 1000, 2), round(p["p50"] * 1000, 2), sum(codes.values()))'
}

field() { echo "$1" | cut -d' ' -f"$2"; }
