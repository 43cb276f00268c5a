//! Serving with graceful shutdown.
//!
//! On SIGTERM or SIGINT the listener closes at once, idle connections are closed,
//! in-flight requests get up to `server.shutdown_grace_secs` to finish, background tasks
//! are told to stop and awaited (within the same grace), and then the database pool is
//! closed. A second signal during the drain exits immediately.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::Platform;
use crate::system::BackgroundTask;

/// Resolves when the process receives SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => tracing::info!("SIGINT received; shutting down"),
        () = terminate => tracing::info!("SIGTERM received; shutting down"),
    }
}

/// Serves `router` on `listener` until `shutdown` is cancelled, then drains in-flight
/// requests for at most `grace`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: CancellationToken,
    grace: Duration,
) -> std::io::Result<()> {
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let signal = shutdown.clone();
    let server = axum::serve(listener, service)
        .with_graceful_shutdown(async move { signal.cancelled().await });
    let deadline = async {
        shutdown.cancelled().await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        result = server => result,
        () = deadline => {
            tracing::warn!(grace_secs = grace.as_secs(), "requests still running after the grace period; closing them");
            Ok(())
        }
    }
}

/// Starts background tasks under a tracker; [`stop_tasks`] waits for them.
pub fn start_tasks(tasks: Vec<BackgroundTask>, shutdown: &CancellationToken) -> TaskTracker {
    let tracker = TaskTracker::new();
    for task in tasks {
        let name = task.name;
        let future = task.start(shutdown.clone());
        tracker.spawn(async move {
            future.await;
            tracing::debug!(task = name, "background task stopped");
        });
    }
    tracker.close();
    tracker
}

/// Waits up to `grace` for the tasks to notice the (already cancelled) token and return.
pub async fn stop_tasks(tracker: TaskTracker, grace: Duration) {
    if tokio::time::timeout(grace, tracker.wait()).await.is_err() {
        tracing::warn!("background tasks did not stop within the grace period");
    }
}

/// Everything `groundwork serve` does after building the app: run it and the tasks,
/// wait for a signal, drain, stop, close.
pub async fn run(
    platform: Platform,
    listener: TcpListener,
    router: Router,
    tasks: Vec<BackgroundTask>,
) -> std::io::Result<()> {
    let shutdown = platform.shutdown_token().clone();
    let grace = Duration::from_secs(platform.settings().server.shutdown_grace_secs);
    let signal_token = shutdown.clone();
    let began = Arc::new(OnceLock::new());
    let began_at_signal = began.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = began_at_signal.set(Instant::now());
        signal_token.cancel();
        // A second signal while draining means "now".
        shutdown_signal().await;
        tracing::warn!("second signal; exiting without waiting");
        std::process::exit(130);
    });
    let tracker = start_tasks(tasks, &shutdown);
    let result = serve(listener, router, shutdown.clone(), grace).await;
    shutdown.cancel();
    // One grace period for the whole shutdown: tasks were told to stop when the drain began.
    let spent = began.get().map_or(Duration::ZERO, Instant::elapsed);
    stop_tasks(tracker, grace.saturating_sub(spent)).await;
    platform.close().await;
    tracing::info!("stopped");
    result
}
