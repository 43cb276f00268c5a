//! The worker's statements: claim due jobs under a lease, extend leases, record outcomes,
//! release on shutdown, and reap the jobs of workers that died.
//!
//! Every outcome is written `WHERE locked_by = <this worker>`: a worker that lost its lease
//! (it stalled, another worker reaped and took the job) cannot overwrite the newer run.

use sea_orm::{ConnectionTrait, DbBackend, DbErr};

use super::store::{Sql, execute, now_micros, query};

/// A job a worker claimed.
#[derive(Clone, Debug)]
pub(crate) struct Claimed {
    pub id: i64,
    pub kind: String,
    pub queue: String,
    pub priority: i32,
    pub payload: String,
    pub payload_version: i32,
    pub attempt: i32,
    pub max_attempts: i32,
    /// When it was due; `started - run_at` is its wait.
    pub run_at: i64,
}

/// Claims up to `limit` due jobs from `queues` (all queues if empty), highest priority and
/// earliest due first, and leases them to `worker` until `now + lease`.
pub(crate) async fn claim<C: ConnectionTrait>(
    conn: &C,
    worker: &str,
    queues: &[String],
    limit: usize,
    lease_micros: i64,
) -> Result<Vec<Claimed>, DbErr> {
    let now = now_micros();
    if conn.get_database_backend() == DbBackend::Sqlite && !any_due(conn, queues, now).await? {
        return Ok(Vec::new());
    }
    let backend = conn.get_database_backend();
    let select = due_jobs(
        Sql::new("SELECT id FROM groundwork_jobs"),
        backend,
        queues,
        now,
    )
    .push(" ORDER BY priority DESC, run_at, id LIMIT ?")
    .bind(i64::try_from(limit).unwrap_or(i64::MAX));
    let set = "UPDATE groundwork_jobs SET state = 'running', attempts = attempts + 1, \
        locked_by = ?, lease_until = ?, started_at = ?, updated_at = ?";
    let returning = " RETURNING groundwork_jobs.id, kind, queue, priority, payload, \
        payload_version, attempts, max_attempts, run_at";
    let sql = if backend == DbBackend::Postgres {
        // A locking CTE runs exactly once. Written as `WHERE id IN (SELECT ... LIMIT n FOR
        // UPDATE SKIP LOCKED)` instead, PostgreSQL may run the subquery again for later
        // rows, each run skipping the rows the earlier ones locked, and claim more than
        // `n` jobs (seen: 1,000 too many under load). SKIP LOCKED: rows another worker is
        // claiming right now are passed over, not waited for.
        prepend(select.push(" FOR UPDATE SKIP LOCKED"), "WITH due AS (")
            .push(") ")
            .push(set)
            .bind(worker)
            .bind(now + lease_micros)
            .bind(now)
            .bind(now)
            .push(" FROM due WHERE groundwork_jobs.id = due.id")
            .push(returning)
    } else {
        // SQLite evaluates the `IN` list once, and runs one writer at a time: the
        // statement alone is the claim.
        let head = Sql::new(set)
            .bind(worker)
            .bind(now + lease_micros)
            .bind(now)
            .bind(now)
            .push(" WHERE id IN (");
        head.append(select).push(")").push(returning)
    };
    let mut claimed = query(conn, sql)
        .await?
        .iter()
        .map(|row| {
            Ok(Claimed {
                id: row.try_get_by_index(0)?,
                kind: row.try_get_by_index(1)?,
                queue: row.try_get_by_index(2)?,
                priority: row.try_get_by_index(3)?,
                payload: row.try_get_by_index(4)?,
                payload_version: row.try_get_by_index(5)?,
                attempt: row.try_get_by_index(6)?,
                max_attempts: row.try_get_by_index(7)?,
                run_at: row.try_get_by_index(8)?,
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    // RETURNING comes in no particular order; start the most urgent first.
    claimed.sort_by_key(|job| (std::cmp::Reverse(job.priority), job.run_at, job.id));
    Ok(claimed)
}

/// Whether any job is due: on SQLite an idle worker polls often, and a read does not take
/// the database's single write lock, which the claiming `UPDATE` would, found or not.
async fn any_due<C: ConnectionTrait>(conn: &C, queues: &[String], now: i64) -> Result<bool, DbErr> {
    let sql = due_jobs(
        Sql::new("SELECT 1 FROM groundwork_jobs"),
        DbBackend::Sqlite,
        queues,
        now,
    );
    Ok(!query(conn, sql.push(" LIMIT 1")).await?.is_empty())
}

/// The `WHERE` of due jobs, to follow `FROM groundwork_jobs`. On SQLite the claim index is
/// named: its planner otherwise prefers the `(state, id)` index for `state = 'queued'` and
/// sorts every queued row to find the first few (14 ms per claim at 100,000 queued jobs
/// instead of microseconds). PostgreSQL has no such clause; its statistics (see
/// `analyze`) lead it to the same index.
fn due_jobs(sql: Sql, backend: DbBackend, queues: &[String], now: i64) -> Sql {
    let mut sql = if backend == DbBackend::Sqlite {
        sql.push(" INDEXED BY groundwork_jobs_claim")
    } else {
        sql
    };
    sql = sql
        .push(" WHERE state = 'queued' AND run_at <= ?")
        .bind(now);
    if !queues.is_empty() {
        sql = sql.push(" AND queue IN ").bind_list(queues);
    }
    sql
}

/// Refreshes PostgreSQL's statistics of the job table. Without them (a fresh table, or
/// autovacuum off) the planner guesses that a handful of rows are queued, scans them all
/// through a bitmap and sorts them on every claim (43 ms at 100,000 queued jobs); with
/// them it walks the claim index in order and stops after `LIMIT` rows. Cheap: ANALYZE
/// samples the table and does not block writers. A no-op on SQLite.
pub(crate) async fn analyze<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    if conn.get_database_backend() == DbBackend::Postgres {
        conn.execute_unprepared("ANALYZE groundwork_jobs").await?;
    }
    Ok(())
}

/// Jobs per queue in the states the depth gauges show; reads only the pending rows
/// (through the `(state, id)` index), however many finished jobs are kept.
pub(crate) async fn pending_depths<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<(String, String, i64)>, DbErr> {
    let sql = Sql::new(
        "SELECT queue, state, COUNT(*) FROM groundwork_jobs \
         WHERE state IN ('queued', 'running', 'dead') GROUP BY queue, state",
    );
    query(conn, sql)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get_by_index(0)?,
                row.try_get_by_index(1)?,
                row.try_get_by_index(2)?,
            ))
        })
        .collect()
}

/// Extends the lease of every job `worker` holds. Returns `(id, cancel_requested)` for each:
/// a job missing from the answer was lost (reaped after a stall).
pub(crate) async fn heartbeat<C: ConnectionTrait>(
    conn: &C,
    worker: &str,
    lease_micros: i64,
) -> Result<Vec<(i64, bool)>, DbErr> {
    let sql = Sql::new(
        "UPDATE groundwork_jobs SET lease_until = ? \
         WHERE locked_by = ? AND state = 'running' RETURNING id, cancel_requested",
    )
    .bind(now_micros() + lease_micros)
    .bind(worker);
    query(conn, sql)
        .await?
        .iter()
        .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
        .collect()
}

/// Marks jobs succeeded (many at once: the worker batches its completions); with
/// `keep = false` (a retention of zero) deletes them instead, which costs the database far
/// less than writing a new version of each row and of its index entries.
pub(crate) async fn succeed<C: ConnectionTrait>(
    conn: &C,
    worker: &str,
    ids: &[i64],
    keep: bool,
) -> Result<u64, DbErr> {
    if !keep {
        let sql = Sql::new("DELETE FROM groundwork_jobs WHERE locked_by = ? AND id IN ")
            .bind(worker)
            .bind_list(ids);
        return execute(conn, sql).await;
    }
    let now = now_micros();
    let sql = Sql::new(
        "UPDATE groundwork_jobs SET state = 'succeeded', finished_at = ?, updated_at = ?, \
         locked_by = NULL, lease_until = NULL WHERE locked_by = ? AND id IN ",
    )
    .bind(now)
    .bind(now)
    .bind(worker)
    .bind_list(ids);
    execute(conn, sql).await
}

/// What happens to a job after a failed run.
pub(crate) enum AfterFailure {
    /// Queued again for `run_at`.
    Retry { run_at: i64 },
    /// No more attempts.
    Dead,
    /// Stopped on request.
    Cancelled,
}

/// Records a failed run and what follows it.
pub(crate) async fn fail<C: ConnectionTrait>(
    conn: &C,
    worker: &str,
    id: i64,
    error: &str,
    next: AfterFailure,
) -> Result<u64, DbErr> {
    let now = now_micros();
    let (state, run_at, finished_at) = match next {
        AfterFailure::Retry { run_at } => ("queued", Some(run_at), None),
        AfterFailure::Dead => ("dead", None, Some(now)),
        AfterFailure::Cancelled => ("cancelled", None, Some(now)),
    };
    let sql = Sql::new(
        "UPDATE groundwork_jobs SET state = ?, run_at = COALESCE(?, run_at), finished_at = ?, \
         last_error = ?, updated_at = ?, locked_by = NULL, lease_until = NULL \
         WHERE id = ? AND locked_by = ?",
    )
    .bind(state)
    .bind(run_at)
    .bind(finished_at)
    .bind(truncate(error, 4096))
    .bind(now)
    .bind(id)
    .bind(worker);
    execute(conn, sql).await
}

/// Gives jobs back to the queue without counting the attempt (shutdown deadline reached).
pub(crate) async fn release<C: ConnectionTrait>(
    conn: &C,
    worker: &str,
    ids: &[i64],
) -> Result<u64, DbErr> {
    let now = now_micros();
    let sql = Sql::new(
        "UPDATE groundwork_jobs SET state = 'queued', attempts = attempts - 1, run_at = ?, \
         updated_at = ?, locked_by = NULL, lease_until = NULL \
         WHERE state = 'running' AND locked_by = ? AND id IN ",
    )
    .bind(now)
    .bind(now)
    .bind(worker)
    .bind_list(ids);
    let released = execute(conn, sql).await?;
    super::wake::local_enqueue();
    Ok(released)
}

/// What a worker that died left behind: running jobs whose lease ran out go back to the
/// queue (the crashed run counts as an attempt), or to the dead state on their last one.
pub(crate) async fn reap_expired<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    let now = now_micros();
    let sql = Sql::new(
        "UPDATE groundwork_jobs SET \
         state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END, \
         finished_at = CASE WHEN attempts >= max_attempts THEN ? ELSE NULL END, \
         last_error = ?, run_at = ?, updated_at = ?, locked_by = NULL, lease_until = NULL \
         WHERE state = 'running' AND lease_until < ?",
    )
    .bind(now)
    .bind(
        "lease expired: the worker running this attempt stopped answering \
         (crash, kill, or a stall longer than the lease)",
    )
    .bind(now)
    .bind(now)
    .bind(now);
    execute(conn, sql).await
}

/// Deletes succeeded and cancelled jobs that finished before `before`.
pub(crate) async fn purge_finished<C: ConnectionTrait>(
    conn: &C,
    before: i64,
) -> Result<u64, DbErr> {
    let sql = Sql::new(
        "DELETE FROM groundwork_jobs WHERE state IN ('succeeded', 'cancelled') AND finished_at < ?",
    )
    .bind(before);
    execute(conn, sql).await
}

fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text` followed by `sql`.
fn prepend(sql: Sql, text: &str) -> Sql {
    Sql::new(text).append(sql)
}
