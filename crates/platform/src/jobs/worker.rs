//! [`Worker`]: claims due jobs, runs them with bounded concurrency, keeps their leases
//! alive, records outcomes, and drains on shutdown.
//!
//! Tasks inside one worker:
//! - the claim loop (this file): waits for a free slot, claims as many due jobs as there
//!   are free slots (plus the prefetch, if set) in one statement, and starts them; idle,
//!   it waits for a wake-up (enqueue in this process, PostgreSQL NOTIFY) or the poll
//!   interval;
//! - one task per running job ([`super::runner`]);
//! - the completer: successes are written in batches, one statement per batch;
//! - the heartbeat: one statement extends every lease this worker holds, and reports
//!   cancellation requests and lost leases;
//! - maintenance: reaps expired leases of dead workers, purges old finished jobs, and
//!   refreshes the queue-depth gauges.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::DatabaseConnection;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::Registry;
use super::claims;
use super::claims::Claimed;
use super::runner::{self, Running};
use crate::config::WorkerSettings;

/// How a worker runs; [`WorkerOptions::from_settings`] reads `[worker]`.
#[derive(Clone, Debug)]
pub struct WorkerOptions {
    /// Queues to take jobs from; empty: all.
    pub queues: Vec<String>,
    /// Jobs at once.
    pub concurrency: usize,
    /// Jobs claimed ahead of free slots and kept in this worker until a slot frees (0:
    /// none, every job is claimed when a slot is free for it). See [`claim_loop`].
    pub prefetch: usize,
    /// How long a claim lasts without a heartbeat.
    pub lease: Duration,
    /// Idle polling period.
    pub poll_interval: Duration,
    /// How long running jobs get to finish on shutdown.
    pub shutdown_grace: Duration,
    /// Age after which finished jobs are deleted.
    pub retention: Duration,
}

impl WorkerOptions {
    /// The `[worker]` settings, with the poll interval's default for `backend`.
    pub fn from_settings(settings: &WorkerSettings, backend: sea_orm::DbBackend) -> Self {
        let default_poll_ms = if backend == sea_orm::DbBackend::Postgres {
            1000
        } else {
            25
        };
        Self {
            queues: settings.queues.clone(),
            concurrency: settings.concurrency,
            prefetch: settings.prefetch,
            lease: Duration::from_secs(settings.lease_secs),
            poll_interval: Duration::from_millis(
                settings.poll_interval_ms.unwrap_or(default_poll_ms),
            ),
            shutdown_grace: Duration::from_secs(settings.shutdown_grace_secs),
            retention: Duration::from_secs(settings.retention_hours.saturating_mul(3600)),
        }
    }
}

/// Claims for free slots fetched in one statement at most (prefetched jobs come on top).
const MAX_CLAIM_BATCH: usize = 100;
/// A claim slower than this suggests stale planner statistics (see [`maintenance`]).
const SLOW_CLAIM: Duration = Duration::from_millis(20);
/// Statistics are refreshed this often regardless.
const ANALYZE_EVERY: Duration = Duration::from_secs(300);
/// And at most this often after slow claims.
const ANALYZE_AFTER_SLOW_CLAIM: Duration = Duration::from_secs(10);
/// How long a saturated worker waits for more free slots before it claims.
const CLAIM_GATHER: Duration = Duration::from_millis(2);
/// Completions written in one statement at most.
const MAX_COMPLETION_BATCH: usize = 1000;

/// What the worker's tasks share.
pub(crate) struct Shared {
    pub(crate) id: String,
    pub(crate) db: DatabaseConnection,
    pub(crate) registry: Registry,
    pub(crate) options: WorkerOptions,
    pub(crate) running: Mutex<HashMap<i64, Running>>,
    pub(crate) completions: mpsc::UnboundedSender<i64>,
    /// Set by the claim loop after a slow claim; read by maintenance.
    slow_claim: AtomicBool,
}

impl Shared {
    pub(crate) fn lease_micros(&self) -> i64 {
        i64::try_from(self.options.lease.as_micros()).unwrap_or(i64::MAX)
    }

    fn running_count(&self) -> usize {
        self.running
            .lock()
            .map(|running| running.len())
            .unwrap_or(0)
    }
}

/// A worker process's job runner; see the module docs.
pub struct Worker {
    shared: Arc<Shared>,
    completions: mpsc::UnboundedReceiver<i64>,
    wake: Arc<Notify>,
}

impl Worker {
    /// A worker for the registry's job kinds on `db`, with a fresh unique id.
    pub fn new(db: DatabaseConnection, registry: Registry, options: WorkerOptions) -> Self {
        let id = format!(
            "{}-{}-{}",
            hostname(),
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let (sender, completions) = mpsc::unbounded_channel();
        Self {
            shared: Arc::new(Shared {
                id,
                db,
                registry,
                options,
                running: Mutex::new(HashMap::new()),
                completions: sender,
                slow_claim: AtomicBool::new(false),
            }),
            completions,
            wake: super::wake::local(),
        }
    }

    /// This worker's id, as stored in `locked_by`.
    pub fn id(&self) -> &str {
        &self.shared.id
    }

    /// Runs until `shutdown`, then stops claiming, gives running jobs
    /// `options.shutdown_grace` to finish, releases the rest, and returns.
    pub async fn run(self, shutdown: CancellationToken) {
        let Self {
            shared,
            completions,
            wake,
        } = self;
        tracing::info!(
            worker = %shared.id,
            concurrency = shared.options.concurrency,
            queues = %if shared.options.queues.is_empty() { "*".to_owned() } else { shared.options.queues.join(",") },
            kinds = %shared.registry.kinds().join(","),
            "job worker started"
        );
        // Helpers outlive the claim loop: leases must be kept while jobs drain.
        let helpers_stop = CancellationToken::new();
        let helpers = TaskTracker::new();
        helpers.spawn(super::wake::listen(
            shared.db.clone(),
            wake.clone(),
            helpers_stop.clone(),
        ));
        helpers.spawn(heartbeat(shared.clone(), helpers_stop.clone()));
        helpers.spawn(maintenance(shared.clone(), helpers_stop.clone()));
        let completer = tokio::spawn(complete(shared.clone(), completions));

        let slots = Arc::new(Semaphore::new(shared.options.concurrency));
        let jobs = TaskTracker::new();
        claim_loop(&shared, &slots, &jobs, &wake, &shutdown).await;

        jobs.close();
        drain(&shared, &jobs).await;
        // The completer ends once every sender is gone: the one in `shared` goes with the
        // last clone of it, after the helpers stop.
        helpers_stop.cancel();
        helpers.close();
        helpers.wait().await;
        drop(shared);
        if completer.await.is_err() {
            tracing::error!("the job completer panicked");
        }
        tracing::info!("job worker stopped");
    }
}

/// Claims and starts jobs until `shutdown`, then gives back any it claimed ahead.
///
/// Without prefetch a claim takes exactly as many jobs as there are free slots. With
/// `prefetch = n` it also takes up to `n` more, which wait here in claim order and start
/// as slots free; the next claim is made once they have all started. For short jobs the
/// claim (a round trip and a commit) is what bounds a worker, so `n` more per claim means
/// several times fewer claims. The price, and why it is off by default: those jobs wait
/// in this worker while another worker may be idle, and their `started_at` is the time of
/// the claim, not of the real start.
async fn claim_loop(
    shared: &Arc<Shared>,
    slots: &Arc<Semaphore>,
    jobs: &TaskTracker,
    wake: &Notify,
    shutdown: &CancellationToken,
) {
    let mut ahead = ClaimedAhead::default();
    claim_and_start(shared, slots, jobs, wake, shutdown, &mut ahead).await;
    ahead.release(shared).await;
}

/// Jobs claimed ahead of free slots (see [`claim_loop`]), oldest first.
#[derive(Default)]
struct ClaimedAhead {
    jobs: VecDeque<(Claimed, Instant)>,
    /// Claimed ahead but not started because they waited too long: given back together.
    stale: Vec<i64>,
}

impl ClaimedAhead {
    /// The next job to start. One that has waited longer than half its lease is not
    /// started: if this worker stalled (its heartbeats failing), the lease may have
    /// expired and another worker may be running the job already.
    fn next(&mut self, lease: Duration) -> Option<Claimed> {
        while let Some((job, claimed_at)) = self.jobs.pop_front() {
            if claimed_at.elapsed() < lease / 2 {
                return Some(job);
            }
            self.stale.push(job.id);
        }
        None
    }

    /// Gives back what was not started (the attempt is not counted).
    async fn release(mut self, shared: &Shared) {
        self.stale
            .extend(self.jobs.drain(..).map(|(job, _)| job.id));
        if self.stale.is_empty() {
            return;
        }
        if let Err(error) = claims::release(&shared.db, &shared.id, &self.stale).await {
            tracing::error!(%error, jobs = self.stale.len(), "giving back jobs claimed ahead failed; their leases will expire");
        }
        self.stale.clear();
    }
}

/// The loop of [`claim_loop`]: returns on shutdown (or a closed semaphore), leaving in
/// `ahead` whatever it claimed and did not start, for the caller to give back.
async fn claim_and_start(
    shared: &Arc<Shared>,
    slots: &Arc<Semaphore>,
    jobs: &TaskTracker,
    wake: &Notify,
    shutdown: &CancellationToken,
    ahead: &mut ClaimedAhead,
) {
    let claim_duration = metrics::histogram!("jobs_claim_duration_seconds");
    let prefetch = shared.options.prefetch;
    loop {
        // `biased`: once shutdown is signalled it wins over a free slot or a wake-up.
        let first = tokio::select! {
            biased;
            () = shutdown.cancelled() => return,
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
        };
        if let Some(job) = ahead.next(shared.options.lease) {
            jobs.spawn(runner::run(shared.clone(), job, first));
            continue;
        }
        if !ahead.stale.is_empty() {
            std::mem::take(ahead).release(shared).await;
        }
        let mut permits = gather_slots(first, slots, shared.options.concurrency).await;
        let wanted = permits.len();
        // Registered before the claim, so a wake-up during it is not lost.
        let woken = wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();

        let started = Instant::now();
        let claimed = claims::claim(
            &shared.db,
            &shared.id,
            &shared.options.queues,
            wanted + prefetch,
            shared.lease_micros(),
        )
        .await;
        let took = started.elapsed();
        claim_duration.record(took.as_secs_f64());
        if took > SLOW_CLAIM {
            shared.slow_claim.store(true, Ordering::Relaxed);
        }
        let claimed = match claimed {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::warn!(%error, "claiming jobs failed; retrying in a second");
                drop(permits);
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
                continue;
            }
        };
        let got = claimed.len();
        if shutdown.is_cancelled() {
            // The signal came during the claim: give those jobs back (with any claimed
            // ahead, on return) instead of starting them.
            let now = Instant::now();
            ahead.jobs.extend(claimed.into_iter().map(|job| (job, now)));
            return;
        }
        let mut surplus = Vec::new();
        let now = Instant::now();
        for job in claimed {
            match permits.pop() {
                Some(permit) => {
                    jobs.spawn(runner::run(shared.clone(), job, permit));
                }
                None if ahead.jobs.len() < prefetch => ahead.jobs.push_back((job, now)),
                None => surplus.push(job.id),
            }
        }
        if !surplus.is_empty() {
            // Never expected (the claim is limited to the free slots and the prefetch),
            // but a job claimed and not run would sit until its lease expired: give it
            // back at once.
            tracing::error!(
                jobs = surplus.len(),
                "claimed more jobs than free slots; releasing them"
            );
            if let Err(error) = claims::release(&shared.db, &shared.id, &surplus).await {
                tracing::error!(%error, "releasing surplus jobs failed; their leases will expire");
            }
        }
        drop(permits);
        if got < wanted {
            tokio::select! {
                biased;
                () = shutdown.cancelled() => return,
                () = &mut woken => {}
                () = tokio::time::sleep(shared.options.poll_interval) => {}
            }
        }
    }
}

/// The free slots to claim for, starting from one: all that are free now, and, when the
/// worker is saturated, those freed within [`CLAIM_GATHER`]. Short jobs finish in a burst
/// right after a claim; claiming for the first slot alone would then fetch one job per
/// statement (measured: 3,900 no-op jobs/s on PostgreSQL, one job per claim) instead of a
/// batch per statement. Long jobs cost at most the gathering time in extra latency.
async fn gather_slots(
    first: OwnedSemaphorePermit,
    slots: &Arc<Semaphore>,
    concurrency: usize,
) -> Vec<OwnedSemaphorePermit> {
    let target = concurrency.min(MAX_CLAIM_BATCH);
    let mut permits = vec![first];
    let deadline = tokio::time::Instant::now() + CLAIM_GATHER;
    while permits.len() < target {
        match slots.clone().try_acquire_owned() {
            Ok(permit) => permits.push(permit),
            Err(_) => {
                tokio::select! {
                    permit = slots.clone().acquire_owned() => match permit {
                        Ok(permit) => permits.push(permit),
                        Err(_) => break,
                    },
                    () = tokio::time::sleep_until(deadline) => break,
                }
            }
        }
    }
    permits
}

/// Waits for running jobs up to the grace period, then stops the rest and gives them
/// back to the queue.
async fn drain(shared: &Arc<Shared>, jobs: &TaskTracker) {
    let grace = shared.options.shutdown_grace;
    if !jobs.is_empty() {
        tracing::info!(
            running = jobs.len(),
            grace_secs = grace.as_secs(),
            "waiting for running jobs"
        );
    }
    if tokio::time::timeout(grace, jobs.wait()).await.is_ok() {
        return;
    }
    let leftover: Vec<i64> = {
        let Ok(running) = shared.running.lock() else {
            return;
        };
        for job in running.values() {
            job.stop();
        }
        running.keys().copied().collect()
    };
    // Let the stopped tasks unwind before their jobs are released.
    let _ = tokio::time::timeout(Duration::from_secs(1), jobs.wait()).await;
    match claims::release(&shared.db, &shared.id, &leftover).await {
        Ok(released) => tracing::warn!(
            released,
            "jobs still running at the deadline were stopped and released"
        ),
        Err(error) => {
            tracing::error!(%error, "releasing unfinished jobs failed; their leases will expire")
        }
    }
}

/// Writes successes in batches.
async fn complete(shared: Arc<Shared>, mut completions: mpsc::UnboundedReceiver<i64>) {
    let worker = shared.id.clone();
    let db = shared.db.clone();
    let keep = !shared.options.retention.is_zero();
    // Only the receiver's own copy of the handles: holding `shared` would keep the sender
    // alive and this task would never end.
    drop(shared);
    let mut batch = Vec::with_capacity(64);
    while completions
        .recv_many(&mut batch, MAX_COMPLETION_BATCH)
        .await
        > 0
    {
        for attempt in 1..=3 {
            match claims::succeed(&db, &worker, &batch, keep).await {
                Ok(_) => break,
                Err(error) if attempt < 3 => {
                    tracing::warn!(%error, "recording finished jobs failed; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(error) => tracing::error!(
                    %error, jobs = batch.len(),
                    "recording finished jobs failed; they will run again when their leases expire"
                ),
            }
        }
        batch.clear();
    }
}

/// Extends leases every third of the lease; passes on cancellation requests; stops jobs
/// whose lease this worker lost.
async fn heartbeat(shared: Arc<Shared>, stop: CancellationToken) {
    let period = shared.options.lease / 3;
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(period) => {}
        }
        let asked_at = Instant::now();
        let held = match claims::heartbeat(&shared.db, &shared.id, shared.lease_micros()).await {
            Ok(held) => held,
            Err(error) => {
                tracing::warn!(%error, "extending job leases failed");
                continue;
            }
        };
        let Ok(running) = shared.running.lock() else {
            return;
        };
        for (id, job) in running.iter() {
            match held.iter().find(|(held_id, _)| held_id == id) {
                Some((_, true)) => job.request_cancel(),
                Some((_, false)) => {}
                // Claimed after the statement ran: not lost, just newer than the answer.
                None if job.claimed_at > asked_at => {}
                None => {
                    tracing::warn!(
                        job = id,
                        "lease lost (reaped after a stall); stopping the job"
                    );
                    job.lose();
                }
            }
        }
    }
}

/// Reaps expired leases (twice per lease period), purges old finished jobs (every
/// minute), refreshes the queue-depth gauges (every ten seconds) and, on PostgreSQL, the
/// planner's statistics of the job table (at start, every five minutes, and after slow
/// claims). Wakes every second to check.
async fn maintenance(shared: Arc<Shared>, stop: CancellationToken) {
    let reap_every = (shared.options.lease / 2).max(Duration::from_millis(500));
    let mut last_reap = Instant::now() - reap_every;
    let mut last_purge = Instant::now() - Duration::from_secs(60);
    let mut last_gauges = Instant::now() - Duration::from_secs(10);
    let mut last_analyze = Instant::now() - ANALYZE_EVERY;
    loop {
        // At start, every five minutes, and soon after a slow claim (statistics taken while
        // the table was empty make the planner sort every queued row on each claim).
        let slow_claim = shared.slow_claim.swap(false, Ordering::Relaxed);
        if last_analyze.elapsed() >= ANALYZE_EVERY
            || (slow_claim && last_analyze.elapsed() >= ANALYZE_AFTER_SLOW_CLAIM)
        {
            last_analyze = Instant::now();
            if let Err(error) = claims::analyze(&shared.db).await {
                tracing::warn!(%error, "ANALYZE of the job table failed");
            }
        }
        if last_reap.elapsed() >= reap_every {
            last_reap = Instant::now();
            match claims::reap_expired(&shared.db).await {
                Ok(0) => {}
                Ok(reaped) => {
                    tracing::warn!(reaped, "jobs of a stopped worker went back to the queue")
                }
                Err(error) => tracing::warn!(%error, "reaping expired job leases failed"),
            }
        }
        if last_purge.elapsed() >= Duration::from_secs(60) {
            last_purge = Instant::now();
            let retention = i64::try_from(shared.options.retention.as_micros()).unwrap_or(i64::MAX);
            let before = super::store::now_micros().saturating_sub(retention);
            if let Err(error) = claims::purge_finished(&shared.db, before).await {
                tracing::warn!(%error, "purging finished jobs failed");
            }
        }
        if last_gauges.elapsed() >= Duration::from_secs(10) {
            last_gauges = Instant::now();
            refresh_gauges(&shared).await;
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(reap_every.min(Duration::from_secs(1))) => {}
        }
    }
}

async fn refresh_gauges(shared: &Shared) {
    let Ok(depths) = claims::pending_depths(&shared.db).await else {
        return;
    };
    for (queue, state, count) in depths {
        #[allow(clippy::cast_precision_loss)]
        metrics::gauge!("jobs_queue_depth", "queue" => queue, "state" => state).set(count as f64);
    }
    #[allow(clippy::cast_precision_loss)]
    metrics::gauge!("jobs_running_here").set(shared.running_count() as f64);
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "worker".to_owned())
}
