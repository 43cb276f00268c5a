//! Load for the job queue (bench/jobs.sh). The database must be migrated; the table is
//! emptied first. Workers are real `groundwork worker` processes.
//!
//! - `burndown`: N no-op jobs inserted in bulk, then P worker processes started; the
//!   time from their start until no job is left, and the processing span from the first
//!   claim to the last finish (read from the table, so process start-up is excluded).
//! - `steady`: P workers started and given time to settle, then jobs enqueued one insert
//!   each at R per second for T seconds; latency is each job's `started_at - created_at`,
//!   both written by this machine's clock.
//!
//! Prints one JSON line.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use groundwork_platform::config::{Secret, Settings};
use groundwork_platform::jobs::{self, NewJob};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Mode,
}

#[derive(Subcommand)]
enum Mode {
    /// Drain N queued jobs with P worker processes.
    Burndown {
        #[command(flatten)]
        common: Common,
        /// Jobs to drain.
        #[arg(long, default_value_t = 100_000)]
        jobs: usize,
    },
    /// Enqueue at a steady rate and measure enqueue-to-start latency.
    Steady {
        #[command(flatten)]
        common: Common,
        /// Jobs per second.
        #[arg(long)]
        rate: u32,
        /// For how long.
        #[arg(long, default_value_t = 20)]
        seconds: u32,
    },
}

#[derive(Args)]
struct Common {
    /// The database the workers use.
    #[arg(long)]
    database_url: String,
    /// The `groundwork` binary.
    #[arg(long)]
    groundwork: String,
    /// Worker processes.
    #[arg(long, default_value_t = 1)]
    processes: usize,
    /// Concurrency of each worker.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Jobs each worker claims ahead of its free slots (`groundwork worker --prefetch`).
    #[arg(long, default_value_t = 0)]
    prefetch: usize,
    /// `worker.retention_hours` of the workers; 0 deletes each job when it succeeds.
    #[arg(long)]
    retention_hours: Option<u64>,
    /// CPUs the workers are pinned to (taskset list), e.g. `0`.
    #[arg(long)]
    worker_cpus: Option<String>,
}

const QUEUE: &str = "bench";

fn noop() -> NewJob {
    NewJob {
        kind: "noop".into(),
        queue: QUEUE.into(),
        priority: 0,
        max_attempts: 3,
        payload: serde_json::json!({}),
        payload_version: 1,
        run_at: None,
        unique_key: None,
    }
}

async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let mut settings = Settings::default();
    settings.database.url = Some(Secret::new(url));
    settings.database.max_connections = Some(16);
    Ok(groundwork_platform::db::connect(&settings).await?)
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .context("no row")?;
    Ok(row.try_get_by_index::<Option<i64>>(0)?.unwrap_or(0))
}

/// Empties the job table. On PostgreSQL with TRUNCATE, which leaves no dead rows behind
/// (with autovacuum off, as on this machine, a DELETE would slow every later run);
/// graphile-worker's script likewise starts from a new schema.
async fn empty_table(db: &DatabaseConnection) -> anyhow::Result<()> {
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "TRUNCATE groundwork_jobs",
        _ => "DELETE FROM groundwork_jobs",
    };
    db.execute_unprepared(sql).await?;
    Ok(())
}

fn start_workers(common: &Common) -> anyhow::Result<Vec<Child>> {
    let data = std::env::temp_dir().join(format!("jobload-{}", std::process::id()));
    std::fs::create_dir_all(&data)?;
    (0..common.processes)
        .map(|_| {
            let mut command = match &common.worker_cpus {
                Some(cpus) => {
                    let mut taskset = Command::new("taskset");
                    taskset.args(["-c", cpus, &common.groundwork]);
                    taskset
                }
                None => Command::new(&common.groundwork),
            };
            command
                .args(["worker", "--queues", QUEUE, "--concurrency"])
                .arg(common.concurrency.to_string())
                .arg("--prefetch")
                .arg(common.prefetch.to_string())
                .env("DATABASE_URL", &common.database_url)
                .env("GROUNDWORK__DATA_DIR", &data)
                .env("RUST_LOG", "warn")
                .envs(
                    common
                        .retention_hours
                        .map(|hours| ("GROUNDWORK__WORKER__RETENTION_HOURS", hours.to_string())),
                )
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .spawn()
                .context("start groundwork worker")
        })
        .collect()
}

fn stop_workers(workers: &mut [Child]) {
    for worker in workers.iter() {
        let _ = Command::new("kill")
            .args(["-TERM", &worker.id().to_string()])
            .status();
    }
    for worker in workers {
        let _ = worker.wait();
    }
}

/// Waits until no bench job is queued or running.
async fn wait_until_drained(db: &DatabaseConnection, limit: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    // One index probe, not a count: the check runs every 50 ms beside the workers.
    let pending = "SELECT COUNT(*) FROM (SELECT 1 FROM groundwork_jobs \
        WHERE state IN ('queued', 'running') LIMIT 1) AS pending";
    while scalar(db, pending).await? > 0 {
        if Instant::now() > deadline {
            bail!("jobs were still pending after {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

async fn burndown(common: &Common, count: usize) -> anyhow::Result<serde_json::Value> {
    let db = connect(&common.database_url).await?;
    empty_table(&db).await?;
    let batch = vec![noop(); count];
    jobs::insert_many(&db, &batch).await?;
    let started = Instant::now();
    let mut workers = start_workers(common)?;
    let drained = wait_until_drained(&db, Duration::from_secs(600)).await;
    let seconds = started.elapsed().as_secs_f64();
    stop_workers(&mut workers);
    drained?;
    // Drained: every job that is not a failure (dead) succeeded, whether its row is kept or
    // was deleted on success (retention 0).
    let failed = scalar(
        &db,
        "SELECT COUNT(*) FROM groundwork_jobs WHERE state <> 'succeeded'",
    )
    .await?;
    let succeeded = i64::try_from(count)? - failed;
    // Kept rows only: from the first start to the last finish.
    let span_micros = scalar(
        &db,
        "SELECT MAX(finished_at) - MIN(started_at) FROM groundwork_jobs",
    )
    .await?;
    #[allow(clippy::cast_precision_loss)]
    let (jobs, span) = (count as f64, span_micros as f64 / 1e6);
    let processing = |value: f64| (span_micros > 0).then(|| round(value));
    Ok(serde_json::json!({
        "peer": "groundwork",
        "mode": "burndown",
        "backend": backend_name(&db),
        "jobs": count,
        "succeeded": succeeded,
        "processes": common.processes,
        "concurrency": common.concurrency,
        "prefetch": common.prefetch,
        "retention_hours": common.retention_hours,
        "seconds": round(seconds),
        "jobs_per_sec": round(jobs / seconds),
        "processing_seconds": processing(span),
        "processing_jobs_per_sec": processing(jobs / span),
    }))
}

async fn steady(common: &Common, rate: u32, seconds: u32) -> anyhow::Result<serde_json::Value> {
    let db = connect(&common.database_url).await?;
    empty_table(&db).await?;
    let mut workers = start_workers(common)?;
    // Let the workers connect and go idle: their start-up is not enqueue latency.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let tick = Duration::from_millis(10);
    let ticks = u64::from(seconds) * 100;
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut sent: u64 = 0;
    let duration = Duration::from_secs(u64::from(seconds));
    for n in 1..=ticks {
        interval.tick().await;
        // At a rate the system cannot sustain, stop on time rather than catch up.
        if started.elapsed() >= duration {
            break;
        }
        // Spread evenly: by tick n, n/100 of a second's worth is due; at most 256 inserts
        // in flight at once (the pool has 16 connections).
        let due = (u64::from(rate) * n / 100).min(sent + 256);
        let inserts: Vec<_> = (sent..due)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move { jobs::insert(&db, &noop()).await })
            })
            .collect();
        for insert in inserts {
            insert.await??;
        }
        sent = due;
    }
    let enqueue_seconds = started.elapsed().as_secs_f64();
    let drained = wait_until_drained(&db, Duration::from_secs(300)).await;
    stop_workers(&mut workers);
    drained?;
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT started_at - created_at FROM groundwork_jobs WHERE state = 'succeeded'",
        ))
        .await?;
    let mut latencies: Vec<i64> = rows
        .iter()
        .map(|row| row.try_get_by_index::<i64>(0))
        .collect::<Result<_, _>>()?;
    latencies.sort_unstable();
    #[allow(clippy::cast_precision_loss)]
    let ms = |q: f64| {
        let index = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        round(latencies.get(index).copied().unwrap_or(0) as f64 / 1000.0)
    };
    #[allow(clippy::cast_precision_loss)]
    let achieved = sent as f64 / enqueue_seconds;
    Ok(serde_json::json!({
        "peer": "groundwork",
        "mode": "steady",
        "backend": backend_name(&db),
        "rate": rate,
        "achieved_rate": round(achieved),
        "jobs": latencies.len(),
        "processes": common.processes,
        "concurrency": common.concurrency,
        "p50_ms": ms(0.5),
        "p90_ms": ms(0.9),
        "p99_ms": ms(0.99),
        "max_ms": ms(1.0),
    }))
}

fn backend_name(db: &DatabaseConnection) -> &'static str {
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "postgres",
        _ => "sqlite",
    }
}

fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let report = match &cli.command {
        Mode::Burndown { common, jobs } => burndown(common, *jobs).await?,
        Mode::Steady {
            common,
            rate,
            seconds,
        } => steady(common, *rate, *seconds).await?,
    };
    println!("{report}");
    Ok(())
}
