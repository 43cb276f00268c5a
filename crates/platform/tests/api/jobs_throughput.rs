//! The worker's throughput options: jobs claimed ahead of free slots (`prefetch`), and a
//! retention of zero (succeeded jobs deleted instead of kept).

use std::collections::HashMap;
use std::time::Duration;

use groundwork_platform::jobs::{self, Enqueue, JobState, WorkerOptions};
use groundwork_platform::testing::TestApp;

use crate::jobs::{Log, Record, labels, options, record, record_registry, start_worker, wait_for};

#[tokio::test]
async fn jobs_claimed_ahead_wait_for_a_slot_and_go_back_to_the_queue_on_shutdown() {
    let app = TestApp::builder().spawn().await;
    let db = app.platform.db();
    // Queued before the worker starts, so that its first claim sees all four.
    let slow = Enqueue::new(&Record {
        label: "slow".into(),
        sleep_ms: 800,
    })
    .send(db)
    .await
    .unwrap()
    .unwrap();
    let mut waiting = Vec::new();
    for label in ["a", "b", "c"] {
        waiting.push(jobs::enqueue(db, &record(label)).await.unwrap());
    }
    let log = Log::default();
    let prefetching = WorkerOptions {
        concurrency: 1,
        prefetch: 3,
        shutdown_grace: Duration::from_secs(3),
        ..options()
    };
    let (stop, worker) = start_worker(db, record_registry(&log), prefetching);
    // One slot, busy with the slow job; the other three are claimed (leased to this
    // worker) but not started.
    assert!(
        wait_for(5, async || state_of_all(db, &waiting).await
            == [JobState::Running; 3])
        .await
    );
    assert_eq!(
        jobs::find(db, slow).await.unwrap().unwrap().state,
        JobState::Running
    );
    assert!(labels(&log).is_empty());
    stop.cancel();
    worker.await.unwrap();

    // The running job finished within the grace period; the ones claimed ahead were given
    // back untouched: queued, no attempt used, no lease.
    assert_eq!(labels(&log), ["slow"]);
    assert_eq!(
        jobs::find(db, slow).await.unwrap().unwrap().state,
        JobState::Succeeded
    );
    for id in &waiting {
        let job = jobs::find(db, *id).await.unwrap().unwrap();
        assert_eq!(job.state, JobState::Queued, "job {id}");
        assert_eq!(
            job.attempts, 0,
            "job {id}: giving it back does not use an attempt"
        );
        assert!(job.locked_by.is_none(), "job {id}");
    }
}

#[tokio::test]
async fn with_prefetch_every_job_runs_exactly_once_across_two_workers() {
    let app = TestApp::builder().spawn().await;
    let db = app.platform.db();
    let count = 200;
    let batch: Vec<_> = (0..count)
        .map(|n| jobs::NewJob::from_job(&record(&format!("job-{n}"))).unwrap())
        .collect();
    jobs::insert_many(db, &batch).await.unwrap();
    let log = Log::default();
    let prefetching = WorkerOptions {
        concurrency: 4,
        prefetch: 16,
        ..options()
    };
    let (stop_a, a) = start_worker(db, record_registry(&log), prefetching.clone());
    let (stop_b, b) = start_worker(db, record_registry(&log), prefetching);
    assert!(wait_for(20, async || labels(&log).len() >= count).await);
    stop_a.cancel();
    stop_b.cancel();
    a.await.unwrap();
    b.await.unwrap();
    let mut runs: HashMap<String, usize> = HashMap::new();
    for label in labels(&log) {
        *runs.entry(label).or_default() += 1;
    }
    assert_eq!(runs.len(), count, "every job ran");
    assert!(runs.values().all(|n| *n == 1), "a job ran twice: {runs:?}");
    let (listed, total) = jobs::list(db, &jobs::ListFilter::default(), 1000, 0)
        .await
        .unwrap();
    assert_eq!(total, count as u64);
    assert!(listed.iter().all(|job| job.state == JobState::Succeeded));
}

#[tokio::test]
async fn a_retention_of_zero_deletes_succeeded_jobs_and_keeps_failures() {
    let app = TestApp::builder().spawn().await;
    let db = app.platform.db();
    let log = Log::default();
    let mut registry = record_registry(&log);
    registry.handle::<crate::jobs_worker::Rejects>(());
    let (stop, worker) = start_worker(
        db,
        registry,
        WorkerOptions {
            retention: Duration::ZERO,
            ..options()
        },
    );
    let done = jobs::enqueue(db, &record("done")).await.unwrap();
    let failed = jobs::enqueue(db, &crate::jobs_worker::Rejects)
        .await
        .unwrap();
    assert!(wait_for(10, async || jobs::find(db, done).await.unwrap().is_none()).await);
    assert_eq!(labels(&log), ["done"]);
    assert!(wait_for(10, async || matches!(jobs::find(db, failed).await.unwrap(), Some(job) if job.state == JobState::Dead)).await);
    stop.cancel();
    worker.await.unwrap();
}

async fn state_of_all(db: &sea_orm::DatabaseConnection, ids: &[i64]) -> Vec<JobState> {
    let mut states = Vec::new();
    for id in ids {
        states.push(jobs::find(db, *id).await.unwrap().unwrap().state);
    }
    states
}
