#!/usr/bin/env bash
# freelance against Watson (PyPI td-watson) on the same 1,000,000 entries, whole processes.
# Usage: bench/freelance.sh [entries] [runs] [watson runs]   (defaults 1000000 30 3)
# Results go to docs/perf.md ("Freelance time tracker") by hand, with the date and this command.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/groundwork/target}"
cargo build --release --locked -p groundwork-freelance --bin freelance
work="${FREELANCE_BENCH_DIR:-$HOME/.cache/groundwork/freelance-bench}"
venv="$work/watson-venv"
if [ ! -x "$venv/bin/watson" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'td-watson==2.1.0'
fi
python3 bench/freelance_bench.py "$CARGO_TARGET_DIR/release/freelance" "$venv/bin/watson" "$work" \
    "${1:-1000000}" "${2:-30}" "${3:-3}"
