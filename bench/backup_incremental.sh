#!/usr/bin/env bash
# PostgreSQL incremental backups against full ones, in the same run: a pgbench database,
# a full backup that starts a chain (--slot), then a pgbench workload, then an incremental
# backup and a full backup of the same state (time and size of each), then the chain
# restored and compared with the source (row hashes by the server).
# Usage: bench/backup_incremental.sh [pgbench scale] [workload seconds] [transactions a second]
#        (defaults 70 60 and as fast as it goes; a rate runs `pgbench -R`, a lighter day)
# Needs: PostgreSQL on 127.0.0.1 with wal_level = logical and a REPLICATION role (.ci/run
# sets both up), pgbench and psql.
# Results go to docs/perf.md ("Database backup utility") by hand, with the date and this command.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/backup_lib.sh
. bench/backup_lib.sh
scale="${1:-70}"
workload="${2:-60}"
rate=()
[ -n "${3:-}" ] && rate=(-R "$3")
work="${BACKUP_BENCH_DIR:-$HOME/.cache/groundwork/backup-bench}/incremental"
url="postgres://$PGUSER@127.0.0.1:5432"
slot=bench_incremental

newest() { ls -d "$1"/bench_incr_src-* | grep -v partial | tail -n1; }
hashes() { # every pgbench table's row count and content hash, computed by the server
  psql -d "$1" -Atc "SELECT 'accounts', count(*), md5(string_agg(t::text, ',' ORDER BY aid)) FROM pgbench_accounts t
    UNION ALL SELECT 'branches', count(*), md5(string_agg(t::text, ',' ORDER BY bid)) FROM pgbench_branches t
    UNION ALL SELECT 'tellers', count(*), md5(string_agg(t::text, ',' ORDER BY tid)) FROM pgbench_tellers t
    UNION ALL SELECT 'history', count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM pgbench_history t
    ORDER BY 1"
}

psql -d postgres -qAtc "SELECT pg_drop_replication_slot('$slot') FROM pg_replication_slots WHERE slot_name = '$slot'" > /dev/null
rm -rf "$work"
mkdir -p "$work/chain" "$work/full"
echo "== generating: pgbench scale $scale" >&2
pg_fresh bench_incr_src
pgbench -i -q -s "$scale" bench_incr_src > /dev/null 2>&1
# pgbench_history has no key; updates and deletes of it could not be replayed (pgbench only inserts).
psql -q -d bench_incr_src -c "ALTER TABLE pgbench_history REPLICA IDENTITY FULL" \
  -c "SET client_min_messages = error" -c "VACUUM ANALYZE"
echo "database: $(psql -Atc "SELECT pg_size_pretty(pg_database_size('bench_incr_src'))" -d bench_incr_src)"

t_start=$(seconds "$dbbackup" backup --url "$url/bench_incr_src" --dest "$work/chain" --slot "$slot" --jobs 2)
echo "| full backup that starts the chain (--slot) | $t_start s | $(size_of "$(newest "$work/chain")") |"

echo "== pgbench for $workload s ${rate[*]}" >&2
pgbench -n -c 2 -j 1 -T "$workload" "${rate[@]}" bench_incr_src 2>/dev/null | grep -E "number of transactions actually processed|tps"
wal=$(psql -d postgres -Atc "SELECT pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)) FROM pg_replication_slots WHERE slot_name = '$slot'")
echo "WAL the slot holds: $wal"

t_incremental=$(seconds "$dbbackup" backup --url "$url/bench_incr_src" --dest "$work/chain" --incremental-from "$(newest "$work/chain")")
incremental=$(newest "$work/chain")
t_full=$(seconds "$dbbackup" backup --url "$url/bench_incr_src" --dest "$work/full" --jobs 2)
statements=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['changes']['statements'])" "$incremental/manifest.json")
echo "| incremental backup ($statements changes) | $t_incremental s | $(size_of "$incremental") |"
echo "| full backup of the same state | $t_full s | $(size_of "$(newest "$work/full")") |"

pg_fresh bench_incr_dst
t_restore_chain=$("$dbbackup" restore --from "$incremental" --url "$url/bench_incr_dst" --jobs 2 --json | python3 -c "import json,sys; print('%.2f' % json.load(sys.stdin)['seconds'])")
pg_fresh bench_incr_dst2
t_restore_full=$(seconds "$dbbackup" restore --from "$(newest "$work/full")" --url "$url/bench_incr_dst2" --jobs 2)
echo "| restore: the chain (full + incremental) | $t_restore_chain s |"
echo "| restore: the full backup of the same state | $t_restore_full s |"
if [ "$(hashes bench_incr_src)" = "$(hashes bench_incr_dst)" ]; then
  echo "the restored chain matches the source: $(hashes bench_incr_dst | cut -d'|' -f1,2 | tr '\n' ' ')"
else
  echo "MISMATCH between the source and the restored chain" >&2
  exit 1
fi
psql -d postgres -qAtc "SELECT pg_drop_replication_slot('$slot')" > /dev/null
