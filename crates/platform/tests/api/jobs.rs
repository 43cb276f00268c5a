//! The job queue (`groundwork_platform::jobs`) on the test database (SQLite, or
//! PostgreSQL when configured): enqueue semantics here, worker behaviour in
//! `jobs_worker.rs`. Workers run in this process against the real tables.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use groundwork_platform::jobs::{
    self, Enqueue, Job, JobError, JobInfo, JobState, ListFilter, NewJob, Registry, Worker,
    WorkerOptions,
};
use groundwork_platform::testing::TestApp;
use sea_orm::{DatabaseConnection, TransactionTrait};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

/// Every run of [`Record`]: `(label, attempt, worker-visible job id)`.
pub type Log = Arc<Mutex<Vec<(String, i32, i64)>>>;

/// Appends its label to the log; sleeps first if asked.
#[derive(Serialize, Deserialize)]
pub struct Record {
    pub label: String,
    #[serde(default)]
    pub sleep_ms: u64,
}

impl Job for Record {
    const KIND: &'static str = "test.record";
    type Context = Log;

    async fn run(self, log: &Log, job: &JobInfo) -> Result<(), JobError> {
        if self.sleep_ms > 0 {
            tokio::time::sleep(Duration::from_millis(self.sleep_ms)).await;
        }
        log.lock().unwrap().push((self.label, job.attempt, job.id));
        Ok(())
    }
}

pub fn record(label: &str) -> Record {
    Record {
        label: label.to_owned(),
        sleep_ms: 0,
    }
}

pub fn options() -> WorkerOptions {
    WorkerOptions {
        queues: Vec::new(),
        concurrency: 4,
        prefetch: 0,
        lease: Duration::from_secs(3),
        poll_interval: Duration::from_millis(50),
        shutdown_grace: Duration::from_secs(5),
        retention: Duration::from_secs(3600),
    }
}

/// A worker running in the background until the returned token is cancelled; awaiting
/// the handle waits for its graceful stop.
pub fn start_worker(
    db: &DatabaseConnection,
    registry: Registry,
    options: WorkerOptions,
) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let token = CancellationToken::new();
    let worker = Worker::new(db.clone(), registry, options);
    let handle = tokio::spawn(worker.run(token.clone()));
    (token, handle)
}

pub fn record_registry(log: &Log) -> Registry {
    let mut registry = Registry::new();
    registry.handle::<Record>(log.clone());
    registry
}

/// Polls `condition` every 20 ms for up to `secs` seconds.
pub async fn wait_for(secs: u64, mut condition: impl AsyncFnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while tokio::time::Instant::now() < deadline {
        if condition().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

pub async fn state_of(db: &DatabaseConnection, id: i64) -> JobState {
    jobs::find(db, id).await.unwrap().unwrap().state
}

pub fn labels(log: &Log) -> Vec<String> {
    log.lock()
        .unwrap()
        .iter()
        .map(|(l, _, _)| l.clone())
        .collect()
}

#[tokio::test]
async fn a_unique_key_admits_one_pending_job_at_a_time() {
    let app = TestApp::builder().spawn().await;
    let db = app.platform.db();
    let first = Enqueue::new(&record("a"))
        .unique_key("report:7")
        .send(db)
        .await
        .unwrap();
    let second = Enqueue::new(&record("b"))
        .unique_key("report:7")
        .send(db)
        .await
        .unwrap();
    assert!(first.is_some());
    assert_eq!(
        second, None,
        "a second enqueue with a pending key is a no-op"
    );
    let other = Enqueue::new(&record("c"))
        .unique_key("report:8")
        .send(db)
        .await
        .unwrap();
    assert!(other.is_some(), "another key is independent");
    assert_eq!(
        jobs::find_pending_by_unique_key(db, "report:7")
            .await
            .unwrap()
            .unwrap()
            .id,
        first.unwrap()
    );

    // Once the first has run, the key is free again.
    let log = Log::default();
    let (stop, worker) = start_worker(db, record_registry(&log), options());
    assert!(wait_for(10, async || labels(&log).len() == 2).await);
    assert!(
        wait_for(10, async || state_of(db, first.unwrap()).await
            == JobState::Succeeded)
        .await
    );
    let again = Enqueue::new(&record("d"))
        .unique_key("report:7")
        .send(db)
        .await
        .unwrap();
    assert!(again.is_some() && again != first);
    stop.cancel();
    worker.await.unwrap();
    let mut seen = labels(&log);
    seen.sort();
    assert!(
        seen.starts_with(&["a".to_owned(), "c".to_owned()]),
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_delayed_job_waits_for_its_time() {
    let app = TestApp::builder().spawn().await;
    let db = app.platform.db();
    let log = Log::default();
    let (stop, worker) = start_worker(db, record_registry(&log), options());
    let enqueued = tokio::time::Instant::now();
    Enqueue::new(&record("later"))
        .delay(Duration::from_millis(1200))
        .send(db)
        .await
        .unwrap();
    jobs::enqueue(db, &record("now")).await.unwrap();
    assert!(wait_for(5, async || labels(&log) == ["now"]).await);
    assert!(wait_for(5, async || labels(&log).len() == 2).await);
    assert!(
        enqueued.elapsed() >= Duration::from_millis(1200),
        "ran after {:?}",
        enqueued.elapsed()
    );
    stop.cancel();
    worker.await.unwrap();
}

#[tokio::test]
async fn due_jobs_run_highest_priority_first_then_oldest_first() {
    let app = TestApp::builder().spawn().await;
    let db = app.platform.db();
    for (label, priority) in [("low", -5), ("normal-1", 0), ("high", 10), ("normal-2", 0)] {
        Enqueue::new(&record(label))
            .priority(priority)
            .send(db)
            .await
            .unwrap();
    }
    let log = Log::default();
    let (stop, worker) = start_worker(
        db,
        record_registry(&log),
        WorkerOptions {
            concurrency: 1,
            ..options()
        },
    );
    assert!(wait_for(10, async || labels(&log).len() == 4).await);
    assert_eq!(labels(&log), ["high", "normal-1", "normal-2", "low"]);
    stop.cancel();
    worker.await.unwrap();
}

#[tokio::test]
async fn a_job_enqueued_in_a_rolled_back_transaction_does_not_exist() {
    let app = TestApp::builder().spawn().await;
    let db = app.platform.db();
    let txn = db.begin().await.unwrap();
    let rolled_back = jobs::enqueue(&txn, &record("never")).await.unwrap();
    txn.rollback().await.unwrap();
    assert!(jobs::find(db, rolled_back).await.unwrap().is_none());

    let txn = db.begin().await.unwrap();
    let committed = jobs::enqueue(&txn, &record("kept")).await.unwrap();
    txn.commit().await.unwrap();

    let log = Log::default();
    let (stop, worker) = start_worker(db, record_registry(&log), options());
    assert!(
        wait_for(10, async || state_of(db, committed).await
            == JobState::Succeeded)
        .await
    );
    stop.cancel();
    worker.await.unwrap();
    assert_eq!(labels(&log), ["kept"]);
    let (all, total) = jobs::list(db, &ListFilter::default(), 10, 0).await.unwrap();
    assert_eq!((all.len(), total), (1, 1));
}

#[tokio::test]
async fn queues_are_served_only_by_workers_that_take_them() {
    let app = TestApp::builder().spawn().await;
    let db = app.platform.db();
    let mail = Enqueue::new(&record("mail"))
        .queue("mail")
        .send(db)
        .await
        .unwrap()
        .unwrap();
    let report = Enqueue::new(&record("report"))
        .queue("reports")
        .send(db)
        .await
        .unwrap()
        .unwrap();
    let log = Log::default();
    let (stop, worker) = start_worker(
        db,
        record_registry(&log),
        WorkerOptions {
            queues: vec!["mail".into()],
            ..options()
        },
    );
    assert!(wait_for(10, async || state_of(db, mail).await == JobState::Succeeded).await);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(state_of(db, report).await, JobState::Queued);
    stop.cancel();
    worker.await.unwrap();
    let stats = jobs::stats(db).await.unwrap();
    let reports = stats.iter().find(|s| s.queue == "reports").unwrap();
    assert_eq!((reports.queued, reports.due), (1, 1));
    assert_eq!(
        stats.iter().find(|s| s.queue == "mail").unwrap().succeeded,
        1
    );
}

/// Version 2 of a payload that version 1 stored as `{"name": ...}`.
#[derive(Serialize, Deserialize)]
struct Greeting {
    first_name: String,
}

impl Job for Greeting {
    const KIND: &'static str = "test.greeting";
    const VERSION: i32 = 2;
    type Context = Log;

    async fn run(self, log: &Log, job: &JobInfo) -> Result<(), JobError> {
        log.lock()
            .unwrap()
            .push((self.first_name, job.attempt, job.id));
        Ok(())
    }

    fn upgrade(version: i32, mut payload: serde_json::Value) -> Result<serde_json::Value, String> {
        match version {
            1 => {
                let name = payload["name"].take();
                Ok(serde_json::json!({ "first_name": name }))
            }
            other => Err(format!("unknown version {other}")),
        }
    }
}

#[tokio::test]
async fn payloads_stored_by_an_older_version_are_upgraded_before_they_run() {
    let app = TestApp::builder().spawn().await;
    let db = app.platform.db();
    let old = NewJob {
        kind: Greeting::KIND.into(),
        queue: "default".into(),
        priority: 0,
        max_attempts: 1,
        payload: serde_json::json!({"name": "Ada"}),
        payload_version: 1,
        run_at: None,
        unique_key: None,
    };
    let old = jobs::insert(db, &old).await.unwrap().unwrap();
    let current = jobs::enqueue(
        db,
        &Greeting {
            first_name: "Grace".into(),
        },
    )
    .await
    .unwrap();
    let log = Log::default();
    let mut registry = Registry::new();
    registry.handle::<Greeting>(log.clone());
    let (stop, worker) = start_worker(db, registry, options());
    assert!(wait_for(10, async || labels(&log).len() == 2).await);
    stop.cancel();
    worker.await.unwrap();
    let mut names = labels(&log);
    names.sort();
    assert_eq!(names, ["Ada", "Grace"]);
    assert_eq!(state_of(db, old).await, JobState::Succeeded);
    assert_eq!(state_of(db, current).await, JobState::Succeeded);
}

#[tokio::test]
async fn many_jobs_and_two_workers_run_each_job_exactly_once() {
    let app = TestApp::builder().spawn().await;
    let db = app.platform.db();
    let batch: Vec<NewJob> = (0..400)
        .map(|i| NewJob::from_job(&record(&format!("job-{i}"))).unwrap())
        .collect();
    assert_eq!(jobs::insert_many(db, &batch).await.unwrap(), 400);
    let log = Log::default();
    let (stop_a, worker_a) = start_worker(db, record_registry(&log), options());
    let (stop_b, worker_b) = start_worker(db, record_registry(&log), options());
    assert!(wait_for(30, async || labels(&log).len() >= 400).await);
    stop_a.cancel();
    stop_b.cancel();
    worker_a.await.unwrap();
    worker_b.await.unwrap();
    let mut seen = labels(&log);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 400);
    assert_eq!(labels(&log).len(), 400, "no job ran twice");
    let (done, total) = jobs::list(
        db,
        &ListFilter {
            state: Some(JobState::Succeeded),
            ..ListFilter::default()
        },
        1,
        0,
    )
    .await
    .unwrap();
    assert_eq!((done.len(), total), (1, 400));
}

#[tokio::test]
async fn on_postgres_an_idle_worker_is_woken_by_notify_not_by_polling() {
    let app = TestApp::builder().spawn().await;
    let db = app.platform.db();
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return; // SQLite has no cross-process notification; workers poll.
    }
    let log = Log::default();
    let (stop, worker) = start_worker(
        db,
        record_registry(&log),
        WorkerOptions {
            poll_interval: Duration::from_secs(120),
            ..options()
        },
    );
    // Let it go idle, then insert the way another process would: plain SQL, no
    // in-process wake-up.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let insert = "INSERT INTO groundwork_jobs (kind, queue, payload, max_attempts, run_at, \
        created_at, updated_at) VALUES ('test.record', 'default', '{\"label\":\"from afar\"}', \
        1, 0, 0, 0)";
    sea_orm::ConnectionTrait::execute_unprepared(db, insert)
        .await
        .unwrap();
    assert!(wait_for(5, async || labels(&log) == ["from afar"]).await);
    stop.cancel();
    worker.await.unwrap();
}
