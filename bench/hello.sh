#!/usr/bin/env bash
# Throughput of GET /hello through Groundwork's full middleware stack against a bare axum
# handler with no middleware, measured in the same run; plus GET /auth/me (JWT verification
# and one indexed read) and POST /auth/login (Argon2id-bound).
#
# The server under test is pinned to CPU 0 and oha to CPU 1, one server loaded at a time.
# Rounds alternate between servers so that drift on a shared machine hits both alike; the
# median of the rounds is reported.
#
# Usage: bench/hello.sh [seconds per round = 10] [rounds = 3] [connections = 64]
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_ROUND=${1:-10}
ROUNDS=${2:-3}
CONNECTIONS=${3:-64}
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
cargo build --release --locked -p groundwork -p groundwork-bench-baseline >&2
work=$(mktemp -d)
cleanup_hooks+=("rm -rf '$work'")

require_free_ports 18080 18081 18082

start_groundwork() { # name port extra-env...
  local name=$1 port=$2
  shift 2
  mkdir -p "$work/$name"
  # `exec` so that $! is the server itself and the cleanup kills it.
  (cd "$work/$name" && exec env "${limits[@]}" "$@" taskset -c 0 "$BIN/groundwork" serve --bind "127.0.0.1:$port" \
    2>"$work/$name.log" >/dev/null) &
  pids+=($!)
  wait_for "http://127.0.0.1:$port/hello"
}

taskset -c 0 "$BIN/bare-hello" 127.0.0.1:18081 &
pids+=($!)
wait_for http://127.0.0.1:18081/hello
start_groundwork full 18080                          # default logging (access log off)
start_groundwork logged 18082 RUST_LOG=info          # same stack with the access log on


declare -A results
for target in bare full logged; do results[$target]=""; done
for _ in 1 2; do # warm-up
  for port in 18081 18080 18082; do
    taskset -c 1 "$OHA" --no-tui --output-format quiet -z 2s -c "$CONNECTIONS" "http://127.0.0.1:$port/hello"
  done
done
for round in $(seq 1 "$ROUNDS"); do
  for pair in bare:18081 full:18080 logged:18082; do
    name=${pair%%:*}
    port=${pair##*:}
    line=$(measure -c "$CONNECTIONS" "http://127.0.0.1:$port/hello")
    echo "round $round $name: $line" >&2
    results[$name]+="$line"$'\n'
  done
done

rps() { printf '%s' "${results[$1]}" | awk 'NF {print $1}' | median; }
p99() { printf '%s' "${results[$1]}" | awk 'NF {print $2}' | median; }
bare=$(rps bare)
full=$(rps full)
logged=$(rps logged)

# /auth/me: a registered user's token; JWT verify + one read by primary key.
token=$(curl -fsS -X POST http://127.0.0.1:18080/auth/register -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"benchmark password"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
me=$(measure -c "$CONNECTIONS" -H "Authorization: Bearer $token" http://127.0.0.1:18080/auth/me)
echo "auth/me: $me" >&2

# /auth/login: Argon2id verification dominates; a few connections saturate one core.
login=$(measure -c 4 -m POST -T application/json -d '{"email":"bench@example.com","password":"benchmark password"}' \
  http://127.0.0.1:18080/auth/login)
echo "auth/login: $login" >&2

# Failed logins: an unknown email must cost what a wrong password costs (one Argon2id
# verification each), so that timing does not reveal which emails have accounts.
wrong_password=$(ALLOW_STATUS=401 measure -c 1 -m POST -T application/json \
  -d '{"email":"bench@example.com","password":"not the password"}' http://127.0.0.1:18080/auth/login)
unknown_email=$(ALLOW_STATUS=401 measure -c 1 -m POST -T application/json \
  -d '{"email":"nobody@example.com","password":"not the password"}' http://127.0.0.1:18080/auth/login)
echo "wrong password: $wrong_password; unknown email: $unknown_email" >&2

cat <<EOF
machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), Linux $(uname -r); oha $("$OHA" --version | cut -d' ' -f2), ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS_PER_ROUND} s, medians

| endpoint | server | requests/s | p99 ms |
|---|---|---|---|
| GET /hello | bare axum, no middleware | $bare | $(p99 bare) |
| GET /hello | groundwork, full stack, default logging | $full | $(p99 full) |
| GET /hello | groundwork, full stack, access log on (RUST_LOG=info) | $logged | $(p99 logged) |
| GET /auth/me | groundwork, default logging | $(field "$me" 1) | $(field "$me" 2) |
| POST /auth/login (success) | groundwork, default logging, 4 connections | $(field "$login" 1) | $(field "$login" 2) |
| POST /auth/login (wrong password) | groundwork, 1 connection | $(field "$wrong_password" 1) | $(field "$wrong_password" 2) |
| POST /auth/login (unknown email) | groundwork, 1 connection | $(field "$unknown_email" 1) | $(field "$unknown_email" 2) |

full stack / bare: $(python3 -c "print(f'{$full/$bare:.0%}')") (default logging), $(python3 -c "print(f'{$logged/$bare:.0%}')") with the access log on
failed login median latency: wrong password $(field "$wrong_password" 3) ms, unknown email $(field "$unknown_email" 3) ms
EOF
