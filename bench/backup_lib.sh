# Shared helpers of the backup benchmarks (sourced, not run): timing and sizes.

seconds() { # runs "$@", prints the wall-clock seconds it took
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}

size_of() { du -sb "$1" | cut -f1 | awk '{ printf "%.1f MB", $1 / 1e6 }'; }
