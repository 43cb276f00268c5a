//! Every statement on `groundwork_jobs`: inserting, claiming, finishing, leases, and the
//! administrative reads and changes the jobs API offers.
//!
//! SQL is written once with `?` placeholders; [`Sql`] numbers them (`$1`, `$2`) for
//! PostgreSQL. Times are microseconds since the epoch (see the migration).

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Statement, Value};
use serde::Serialize;

use super::NewJob;

/// The state of a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Waiting for its `run_at` and a free worker (also between retries).
    Queued,
    /// Claimed by a worker that holds its lease.
    Running,
    /// Done.
    Succeeded,
    /// Failed on its last attempt (or permanently); kept with its last error until retried.
    Dead,
    /// Cancelled before it ran, or stopped on request while running.
    Cancelled,
}

impl JobState {
    /// Every state, in lifecycle order.
    pub const ALL: [Self; 5] = [
        Self::Queued,
        Self::Running,
        Self::Succeeded,
        Self::Dead,
        Self::Cancelled,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Dead => "dead",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == name)
    }
}

/// Now, in the stored unit.
pub(crate) fn now_micros() -> i64 {
    Utc::now().timestamp_micros()
}

pub(crate) fn to_micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

fn from_micros(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or(DateTime::UNIX_EPOCH)
}

/// A statement under construction: SQL with `?` placeholders and its values.
pub(crate) struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub(crate) fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            values: Vec::new(),
        }
    }

    pub(crate) fn push(mut self, text: &str) -> Self {
        self.text.push_str(text);
        self
    }

    pub(crate) fn bind(mut self, value: impl Into<Value>) -> Self {
        self.values.push(value.into());
        self
    }

    /// `(?, ?, ?)` for a list, bound.
    pub(crate) fn bind_list<T: Into<Value> + Clone>(mut self, items: &[T]) -> Self {
        let marks = vec!["?"; items.len()].join(", ");
        self.text.push_str(&format!("({marks})"));
        self.values.extend(items.iter().cloned().map(Into::into));
        self
    }

    /// This statement followed by `other` (text and values).
    pub(crate) fn append(mut self, other: Sql) -> Self {
        self.text.push_str(&other.text);
        self.values.extend(other.values);
        self
    }

    pub(crate) fn build(self, backend: DbBackend) -> Statement {
        let text = if backend == DbBackend::Postgres {
            let mut numbered = String::with_capacity(self.text.len() + 16);
            let mut n = 0;
            for c in self.text.chars() {
                if c == '?' {
                    n += 1;
                    numbered.push_str(&format!("${n}"));
                } else {
                    numbered.push(c);
                }
            }
            numbered
        } else {
            self.text
        };
        Statement::from_sql_and_values(backend, text, self.values)
    }
}

pub(crate) async fn execute<C: ConnectionTrait>(conn: &C, sql: Sql) -> Result<u64, DbErr> {
    let statement = sql.build(conn.get_database_backend());
    Ok(conn.execute_raw(statement).await?.rows_affected())
}

pub(crate) async fn query<C: ConnectionTrait>(
    conn: &C,
    sql: Sql,
) -> Result<Vec<QueryResult>, DbErr> {
    let statement = sql.build(conn.get_database_backend());
    conn.query_all_raw(statement).await
}

const INSERT_COLUMNS: &str = "INSERT INTO groundwork_jobs (kind, queue, priority, payload, \
    payload_version, max_attempts, run_at, created_at, updated_at, unique_key) VALUES ";

fn bind_new(sql: Sql, job: &NewJob, now: i64) -> Sql {
    let run_at = job.run_at.map_or(now, to_micros);
    sql.push("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(job.kind.as_str())
        .bind(job.queue.as_str())
        .bind(job.priority)
        .bind(job.payload.to_string())
        .bind(job.payload_version)
        .bind(job.max_attempts.max(1))
        .bind(run_at)
        .bind(now)
        .bind(now)
        .bind(job.unique_key.clone())
}

/// Inserts one job. `None`: its unique key is taken by a queued or running job.
pub async fn insert<C: ConnectionTrait>(conn: &C, job: &NewJob) -> Result<Option<i64>, DbErr> {
    let sql = bind_new(Sql::new(INSERT_COLUMNS), job, now_micros())
        .push(" ON CONFLICT DO NOTHING RETURNING id");
    let rows = query(conn, sql).await?;
    super::wake::local_enqueue();
    rows.first().map(|row| row.try_get_by_index(0)).transpose()
}

/// Inserts many jobs, a few hundred per statement (benchmarks, fan-outs). Jobs whose
/// unique key is taken are skipped; returns how many were inserted.
pub async fn insert_many<C: ConnectionTrait>(conn: &C, jobs: &[NewJob]) -> Result<u64, DbErr> {
    // 10 values per row; SQLite allows 32766 per statement.
    const ROWS_PER_STATEMENT: usize = 500;
    let now = now_micros();
    let mut inserted = 0;
    for chunk in jobs.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(INSERT_COLUMNS);
        for (i, job) in chunk.iter().enumerate() {
            if i > 0 {
                sql = sql.push(", ");
            }
            sql = bind_new(sql, job, now);
        }
        inserted += execute(conn, sql.push(" ON CONFLICT DO NOTHING")).await?;
    }
    super::wake::local_enqueue();
    Ok(inserted)
}

/// A job as stored, for the API.
#[derive(Clone, Debug)]
pub struct JobRecord {
    /// Id.
    pub id: i64,
    /// Kind name.
    pub kind: String,
    /// Queue.
    pub queue: String,
    /// Higher runs first.
    pub priority: i32,
    /// The payload as stored.
    pub payload: serde_json::Value,
    /// Its version.
    pub payload_version: i32,
    /// State.
    pub state: JobState,
    /// Runs started so far.
    pub attempts: i32,
    /// The limit.
    pub max_attempts: i32,
    /// Due time (of the next attempt, while queued).
    pub run_at: DateTime<Utc>,
    /// Enqueued at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Start of the latest attempt.
    pub started_at: Option<DateTime<Utc>>,
    /// End of the job (succeeded, dead, cancelled).
    pub finished_at: Option<DateTime<Utc>>,
    /// The worker holding it, while running.
    pub locked_by: Option<String>,
    /// The latest failure.
    pub last_error: Option<String>,
    /// Its uniqueness key.
    pub unique_key: Option<String>,
    /// Cancellation was asked for while it ran.
    pub cancel_requested: bool,
}

const RECORD_COLUMNS: &str = "id, kind, queue, priority, payload, payload_version, state, \
    attempts, max_attempts, run_at, created_at, updated_at, started_at, finished_at, \
    locked_by, last_error, unique_key, cancel_requested";

impl JobRecord {
    fn from_row(row: &QueryResult) -> Result<Self, DbErr> {
        let payload: String = row.try_get_by_index(4)?;
        let state: String = row.try_get_by_index(6)?;
        let optional_time = |i: usize| -> Result<Option<DateTime<Utc>>, DbErr> {
            Ok(row.try_get_by_index::<Option<i64>>(i)?.map(from_micros))
        };
        Ok(Self {
            id: row.try_get_by_index(0)?,
            kind: row.try_get_by_index(1)?,
            queue: row.try_get_by_index(2)?,
            priority: row.try_get_by_index(3)?,
            payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::String(payload)),
            payload_version: row.try_get_by_index(5)?,
            state: JobState::parse(&state)
                .ok_or_else(|| DbErr::Custom(format!("unknown job state {state:?}")))?,
            attempts: row.try_get_by_index(7)?,
            max_attempts: row.try_get_by_index(8)?,
            run_at: from_micros(row.try_get_by_index(9)?),
            created_at: from_micros(row.try_get_by_index(10)?),
            updated_at: from_micros(row.try_get_by_index(11)?),
            started_at: optional_time(12)?,
            finished_at: optional_time(13)?,
            locked_by: row.try_get_by_index(14)?,
            last_error: row.try_get_by_index(15)?,
            unique_key: row.try_get_by_index(16)?,
            cancel_requested: row.try_get_by_index(17)?,
        })
    }
}

/// One job by id.
pub async fn find<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<JobRecord>, DbErr> {
    let sql = Sql::new(&format!(
        "SELECT {RECORD_COLUMNS} FROM groundwork_jobs WHERE id = ?"
    ))
    .bind(id);
    query(conn, sql)
        .await?
        .first()
        .map(JobRecord::from_row)
        .transpose()
}

/// The queued or running job holding a unique key, if any.
pub async fn find_pending_by_unique_key<C: ConnectionTrait>(
    conn: &C,
    key: &str,
) -> Result<Option<JobRecord>, DbErr> {
    let sql = Sql::new(&format!(
        "SELECT {RECORD_COLUMNS} FROM groundwork_jobs \
         WHERE unique_key = ? AND state IN ('queued', 'running')"
    ))
    .bind(key);
    query(conn, sql)
        .await?
        .first()
        .map(JobRecord::from_row)
        .transpose()
}

/// Which jobs [`list`] returns.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    /// Only this state.
    pub state: Option<JobState>,
    /// Only this queue.
    pub queue: Option<String>,
    /// Only this kind.
    pub kind: Option<String>,
}

/// A page of jobs, newest first, and the total matching the filter.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    filter: &ListFilter,
    limit: u64,
    offset: u64,
) -> Result<(Vec<JobRecord>, u64), DbErr> {
    let mut conditions = Sql::new(" WHERE 1 = 1");
    if let Some(state) = filter.state {
        conditions = conditions.push(" AND state = ?").bind(state.as_str());
    }
    if let Some(queue) = &filter.queue {
        conditions = conditions.push(" AND queue = ?").bind(queue.as_str());
    }
    if let Some(kind) = &filter.kind {
        conditions = conditions.push(" AND kind = ?").bind(kind.as_str());
    }
    let count = Sql {
        text: format!("SELECT COUNT(*) FROM groundwork_jobs{}", conditions.text),
        values: conditions.values.clone(),
    };
    let total: i64 = query(conn, count)
        .await?
        .first()
        .map(|row| row.try_get_by_index(0))
        .transpose()?
        .unwrap_or(0);
    let page = Sql {
        text: format!(
            "SELECT {RECORD_COLUMNS} FROM groundwork_jobs{} ORDER BY id DESC LIMIT ? OFFSET ?",
            conditions.text
        ),
        values: conditions.values,
    }
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .bind(i64::try_from(offset).unwrap_or(i64::MAX));
    let jobs = query(conn, page)
        .await?
        .iter()
        .map(JobRecord::from_row)
        .collect::<Result<_, _>>()?;
    Ok((jobs, u64::try_from(total).unwrap_or(0)))
}

/// What [`cancel`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelOutcome {
    /// It was queued and is now cancelled.
    Cancelled,
    /// It is running; its worker has been asked to stop (cooperatively).
    Requested,
    /// It had already finished, in this state.
    AlreadyFinished(JobState),
    /// No such job.
    NotFound,
}

/// Cancels a queued job, or asks the worker of a running one to stop.
pub async fn cancel<C: ConnectionTrait>(conn: &C, id: i64) -> Result<CancelOutcome, DbErr> {
    let now = now_micros();
    let cancelled = Sql::new(
        "UPDATE groundwork_jobs SET state = 'cancelled', finished_at = ?, updated_at = ? \
         WHERE id = ? AND state = 'queued'",
    )
    .bind(now)
    .bind(now)
    .bind(id);
    if execute(conn, cancelled).await? == 1 {
        return Ok(CancelOutcome::Cancelled);
    }
    let requested = Sql::new(
        "UPDATE groundwork_jobs SET cancel_requested = ?, updated_at = ? \
         WHERE id = ? AND state = 'running'",
    )
    .bind(true)
    .bind(now)
    .bind(id);
    if execute(conn, requested).await? == 1 {
        return Ok(CancelOutcome::Requested);
    }
    Ok(match find(conn, id).await? {
        Some(job) => CancelOutcome::AlreadyFinished(job.state),
        None => CancelOutcome::NotFound,
    })
}

/// What [`retry`] did.
#[derive(Clone, Debug)]
pub enum RetryOutcome {
    /// The dead job is queued again, with its attempts reset: the row as the update left it
    /// (read in the same statement, because a worker may claim it the next instant).
    Queued(Box<JobRecord>),
    /// The job is not dead (it is in this state).
    NotDead(JobState),
    /// Another pending job holds its unique key.
    UniqueKeyTaken,
    /// No such job.
    NotFound,
}

/// Queues a dead job again, for a fresh set of attempts.
pub async fn retry<C: ConnectionTrait>(conn: &C, id: i64) -> Result<RetryOutcome, DbErr> {
    let now = now_micros();
    let sql = Sql::new(&format!(
        "UPDATE groundwork_jobs SET state = 'queued', attempts = 0, run_at = ?, \
         updated_at = ?, finished_at = NULL, cancel_requested = ? \
         WHERE id = ? AND state = 'dead' RETURNING {RECORD_COLUMNS}"
    ))
    .bind(now)
    .bind(now)
    .bind(false)
    .bind(id);
    let rows = match query(conn, sql).await {
        Ok(rows) => rows,
        Err(error) if crate::db::is_unique_violation(&error) => {
            return Ok(RetryOutcome::UniqueKeyTaken);
        }
        Err(error) => return Err(error),
    };
    if let Some(row) = rows.first() {
        let job = JobRecord::from_row(row)?;
        super::wake::local_enqueue();
        return Ok(RetryOutcome::Queued(Box::new(job)));
    }
    Ok(match find(conn, id).await? {
        Some(job) => RetryOutcome::NotDead(job.state),
        None => RetryOutcome::NotFound,
    })
}

/// Counts per queue and state, for `/jobs/stats` and the depth gauges.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueueStats {
    /// The queue.
    pub queue: String,
    /// Jobs waiting (due or not).
    pub queued: u64,
    /// Of those, due now (waiting only for a worker).
    pub due: u64,
    /// Running.
    pub running: u64,
    /// Succeeded (within the retention period).
    pub succeeded: u64,
    /// Dead.
    pub dead: u64,
    /// Cancelled (within the retention period).
    pub cancelled: u64,
    /// How long the oldest due job has waited, in seconds.
    pub oldest_due_age_secs: f64,
}

/// Counts per queue and state.
pub async fn stats<C: ConnectionTrait>(conn: &C) -> Result<Vec<QueueStats>, DbErr> {
    let now = now_micros();
    let sql = Sql::new(
        "SELECT queue, state, COUNT(*), \
         SUM(CASE WHEN state = 'queued' AND run_at <= ? THEN 1 ELSE 0 END), \
         MIN(CASE WHEN state = 'queued' AND run_at <= ? THEN run_at END) \
         FROM groundwork_jobs GROUP BY queue, state ORDER BY queue",
    )
    .bind(now)
    .bind(now);
    let mut out: Vec<QueueStats> = Vec::new();
    for row in query(conn, sql).await? {
        let queue: String = row.try_get_by_index(0)?;
        let state: String = row.try_get_by_index(1)?;
        let count = u64::try_from(row.try_get_by_index::<i64>(2)?).unwrap_or(0);
        let due = u64::try_from(row.try_get_by_index::<Option<i64>>(3)?.unwrap_or(0)).unwrap_or(0);
        let oldest: Option<i64> = row.try_get_by_index(4)?;
        if out.last().is_none_or(|last| last.queue != queue) {
            out.push(QueueStats {
                queue: queue.clone(),
                queued: 0,
                due: 0,
                running: 0,
                succeeded: 0,
                dead: 0,
                cancelled: 0,
                oldest_due_age_secs: 0.0,
            });
        }
        let Some(entry) = out.last_mut() else {
            continue;
        };
        match JobState::parse(&state) {
            Some(JobState::Queued) => {
                entry.queued = count;
                entry.due = due;
                if let Some(oldest) = oldest {
                    // Micros to seconds; precision loss above 2^53 µs (285 years) is moot.
                    #[allow(clippy::cast_precision_loss)]
                    let age = (now - oldest).max(0) as f64 / 1e6;
                    entry.oldest_due_age_secs = age;
                }
            }
            Some(JobState::Running) => entry.running = count,
            Some(JobState::Succeeded) => entry.succeeded = count,
            Some(JobState::Dead) => entry.dead = count,
            Some(JobState::Cancelled) => entry.cancelled = count,
            None => {}
        }
    }
    Ok(out)
}
