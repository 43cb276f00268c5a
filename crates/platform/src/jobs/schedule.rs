//! Cron schedules that enqueue a job once per tick, however many processes run them.
//!
//! Every process that runs workers also runs the scheduler, so several schedulers see the
//! same tick. Each firing is one transaction: a conditional upsert moves the schedule's
//! `last_tick` forward only if it is older than this tick, and the job is inserted only if
//! that upsert changed a row. The first scheduler wins the tick; the others, blocked on the
//! row (PostgreSQL) or the write lock (SQLite), then see the tick taken and insert nothing.
//! A tick missed while no scheduler ran is skipped, not made up.

use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;

use super::store::{Sql, execute, to_micros};
use super::{EnqueueError, NewJob, insert};

/// A cron expression that does not parse, or a bad schedule name.
#[derive(Debug, thiserror::Error)]
#[error("schedule {name:?}: {message}")]
pub struct ScheduleError {
    name: String,
    message: String,
}

type MakeJob = dyn Fn(DateTime<Utc>) -> Result<NewJob, EnqueueError> + Send + Sync;

/// One schedule: a name, a cron expression, and what to enqueue on a tick.
#[derive(Clone)]
pub(crate) struct ScheduledJob {
    name: String,
    cron: cron::Schedule,
    make: Arc<MakeJob>,
}

impl ScheduledJob {
    pub(crate) fn new(
        name: &str,
        cron: &str,
        make: impl Fn(DateTime<Utc>) -> Result<NewJob, EnqueueError> + Send + Sync + 'static,
    ) -> Result<Self, ScheduleError> {
        let error = |message: String| ScheduleError {
            name: name.to_owned(),
            message,
        };
        if name.is_empty() || name.len() > 200 {
            return Err(error("the name must have 1 to 200 characters".into()));
        }
        if cron.split_whitespace().count() != 6 {
            return Err(error(format!(
                "{cron:?} must have six fields: second minute hour day-of-month month day-of-week"
            )));
        }
        let cron = cron::Schedule::from_str(cron).map_err(|e| error(e.to_string()))?;
        Ok(Self {
            name: name.to_owned(),
            cron,
            make: Arc::new(make),
        })
    }

    fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron.after(&after).next()
    }
}

/// Runs schedules until shutdown; see the module docs.
pub struct Scheduler {
    schedules: Vec<ScheduledJob>,
}

impl Scheduler {
    /// The schedules of a registry.
    pub fn new(registry: &super::Registry) -> Self {
        Self {
            schedules: registry.schedules().to_vec(),
        }
    }

    /// Whether there is anything to run.
    pub fn is_empty(&self) -> bool {
        self.schedules.is_empty()
    }

    /// Fires each schedule on its ticks until `shutdown`.
    pub async fn run(self, db: DatabaseConnection, shutdown: CancellationToken) {
        let now = Utc::now();
        let mut next: Vec<Option<DateTime<Utc>>> =
            self.schedules.iter().map(|s| s.next_after(now)).collect();
        loop {
            let Some(tick) = next.iter().flatten().min().copied() else {
                return;
            };
            let wait = (tick - Utc::now()).to_std().unwrap_or_default();
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(wait) => {}
            }
            for (schedule, due) in self.schedules.iter().zip(next.iter_mut()) {
                if *due == Some(tick) {
                    match fire(&db, schedule, tick).await {
                        Ok(true) => {
                            tracing::debug!(schedule = %schedule.name, %tick, "schedule fired")
                        }
                        Ok(false) => {
                            tracing::debug!(schedule = %schedule.name, %tick, "tick taken by another scheduler")
                        }
                        Err(error) => {
                            tracing::error!(schedule = %schedule.name, %tick, %error, "schedule failed to enqueue")
                        }
                    }
                    *due = schedule.next_after(tick);
                }
            }
        }
    }
}

/// Enqueues the schedule's job for `tick` unless another scheduler already did.
pub(crate) async fn fire(
    db: &DatabaseConnection,
    schedule: &ScheduledJob,
    tick: DateTime<Utc>,
) -> Result<bool, EnqueueError> {
    let mut job = (schedule.make)(tick)?;
    job.run_at = Some(tick);
    let txn = crate::db::begin_write(db).await?;
    let claimed = execute(
        &txn,
        Sql::new(
            "INSERT INTO groundwork_job_schedules (name, last_tick) VALUES (?, ?) \
             ON CONFLICT (name) DO UPDATE SET last_tick = excluded.last_tick \
             WHERE groundwork_job_schedules.last_tick < excluded.last_tick",
        )
        .bind(schedule.name.as_str())
        .bind(to_micros(tick)),
    )
    .await?;
    if claimed == 1 {
        insert(&txn, &job).await?;
    }
    txn.commit().await.map_err(EnqueueError::Database)?;
    Ok(claimed == 1)
}
