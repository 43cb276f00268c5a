//! `broadcast-server start`: the hub on its own port, at `/` (and `/ws`), with the
//! in-process pub/sub. SIGINT or SIGTERM sends every client a close frame (1001) and
//! exits 0.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::routing::get;
use groundwork_platform::pubsub::InProcessPubSub;
use tokio_util::sync::CancellationToken;

use crate::routes::{Broadcast, connect_ws};
use crate::{BroadcastSettings, DRAIN_TIMEOUT, build_hub};

/// The standalone server's routes: the socket at `/` and `/ws`, and `/healthz`.
pub fn router(state: Arc<Broadcast>) -> Router {
    Router::new()
        .route("/", get(connect_ws))
        .route("/ws", get(connect_ws))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(state)
}

/// Listens on `address` and serves until SIGINT or SIGTERM.
pub async fn start(address: SocketAddr, settings: BroadcastSettings) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let shutdown = CancellationToken::new();
    let on_signal = shutdown.clone();
    tokio::spawn(async move {
        groundwork_platform::server::shutdown_signal().await;
        on_signal.cancel();
    });
    serve(listener, settings, shutdown).await
}

/// Serves on `listener` until `shutdown` is cancelled, then closes every session (1001).
pub async fn serve(
    listener: tokio::net::TcpListener,
    settings: BroadcastSettings,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let address = listener.local_addr()?;
    let hub = build_hub(
        Arc::new(InProcessPubSub::new()),
        &settings,
        shutdown.clone(),
    );
    let state = Broadcast::new(hub.clone(), settings.token.as_deref());
    tracing::info!(
        url = %format!("ws://{address}"),
        token = settings.token.is_some(),
        history = settings.history,
        "broadcast server listening; Ctrl-C stops it"
    );
    groundwork_platform::server::serve(listener, router(state), shutdown, DRAIN_TIMEOUT)
        .await
        .context("server error")?;
    if tokio::time::timeout(DRAIN_TIMEOUT, hub.drained())
        .await
        .is_err()
    {
        tracing::warn!("some clients did not take their close frame in time");
    }
    tracing::info!("stopped");
    Ok(())
}
