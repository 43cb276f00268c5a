# Shared helpers of the backup benchmarks (sourced from the repository root, not run):
# the release dbbackup ($dbbackup), the PostgreSQL client settings, timing and sizes.

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/groundwork/target}"
cargo build --release --locked -p groundwork-backup --bin dbbackup
# shellcheck disable=SC2034 # used by the scripts that source this file
dbbackup="$CARGO_TARGET_DIR/release/dbbackup"
export PGHOST=127.0.0.1 PGUSER="${BENCH_PGUSER:-groundwork_test}"

pg_fresh() { dropdb --if-exists --force "$1"; createdb "$1"; }

seconds() { # runs "$@", prints the wall-clock seconds it took
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}

size_of() { du -sb "$1" | cut -f1 | awk '{ printf "%.1f MB", $1 / 1e6 }'; }
