#!/usr/bin/env bash
# broadcast-server next to a minimal Node broadcaster (bench/ws-node: the `ws` library, one
# room map, one JSON.stringify per message), same box, same load, measured in the same run:
#   - idle: CLIENTS connections opened and held for HOLD_SECS (default 10); the server's
#     resident memory (VmRSS) growth divided by the connections held;
#   - fan-out: CLIENTS receivers in one room and one sender, which sends MESSAGES messages
#     INTERVAL_MS (default 500) apart; each must reach every receiver. Latency runs from the
#     sender's write to a receiver's read (one process, one clock); also the time for a
#     message to reach the last receiver, deliveries/s, and delivered/expected;
#   - burst: the same receivers, and the sender sends BURST_MESSAGES (default 100)
#     messages BURST_INTERVAL_MS (default 0: all at once) apart, faster than one write per
#     delivery can keep up with: the fan-out throughput under load (deliveries from the
#     first send to the last delivery), with the latencies of that run.
# Each server on CPU 0 (one core, as Node has one JS thread), the load (bench/wsload) on
# CPU 1; a fresh server for every measurement. broadcast-server runs with history off and
# its limits raised so that it never refuses the load (connections per address, the
# sender's message rate). It announces every join to the room, Node sends none: wsload
# waits until no frame has arrived for 1 s before measuring, and reports how long that took.
# Rounds alternate the order of the servers; each figure is the median of the rounds.
#
# Usage: [BURST_MESSAGES=100] [BURST_INTERVAL_MS=0] bench/broadcast.sh [clients = 10000] [messages = 20] [rounds = 1]
set -euo pipefail
cd "$(dirname "$0")/.."

CLIENTS=${1:-10000}
MESSAGES=${2:-20}
ROUNDS=${3:-1}
HOLD_SECS=${HOLD_SECS:-10}
INTERVAL_MS=${INTERVAL_MS:-500}
BURST_MESSAGES=${BURST_MESSAGES:-100}
BURST_INTERVAL_MS=${BURST_INTERVAL_MS:-0}
OURS_PORT=18420
NODE_PORT=18421
BENCH_WITHOUT_OHA=1 # wsload is the load generator here
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

command -v node >/dev/null || { echo "error: node (20 or later) is needed for the ws baseline" >&2; exit 1; }
# Every connection is a file descriptor in the server and another in wsload.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((CLIENTS + 1024)) ]; then
  echo "error: $CLIENTS clients need $((CLIENTS + 1024)) open files per process; the limit is $(ulimit -n) (hard limit $(ulimit -Hn)); raise it (ulimit -Hn, /etc/security/limits.conf) or use fewer clients" >&2
  exit 1
fi

cargo build --release --locked -p groundwork-broadcast -p groundwork-bench-wsload >&2
[ -d bench/ws-node/node_modules/ws ] || (cd bench/ws-node && npm ci --no-audit --no-fund >&2)
require_free_ports "$OURS_PORT" "$NODE_PORT"

work=$(mktemp -d)
cleanup_hooks+=("rm -rf '$work'")

start_server() { # name → server_pid, port
  case $1 in
    ours)
      port=$OURS_PORT
      taskset -c 0 "$BIN/broadcast-server" start --port "$port" --bind 127.0.0.1 --history 0 \
        --max-connections 100000 --max-connections-per-ip 100000 --messages-per-second 1000 \
        2>>"$work/ours.log" >/dev/null &
      ;;
    node)
      port=$NODE_PORT
      taskset -c 0 node bench/ws-node/server.js "$port" >>"$work/node.log" 2>&1 &
      ;;
  esac
  server_pid=$!
  pids+=("$server_pid")
  wait_for "http://127.0.0.1:$port/healthz"
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}

measure_server() { # name round
  local name=$1 round=$2
  start_server "$name"
  echo "round $round, $name: idle, $CLIENTS connections" >&2
  taskset -c 1 "$BIN/wsload" idle --url "ws://127.0.0.1:$port/" --clients "$CLIENTS" \
    --hold-secs "$HOLD_SECS" --server-pid "$server_pid" >"$work/$name-idle-$round.json"
  stop_server
  start_server "$name"
  echo "round $round, $name: fan-out of $MESSAGES messages to $CLIENTS receivers" >&2
  taskset -c 1 "$BIN/wsload" fanout --url "ws://127.0.0.1:$port/" --clients "$CLIENTS" \
    --messages "$MESSAGES" --interval-ms "$INTERVAL_MS" --server-pid "$server_pid" \
    >"$work/$name-fanout-$round.json"
  stop_server
  start_server "$name"
  echo "round $round, $name: burst of $BURST_MESSAGES messages $BURST_INTERVAL_MS ms apart to $CLIENTS receivers" >&2
  taskset -c 1 "$BIN/wsload" fanout --url "ws://127.0.0.1:$port/" --clients "$CLIENTS" \
    --messages "$BURST_MESSAGES" --interval-ms "$BURST_INTERVAL_MS" --drain-secs 120 \
    --server-pid "$server_pid" >"$work/$name-burst-$round.json"
  stop_server
}

for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then
    measure_server ours "$round"; measure_server node "$round"
  else
    measure_server node "$round"; measure_server ours "$round"
  fi
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), Linux $(uname -r); node $(node --version), ws $(node -p 'require("./bench/ws-node/node_modules/ws/package.json").version')"
echo "$CLIENTS clients; idle held ${HOLD_SECS} s; fan-out: $MESSAGES messages ${INTERVAL_MS} ms apart; burst: $BURST_MESSAGES messages ${BURST_INTERVAL_MS} ms apart; $ROUNDS round(s), medians"
echo
python3 - "$work" "$ROUNDS" <<'PY'
import json, statistics, sys

work, rounds = sys.argv[1], int(sys.argv[2])

def runs(name, kind):
    found = [json.load(open(f"{work}/{name}-{kind}-{r}.json")) for r in range(1, rounds + 1)]
    for r in found:
        # The server's resident memory at the end of a fan-out run, per connection.
        if r.get("rss_after_kib") is not None and r.get("rss_before_kib") is not None and r.get("connected"):
            r["kib_per_connection_after"] = (r["rss_after_kib"] - r["rss_before_kib"]) / r["connected"]
    return found

def med(name, kind, key, scale=1.0):
    values = [r[key] for r in runs(name, kind) if r.get(key) is not None]
    return statistics.median(values) * scale if values else None

def fmt(v, digits):
    return "n/a" if v is None else f"{v:,.{digits}f}"

def ratio(o, n):
    return "n/a" if o is None or not n else f"{o / n:.2f}"

def counts(name, kind, done, total):
    return ", ".join(f"{r[done]:,}/{r[total]:,}" for r in runs(name, kind))

# Anything short of every connection and every delivery is said out loud.
for name in ("ours", "node"):
    for kind in ("idle", "fanout", "burst"):
        for i, r in enumerate(runs(name, kind), 1):
            problems = [f"{k} {r[k]}" for k in ("failed", "dropped", "missing", "duplicates") if r.get(k)]
            if not r.get("settled", True):
                problems.append("joins had not settled")
            if problems:
                print(f"warning: {name} {kind} round {i}: " + ", ".join(problems), file=sys.stderr)

rows = [
    ("idle: memory per connection, KiB (lower is better)", "idle", "bytes_per_connection", 1 / 1024, 1),
    ("fan-out: p50 latency, ms (lower is better)", "fanout", "p50_ms", 1, 2),
    ("fan-out: p99 latency, ms (lower is better)", "fanout", "p99_ms", 1, 2),
    ("fan-out: max latency, ms", "fanout", "max_ms", 1, 2),
    ("fan-out: one message to every receiver, median ms (lower is better)", "fanout", "fanout_p50_ms", 1, 2),
    ("fan-out: deliveries/s while fanning out (higher is better)", "fanout", "busy_deliveries_per_sec", 1, 0),
    ("fan-out: deliveries/s, first send to last delivery", "fanout", "deliveries_per_sec", 1, 0),
    ("wait for the joins to settle before fan-out, s", "fanout", "settle_secs", 1, 1),
    ("burst: deliveries/s, first send to last delivery (higher is better)", "burst", "deliveries_per_sec", 1, 0),
    ("burst: p50 latency, ms (lower is better)", "burst", "p50_ms", 1, 2),
    ("burst: p99 latency, ms (lower is better)", "burst", "p99_ms", 1, 2),
    ("burst: all messages to every receiver, ms", "burst", "fanout_max_ms", 1, 2),
    ("fan-out: server CPU per delivery, µs (lower is better)", "fanout", "server_cpu_us_per_delivery", 1, 2),
    ("burst: server CPU per delivery, µs (lower is better)", "burst", "server_cpu_us_per_delivery", 1, 2),
    ("fan-out: server memory per connection at the end, KiB", "fanout", "kib_per_connection_after", 1, 1),
    ("burst: server memory per connection at the end, KiB", "burst", "kib_per_connection_after", 1, 1),
]
print("| measure | broadcast-server | node ws | ratio (ours / node) |")
print("|---|---|---|---|")
print(f"| idle: connected / clients | {counts('ours', 'idle', 'connected', 'clients')} | {counts('node', 'idle', 'connected', 'clients')} | |")
print(f"| fan-out: delivered / expected | {counts('ours', 'fanout', 'delivered', 'expected_deliveries')} | {counts('node', 'fanout', 'delivered', 'expected_deliveries')} | |")
print(f"| burst: delivered / expected | {counts('ours', 'burst', 'delivered', 'expected_deliveries')} | {counts('node', 'burst', 'delivered', 'expected_deliveries')} | |")
for label, kind, key, scale, digits in rows:
    o, n = med("ours", kind, key, scale), med("node", kind, key, scale)
    print(f"| {label} | {fmt(o, digits)} | {fmt(n, digits)} | {ratio(o, n)} |")
PY
