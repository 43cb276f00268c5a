#!/usr/bin/env bash
# dbbackup against the engines' own tools on ~1 GB databases, all in the same run:
# PostgreSQL (pgbench -i plus a wide table) against pg_dump -Fd -j 2 / pg_restore -j 2, and
# MariaDB (the same shapes) against mariadb-dump / mariadb. mydumper is not in Debian 12.
# Usage: bench/backup.sh [pgbench scale] [wide rows] [rounds]   (defaults 70 500000 2)
# Needs: PostgreSQL and MariaDB on 127.0.0.1 (roles as in .ci/run), their client tools.
# Results go to docs/perf.md ("Database backup utility") by hand, with the date and this command.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/backup_lib.sh
. bench/backup_lib.sh
scale="${1:-70}"
wide_rows="${2:-500000}"
rounds="${3:-2}"
work="${BACKUP_BENCH_DIR:-$HOME/.cache/groundwork/backup-bench}"
mkdir -p "$work"
my=(mariadb -h 127.0.0.1 -u root)
pg_url="postgres://$PGUSER@127.0.0.1:5432"
my_url="mysql://root@127.0.0.1:3306"

my_fresh() { "${my[@]}" -e "DROP DATABASE IF EXISTS $1; CREATE DATABASE $1"; }

echo "== generating PostgreSQL: pgbench scale $scale + $wide_rows wide rows" >&2
pg_fresh bench_backup_src
pgbench -i -q -s "$scale" bench_backup_src > /dev/null 2>&1
psql -q -d bench_backup_src -c "CREATE TABLE wide AS SELECT i AS id, md5(i::text) AS a, md5((i + 1)::text) AS b,
    i * 1.5 AS amount, now() - i * interval '1 minute' AS at, jsonb_build_object('n', i, 'tag', 'tag' || i % 100) AS doc,
    repeat('w', 200) AS pad FROM generate_series(1, $wide_rows) i; ALTER TABLE wide ADD PRIMARY KEY (id);
    CREATE INDEX wide_at ON wide (at);" -c "SET client_min_messages = error" -c "VACUUM ANALYZE"
echo "PostgreSQL database: $(psql -Atc "SELECT pg_size_pretty(pg_database_size('bench_backup_src'))" -d bench_backup_src)"

echo "== generating MariaDB: the same tables" >&2
accounts=$((scale * 100000))
my_fresh bench_backup_src
"${my[@]}" bench_backup_src -e "
  CREATE TABLE accounts (aid INT NOT NULL PRIMARY KEY, bid INT, abalance INT, filler CHAR(84)) ENGINE=InnoDB;
  INSERT INTO accounts SELECT seq, 1 + seq DIV 100000, 0, '' FROM seq_1_to_$accounts;
  CREATE TABLE branches (bid INT NOT NULL PRIMARY KEY, bbalance INT, filler CHAR(88)) ENGINE=InnoDB;
  INSERT INTO branches SELECT seq, 0, '' FROM seq_1_to_$scale;
  CREATE TABLE wide (id INT NOT NULL PRIMARY KEY, a CHAR(32), b CHAR(32), amount DECIMAL(20, 1),
    at DATETIME(6), doc JSON, pad VARCHAR(200), KEY wide_at (at)) ENGINE=InnoDB;
  INSERT INTO wide SELECT seq, md5(seq), md5(seq + 1), seq * 1.5, NOW(6) - INTERVAL seq MINUTE,
    JSON_OBJECT('n', seq, 'tag', CONCAT('tag', seq % 100)), REPEAT('w', 200) FROM seq_1_to_$wide_rows;
  ANALYZE TABLE accounts, branches, wide;"
echo "MariaDB database: $("${my[@]}" -N -e "SELECT CONCAT(ROUND(SUM(DATA_LENGTH + INDEX_LENGTH) / 1e6), ' MB') FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'bench_backup_src'")"

for round in $(seq 1 "$rounds"); do
  echo "== round $round" >&2
  rm -rf "$work/pg_dump" "$work/dbbackup-pg" "$work/mariadb-dump.sql" "$work/dbbackup-my"
  mkdir -p "$work/dbbackup-pg" "$work/dbbackup-my"

  t_pgdump=$(seconds pg_dump -Fd -j 2 -f "$work/pg_dump" bench_backup_src)
  t_ours_pg=$(seconds "$dbbackup" backup --url "$pg_url/bench_backup_src" --dest "$work/dbbackup-pg" --jobs 2)
  pg_fresh bench_backup_dst
  t_pgrestore=$(seconds pg_restore -j 2 --no-owner -d bench_backup_dst "$work/pg_dump")
  pg_fresh bench_backup_dst
  t_ours_pg_restore=$(seconds "$dbbackup" restore --from "$(ls -d "$work"/dbbackup-pg/bench_backup_src-*)" --url "$pg_url/bench_backup_dst" --jobs 2)
  echo "| PostgreSQL | backup | pg_dump -Fd -j 2: $t_pgdump s, $(size_of "$work/pg_dump") | dbbackup --jobs 2: $t_ours_pg s, $(size_of "$work/dbbackup-pg") |"
  echo "| PostgreSQL | restore | pg_restore -j 2: $t_pgrestore s | dbbackup --jobs 2: $t_ours_pg_restore s |"

  t_mydump=$(seconds sh -c "mariadb-dump -h 127.0.0.1 -u root --single-transaction --quick bench_backup_src > '$work/mariadb-dump.sql'")
  t_ours_my=$(seconds "$dbbackup" backup --url "$my_url/bench_backup_src" --dest "$work/dbbackup-my" --jobs 2)
  my_fresh bench_backup_dst
  t_myrestore=$(seconds sh -c "mariadb -h 127.0.0.1 -u root bench_backup_dst < '$work/mariadb-dump.sql'")
  my_fresh bench_backup_dst
  t_ours_my_restore=$(seconds "$dbbackup" restore --from "$(ls -d "$work"/dbbackup-my/bench_backup_src-*)" --url "$my_url/bench_backup_dst" --jobs 2)
  echo "| MariaDB | backup | mariadb-dump: $t_mydump s, $(size_of "$work/mariadb-dump.sql") | dbbackup --jobs 2: $t_ours_my s, $(size_of "$work/dbbackup-my") |"
  echo "| MariaDB | restore | mariadb < dump: $t_myrestore s | dbbackup --jobs 2: $t_ours_my_restore s |"
done
dropdb --if-exists --force bench_backup_dst
my_fresh bench_backup_dst && "${my[@]}" -e "DROP DATABASE bench_backup_dst"
