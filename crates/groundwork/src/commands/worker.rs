//! `groundwork worker`: job workers and cron schedules in their own process, so that the
//! API and the workers scale separately (any number of worker processes, on any machine
//! that reaches the database).

use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::routing::get;
use groundwork_platform::config::Config;
use groundwork_platform::jobs::{self, WorkerOptions};
use groundwork_platform::server;

use crate::cli::WorkerArgs;

/// Runs until SIGINT/SIGTERM, then drains (`worker.shutdown_grace_secs`) and exits 0; a
/// second signal exits at once.
pub async fn run(args: WorkerArgs) -> anyhow::Result<()> {
    let config = Config::load()?;
    let platform = super::platform(config).await?;
    super::ensure_schema(&platform, false).await?;
    let registry = super::job_registry(&platform)?;
    let mut options = WorkerOptions::from_settings(
        &platform.settings().worker,
        platform.db().get_database_backend(),
    );
    if !args.queues.is_empty() {
        options.queues = args.queues.iter().map(|q| q.trim().to_owned()).collect();
    }
    if let Some(concurrency) = args.concurrency {
        options.concurrency = usize::from(concurrency);
    }
    if let Some(prefetch) = args.prefetch {
        options.prefetch = usize::from(prefetch);
    }
    let grace = options.shutdown_grace;
    let shutdown = platform.shutdown_token().clone();

    let metrics = match args.metrics_bind {
        Some(bind) => {
            let listener = tokio::net::TcpListener::bind(bind)
                .await
                .with_context(|| format!("cannot listen on {bind}"))?;
            tracing::info!(address = %format!("http://{}", listener.local_addr()?), "worker metrics");
            let router = Router::new()
                .route(
                    "/metrics",
                    get(groundwork_platform::builtin::metrics::metrics),
                )
                .route("/health", get(|| async { "ok" }))
                .with_state(platform.clone());
            Some(tokio::spawn(server::serve(
                listener,
                router,
                shutdown.clone(),
                Duration::from_secs(1),
            )))
        }
        None => None,
    };

    let tasks = server::start_tasks(
        jobs::background_tasks(&platform, registry, options),
        &shutdown,
    );
    let signal = shutdown.clone();
    tokio::spawn(async move {
        server::shutdown_signal().await;
        signal.cancel();
        server::shutdown_signal().await;
        tracing::warn!("second signal; exiting without waiting for running jobs");
        std::process::exit(130);
    });
    shutdown.cancelled().await;
    // The worker bounds its own drain by `grace`; the margin covers the release writes.
    server::stop_tasks(tasks, grace + Duration::from_secs(5)).await;
    if let Some(metrics) = metrics {
        let _ = metrics.await;
    }
    platform.close().await;
    Ok(())
}
