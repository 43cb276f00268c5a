#!/usr/bin/env bash
# Render and grammar-check latency for 3,000-word notes, release build.
# Usage: bench/notes.sh [words] [runs]   (defaults 3000 200)
# Also checks the same notes with harper.js (bench/harperjs) when node is installed.
# Results go to docs/perf.md ("Markdown notes") by hand, with the date and this command.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/groundwork/target}"
cargo build --release --locked -p groundwork-notes --example notes_bench
notes=$(mktemp -d)
trap 'rm -rf "$notes"' EXIT
# One checker thread on one core, as a server process under load would give one request;
# then two threads on both cores, as an idle server spreads one large check.
DUMP_NOTES=$notes THREADS=1 taskset -c 1 "$CARGO_TARGET_DIR/release/examples/notes_bench" "${1:-3000}" "${2:-200}"
THREADS=2 "$CARGO_TARGET_DIR/release/examples/notes_bench" "${1:-3000}" "${2:-200}" | grep -v -e '^|---' -e '^| operation' -e '^| render'
# The same notes through harper.js (the WebAssembly build of the same checker), same core.
if command -v node >/dev/null; then
  [ -d bench/harperjs/node_modules/harper.js ] || (cd bench/harperjs && npm ci --no-audit --no-fund >&2)
  taskset -c 1 node bench/harperjs/check.mjs "$notes"
else
  echo "node not found: the harper.js row is skipped" >&2
fi
