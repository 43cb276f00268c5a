#!/usr/bin/env bash
# MariaDB incremental backups (from the binary log) against full ones, in the same run: a
# pgbench-shaped database, a full backup, then a pgbench-like workload (each transaction
# updates an account, a teller and a branch and inserts a history row), then an
# incremental backup and a full backup of the same state (time and size of each), then the
# chain and the full backup restored and compared with the source (CHECKSUM TABLE).
# Usage: bench/backup_incremental_mysql.sh [scale] [workload seconds]   (defaults 70 60)
# Needs: MariaDB on 127.0.0.1 with a row-format binary log (.ci/run starts it so), and the
# mariadb client.
# Results go to docs/perf.md ("Database backup utility") by hand, with the date and this command.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/backup_lib.sh
. bench/backup_lib.sh
scale="${1:-70}"
workload="${2:-60}"
work="${BACKUP_BENCH_DIR:-$HOME/.cache/groundwork/backup-bench}/incremental-mysql"
my=(mariadb -h 127.0.0.1 -u root)
url="mysql://root@127.0.0.1:3306"

my_fresh() { "${my[@]}" -e "DROP DATABASE IF EXISTS $1; CREATE DATABASE $1"; }
newest() { ls -d "$1"/bench_myincr_src-* | grep -v partial | tail -n1; }
log_bytes() { "${my[@]}" -N -e "SHOW BINARY LOGS" | awk '{ s += $2 } END { print s }'; }
checksums() { "${my[@]}" -N "$1" -e "CHECKSUM TABLE accounts, branches, tellers, history" | cut -f2; }

[ "$("${my[@]}" -N -e 'SELECT @@log_bin, @@binlog_format')" = "$(printf '1\tROW')" ] || {
  echo "MariaDB needs log_bin and binlog_format = ROW (see .ci/run)" >&2
  exit 1
}
rm -rf "$work"
mkdir -p "$work/chain" "$work/full"
accounts=$((scale * 100000))
tellers=$((scale * 10))
echo "== generating: $accounts accounts" >&2
my_fresh bench_myincr_src
# The workload's procedure is made before the full backup: DDL after it would end the chain.
"${my[@]}" bench_myincr_src <<SQL
CREATE TABLE accounts (aid INT NOT NULL PRIMARY KEY, bid INT, abalance INT, filler CHAR(84)) ENGINE=InnoDB;
INSERT INTO accounts SELECT seq, 1 + (seq - 1) DIV 100000, 0, '' FROM seq_1_to_$accounts;
CREATE TABLE tellers (tid INT NOT NULL PRIMARY KEY, bid INT, tbalance INT, filler CHAR(84)) ENGINE=InnoDB;
INSERT INTO tellers SELECT seq, 1 + (seq - 1) DIV 10, 0, '' FROM seq_1_to_$tellers;
CREATE TABLE branches (bid INT NOT NULL PRIMARY KEY, bbalance INT, filler CHAR(88)) ENGINE=InnoDB;
INSERT INTO branches SELECT seq, 0, '' FROM seq_1_to_$scale;
CREATE TABLE history (tid INT, bid INT, aid INT, delta INT, mtime DATETIME(6), filler CHAR(22)) ENGINE=InnoDB;
DELIMITER //
CREATE PROCEDURE tpcb(seconds INT)
BEGIN
  DECLARE stop DATETIME(6) DEFAULT SYSDATE(6) + INTERVAL seconds SECOND;
  DECLARE done INT DEFAULT 0;
  DECLARE a, t, b, d INT;
  WHILE SYSDATE(6) < stop DO
    SET a = 1 + FLOOR(RAND() * $accounts), t = 1 + FLOOR(RAND() * $tellers),
        b = 1 + FLOOR(RAND() * $scale), d = FLOOR(RAND() * 10001) - 5000;
    START TRANSACTION;
    UPDATE accounts SET abalance = abalance + d WHERE aid = a;
    UPDATE tellers SET tbalance = tbalance + d WHERE tid = t;
    UPDATE branches SET bbalance = bbalance + d WHERE bid = b;
    INSERT INTO history VALUES (t, b, a, d, SYSDATE(6), '');
    COMMIT;
    SET done = done + 1;
  END WHILE;
  SELECT done;
END//
DELIMITER ;
ANALYZE TABLE accounts, tellers, branches;
SQL
echo "database: $("${my[@]}" -N -e "SELECT CONCAT(ROUND(SUM(DATA_LENGTH + INDEX_LENGTH) / 1e6), ' MB') FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'bench_myincr_src'")"

t_start=$(seconds "$dbbackup" backup --url "$url/bench_myincr_src" --dest "$work/chain" --jobs 2)
echo "| full backup that starts the chain | $t_start s | $(size_of "$(newest "$work/chain")") |"

echo "== workload: 2 clients for $workload s" >&2
log_before=$(log_bytes)
"${my[@]}" -N bench_myincr_src -e "CALL tpcb($workload)" > "$work/client1" &
"${my[@]}" -N bench_myincr_src -e "CALL tpcb($workload)" > "$work/client2"
wait
transactions=$(( $(cat "$work/client1") + $(cat "$work/client2") ))
log_after=$(log_bytes)
echo "transactions: $transactions ($((transactions * 4)) changes); binary log written: $(( (log_after - log_before) / 1000000 )) MB"

t_incremental=$(seconds "$dbbackup" backup --url "$url/bench_myincr_src" --dest "$work/chain" --incremental-from "$(newest "$work/chain")")
incremental=$(newest "$work/chain")
t_full=$(seconds "$dbbackup" backup --url "$url/bench_myincr_src" --dest "$work/full" --jobs 2)
echo "| incremental backup | $t_incremental s | $(size_of "$incremental") |"
echo "| full backup of the same state | $t_full s | $(size_of "$(newest "$work/full")") |"

my_fresh bench_myincr_dst
log_before=$(log_bytes)
t_restore_chain=$(seconds "$dbbackup" restore --from "$incremental" --url "$url/bench_myincr_dst" --jobs 2)
echo "binary log the target wrote while restoring the chain: $(( ($(log_bytes) - log_before) / 1000000 )) MB"
my_fresh bench_myincr_dst2
t_restore_full=$(seconds "$dbbackup" restore --from "$(newest "$work/full")" --url "$url/bench_myincr_dst2" --jobs 2)
echo "| restore: the chain (full + incremental) | $t_restore_chain s |"
echo "| restore: the full backup of the same state | $t_restore_full s |"
if [ "$(checksums bench_myincr_src)" = "$(checksums bench_myincr_dst)" ]; then
  echo "the restored chain matches the source (CHECKSUM TABLE of all four tables)"
  "${my[@]}" -e "DROP DATABASE bench_myincr_dst; DROP DATABASE bench_myincr_dst2"
else
  echo "MISMATCH between the source and the restored chain" >&2
  exit 1
fi
