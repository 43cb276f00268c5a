#!/usr/bin/env bash
# Render and grammar-check latency for 3,000-word notes, release build.
# Usage: bench/notes.sh [words] [runs]   (defaults 3000 200)
# Results go to docs/perf.md ("Markdown notes") by hand, with the date and this command.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/groundwork/target}"
cargo build --release --locked -p groundwork-notes --example notes_bench
# One core, as a server process under load would give one request.
taskset -c 1 "$CARGO_TARGET_DIR/release/examples/notes_bench" "${1:-3000}" "${2:-200}"
