//! Worker behaviour: retries and the dead state, panics, leases of crashed workers,
//! cancellation, graceful shutdown, and cron schedules fired once with two schedulers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use groundwork_platform::jobs::{
    self, CancelOutcome, Enqueue, Job, JobError, JobInfo, JobState, ListFilter, Registry,
    RetryOutcome, Scheduler, WorkerOptions,
};
use groundwork_platform::testing::TestApp;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::jobs::{
    Log, labels, options, record, record_registry, start_worker, state_of, wait_for,
};

/// Fails on its first `failures` attempts, then succeeds.
#[derive(Serialize, Deserialize)]
struct Flaky {
    failures: i32,
}

impl Job for Flaky {
    const KIND: &'static str = "test.flaky";
    const MAX_ATTEMPTS: i32 = 3;
    type Context = ();

    async fn run(self, (): &(), job: &JobInfo) -> Result<(), JobError> {
        if job.attempt <= self.failures {
            return Err(JobError::retry(format!(
                "failure on attempt {}",
                job.attempt
            )));
        }
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
struct Panics;

impl Job for Panics {
    const KIND: &'static str = "test.panics";
    const MAX_ATTEMPTS: i32 = 1;
    type Context = ();

    async fn run(self, (): &(), _job: &JobInfo) -> Result<(), JobError> {
        panic!("the handler fell over");
    }
}

/// Fails permanently: no retry however many attempts are left.
#[derive(Serialize, Deserialize)]
pub struct Rejects;

impl Job for Rejects {
    const KIND: &'static str = "test.rejects";
    type Context = ();

    async fn run(self, (): &(), _job: &JobInfo) -> Result<(), JobError> {
        Err(JobError::permanent("the receiver said this can never work"))
    }
}

/// Waits for cancellation (or `max_ms`), counting how many times it started.
#[derive(Serialize, Deserialize)]
struct Waits {
    max_ms: u64,
}

impl Job for Waits {
    const KIND: &'static str = "test.waits";
    type Context = Arc<AtomicUsize>;

    async fn run(self, starts: &Arc<AtomicUsize>, job: &JobInfo) -> Result<(), JobError> {
        starts.fetch_add(1, Ordering::SeqCst);
        tokio::select! {
            () = job.cancelled() => Err(JobError::retry("stopped on request")),
            () = tokio::time::sleep(Duration::from_millis(self.max_ms)) => Ok(()),
        }
    }
}

fn failure_registry() -> Registry {
    let mut registry = Registry::new();
    registry
        .handle::<Flaky>(())
        .handle::<Panics>(())
        .handle::<Rejects>(());
    registry
}

#[tokio::test]
async fn failures_retry_with_backoff_then_go_dead_with_the_last_error() {
    let app = TestApp::builder().spawn().await;
    let db = app.platform.db();
    let recovers = jobs::enqueue(db, &Flaky { failures: 1 }).await.unwrap();
    let never = jobs::enqueue(db, &Flaky { failures: 99 }).await.unwrap();
    let panics = jobs::enqueue(db, &Panics).await.unwrap();
    let rejected = jobs::enqueue(db, &Rejects).await.unwrap();
    let (stop, worker) = start_worker(db, failure_registry(), options());

    // Backoff: attempt 2 comes 0.5-1 s after attempt 1, attempt 3 1-2 s after attempt 2.
    assert!(wait_for(15, async || state_of(db, never).await == JobState::Dead).await);
    let dead = jobs::find(db, never).await.unwrap().unwrap();
    assert_eq!(dead.attempts, 3);
    assert_eq!(dead.last_error.as_deref(), Some("failure on attempt 3"));
    assert!(dead.finished_at.is_some());

    assert!(
        wait_for(5, async || state_of(db, recovers).await
            == JobState::Succeeded)
        .await
    );
    let recovered = jobs::find(db, recovers).await.unwrap().unwrap();
    assert_eq!(recovered.attempts, 2);
    assert_eq!(
        recovered.last_error.as_deref(),
        Some("failure on attempt 1")
    );

    let panicked = jobs::find(db, panics).await.unwrap().unwrap();
    assert_eq!(panicked.state, JobState::Dead);
    assert!(
        panicked
            .last_error
            .unwrap()
            .contains("panicked: the handler fell over"),
        "a panic is recorded as the failure"
    );
    let rejected = jobs::find(db, rejected).await.unwrap().unwrap();
    assert_eq!((rejected.state, rejected.attempts), (JobState::Dead, 1));

    // A dead job can be queued again for a fresh set of attempts; others cannot.
    match jobs::retry(db, never).await.unwrap() {
        RetryOutcome::Queued(job) => {
            assert_eq!(
                (job.id, job.state, job.attempts),
                (never, JobState::Queued, 0)
            );
        }
        other => panic!("a dead job is queued again, got {other:?}"),
    }
    assert!(matches!(
        jobs::retry(db, recovers).await.unwrap(),
        RetryOutcome::NotDead(JobState::Succeeded)
    ));
    assert!(matches!(
        jobs::retry(db, 999_999).await.unwrap(),
        RetryOutcome::NotFound
    ));
    assert!(
        wait_for(5, async || jobs::find(db, never)
            .await
            .unwrap()
            .unwrap()
            .attempts
            >= 1)
        .await
    );
    stop.cancel();
    worker.await.unwrap();
}

/// Puts a job in the state a worker killed mid-run leaves it: running, leased to a worker
/// that no longer exists, lease already expired.
async fn crash_mid_run(db: &DatabaseConnection, id: i64, attempts: i32) {
    let sql = format!(
        "UPDATE groundwork_jobs SET state = 'running', attempts = {attempts}, \
         locked_by = 'killed-worker', lease_until = 1, started_at = 1 WHERE id = {id}"
    );
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_job_of_a_crashed_worker_runs_again_once_its_lease_expires() {
    let app = TestApp::builder().spawn().await;
    let db = app.platform.db();
    let orphan = jobs::enqueue(db, &record("orphan")).await.unwrap();
    crash_mid_run(db, orphan, 1).await;
    let last_chance = Enqueue::new(&Flaky { failures: 0 })
        .send(db)
        .await
        .unwrap()
        .unwrap();
    crash_mid_run(db, last_chance, 3).await;

    let log = Log::default();
    let mut registry = record_registry(&log);
    registry.handle::<Flaky>(());
    let (stop, worker) = start_worker(db, registry, options());
    assert!(
        wait_for(10, async || state_of(db, orphan).await
            == JobState::Succeeded)
        .await
    );
    let rerun = log.lock().unwrap()[0].clone();
    assert_eq!(
        (rerun.0.as_str(), rerun.1),
        ("orphan", 2),
        "the crashed run counted as attempt 1"
    );
    // A crash on the last attempt is final.
    let dead = jobs::find(db, last_chance).await.unwrap().unwrap();
    assert_eq!(dead.state, JobState::Dead);
    assert!(dead.last_error.unwrap().contains("lease expired"));
    stop.cancel();
    worker.await.unwrap();
}

#[tokio::test]
async fn a_running_job_keeps_its_lease_beyond_the_lease_period() {
    let app = TestApp::builder().spawn().await;
    let db = app.platform.db();
    let starts = Arc::new(AtomicUsize::new(0));
    let mut registry = Registry::new();
    registry.handle::<Waits>(starts.clone());
    // Two workers, 2 s leases, a 5 s job: without heartbeats the second would reap it.
    let short = WorkerOptions {
        lease: Duration::from_secs(2),
        ..options()
    };
    let (stop_a, a) = start_worker(db, registry.clone(), short.clone());
    let id = jobs::enqueue(db, &Waits { max_ms: 5000 }).await.unwrap();
    assert!(wait_for(5, async || starts.load(Ordering::SeqCst) == 1).await);
    let (stop_b, b) = start_worker(db, registry, short);
    assert!(wait_for(10, async || state_of(db, id).await == JobState::Succeeded).await);
    assert_eq!(starts.load(Ordering::SeqCst), 1, "the job ran once");
    for stop in [stop_a, stop_b] {
        stop.cancel();
    }
    a.await.unwrap();
    b.await.unwrap();
}

#[tokio::test]
async fn cancel_stops_a_queued_job_at_once_and_a_running_one_cooperatively() {
    let app = TestApp::builder().spawn().await;
    let db = app.platform.db();
    let later = Enqueue::new(&record("later"))
        .delay(Duration::from_secs(3600))
        .send(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        jobs::cancel(db, later).await.unwrap(),
        CancelOutcome::Cancelled
    );
    assert_eq!(
        jobs::cancel(db, later).await.unwrap(),
        CancelOutcome::AlreadyFinished(JobState::Cancelled)
    );
    assert_eq!(
        jobs::cancel(db, 424_242).await.unwrap(),
        CancelOutcome::NotFound
    );

    let starts = Arc::new(AtomicUsize::new(0));
    let mut registry = Registry::new();
    registry.handle::<Waits>(starts.clone());
    let (stop, worker) = start_worker(
        db,
        registry,
        WorkerOptions {
            lease: Duration::from_secs(2),
            ..options()
        },
    );
    let long = jobs::enqueue(db, &Waits { max_ms: 60_000 }).await.unwrap();
    assert!(wait_for(5, async || state_of(db, long).await == JobState::Running).await);
    assert_eq!(
        jobs::cancel(db, long).await.unwrap(),
        CancelOutcome::Requested
    );
    // The worker learns of it at its next heartbeat (a third of the lease).
    assert!(wait_for(5, async || state_of(db, long).await == JobState::Cancelled).await);
    assert_eq!(starts.load(Ordering::SeqCst), 1);
    stop.cancel();
    worker.await.unwrap();
}

#[tokio::test]
async fn shutdown_lets_running_jobs_finish_and_releases_those_past_the_deadline() {
    let app = TestApp::builder().spawn().await;
    let db = app.platform.db();
    let log = Log::default();
    let starts = Arc::new(AtomicUsize::new(0));
    let mut registry = record_registry(&log);
    registry.handle::<Waits>(starts.clone());
    let (stop, worker) = start_worker(
        db,
        registry,
        WorkerOptions {
            shutdown_grace: Duration::from_millis(1500),
            ..options()
        },
    );
    let quick = Enqueue::new(&crate::jobs::Record {
        label: "finishes during the drain".into(),
        sleep_ms: 700,
    })
    .send(db)
    .await
    .unwrap()
    .unwrap();
    let stuck = jobs::enqueue(db, &Waits { max_ms: 60_000 }).await.unwrap();
    assert!(wait_for(5, async || starts.load(Ordering::SeqCst) == 1).await);
    assert!(wait_for(5, async || state_of(db, quick).await == JobState::Running).await);
    stop.cancel();
    // Claims nothing new while draining.
    let not_started = jobs::enqueue(db, &record("after the signal"))
        .await
        .unwrap();
    worker.await.unwrap();

    assert_eq!(state_of(db, quick).await, JobState::Succeeded);
    let released = jobs::find(db, stuck).await.unwrap().unwrap();
    assert_eq!(released.state, JobState::Queued);
    assert_eq!(released.attempts, 0, "a release does not use up an attempt");
    assert!(released.locked_by.is_none());
    assert_eq!(state_of(db, not_started).await, JobState::Queued);
}

/// Enqueued by the schedule: records the tick it was made for.
#[derive(Serialize, Deserialize)]
struct Tick {
    at: String,
}

impl Job for Tick {
    const KIND: &'static str = "test.tick";
    type Context = ();

    async fn run(self, (): &(), _job: &JobInfo) -> Result<(), JobError> {
        Ok(())
    }
}

#[tokio::test]
async fn a_cron_schedule_enqueues_once_per_tick_with_two_schedulers_running() {
    let app = TestApp::builder().spawn().await;
    let db = app.platform.db();
    let mut registry = Registry::new();
    registry
        .schedule::<Tick>("every-second", "* * * * * *", |tick| Tick {
            at: tick.to_rfc3339(),
        })
        .unwrap();
    let shutdown = CancellationToken::new();
    let schedulers: Vec<_> = (0..2)
        .map(|_| tokio::spawn(Scheduler::new(&registry).run(db.clone(), shutdown.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(3500)).await;
    shutdown.cancel();
    for scheduler in schedulers {
        scheduler.await.unwrap();
    }
    let (ticks, total) = jobs::list(db, &ListFilter::default(), 100, 0)
        .await
        .unwrap();
    assert!((3..=4).contains(&total), "{total} ticks in 3.5 s");
    let mut at: Vec<String> = ticks
        .iter()
        .map(|job| job.payload["at"].as_str().unwrap().to_owned())
        .collect();
    at.sort();
    at.dedup();
    assert_eq!(at.len(), ticks.len(), "each tick enqueued once: {at:?}");

    let mut bad = Registry::new();
    for expression in ["*/5 * * * *", "0 61 * * * *", "nonsense"] {
        let error = bad
            .schedule::<Tick>("bad", expression, |_| Tick { at: String::new() })
            .err()
            .unwrap_or_else(|| panic!("{expression:?} accepted"));
        assert!(error.to_string().contains("bad"), "{error}");
    }
}

#[tokio::test]
async fn an_unknown_kind_fails_and_is_retried_rather_than_lost() {
    let app = TestApp::builder().spawn().await;
    let db = app.platform.db();
    let id = jobs::enqueue(db, &Flaky { failures: 0 }).await.unwrap();
    let log = Log::default();
    // This worker knows only `test.record`.
    let (stop, worker) = start_worker(db, record_registry(&log), options());
    assert!(
        wait_for(5, async || {
            let job = jobs::find(db, id).await.unwrap().unwrap();
            job.attempts == 1 && job.state == JobState::Queued
        })
        .await
    );
    let job = jobs::find(db, id).await.unwrap().unwrap();
    assert!(job.last_error.unwrap().contains("no handler for job kind"));
    stop.cancel();
    worker.await.unwrap();
    assert!(labels(&log).is_empty());
}
