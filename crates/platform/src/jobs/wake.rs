//! Waking idle workers when a job is enqueued, instead of making them poll fast.
//!
//! - In the same process: every enqueue pings a process-wide [`Notify`].
//! - On PostgreSQL, across processes and machines: the insert trigger's `NOTIFY
//!   groundwork_jobs` (sent at commit) reaches each worker's `LISTEN` connection.
//! - Otherwise (SQLite, another process): workers poll every `worker.poll_interval_ms`.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use sea_orm::{DatabaseConnection, DbBackend};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

static LOCAL: LazyLock<Arc<Notify>> = LazyLock::new(|| Arc::new(Notify::new()));

/// The process-wide wake-up that enqueues ping.
pub(crate) fn local() -> Arc<Notify> {
    LOCAL.clone()
}

/// Called after every insert. A job inserted inside a transaction that has not committed
/// yet wakes workers early; they find nothing and wait again, and the job is picked up by
/// the commit's NOTIFY (PostgreSQL) or the next poll (SQLite).
pub(crate) fn local_enqueue() {
    LOCAL.notify_waiters();
}

/// On PostgreSQL, forwards `NOTIFY groundwork_jobs` to `wake` until shutdown; reconnects
/// after a lost connection (polling covers the gap). Does nothing on other backends.
pub(crate) async fn listen(db: DatabaseConnection, wake: Arc<Notify>, shutdown: CancellationToken) {
    if db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let pool = db.get_postgres_connection_pool().clone();
    while !shutdown.is_cancelled() {
        let mut listener = match sea_orm::sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "cannot open the job notification listener; polling");
                retry_pause(&shutdown).await;
                continue;
            }
        };
        if let Err(error) = listener.listen("groundwork_jobs").await {
            tracing::warn!(%error, "LISTEN groundwork_jobs failed; polling");
            retry_pause(&shutdown).await;
            continue;
        }
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                received = listener.recv() => match received {
                    Ok(_) => wake.notify_waiters(),
                    Err(error) => {
                        tracing::warn!(%error, "job notification listener lost; reconnecting");
                        // Jobs may have arrived while it was down.
                        wake.notify_waiters();
                        break;
                    }
                },
            }
        }
    }
}

async fn retry_pause(shutdown: &CancellationToken) {
    tokio::select! {
        () = shutdown.cancelled() => {}
        () = tokio::time::sleep(Duration::from_secs(2)) => {}
    }
}
