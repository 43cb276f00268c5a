//! The system contract (see docs/ARCHITECTURE.md): what every HTTP system crate exposes so that
//! `groundwork serve` can mount it, migrate it and run its workers.

use std::future::Future;
use std::pin::Pin;

use sea_orm_migration::MigrationTrait;
use tokio_util::sync::CancellationToken;
use utoipa_axum::router::OpenApiRouter;

use crate::Platform;

/// Any error a system reports while building itself (bad config section, ...).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One system: a named set of routes with its own tables and workers.
pub trait System: Send + Sync + 'static {
    /// Short lowercase name (`blog`, `todo`); used in `--only`, table prefixes, metrics.
    fn name(&self) -> &'static str;

    /// Where `serve` mounts it unless told otherwise (`/blog`).
    fn default_mount(&self) -> &'static str;

    /// One sentence for the landing page and the OpenAPI tag.
    fn description(&self) -> &'static str;

    /// Every route, relative to the mount path, with its state applied and documented for
    /// OpenAPI (handlers carry `#[utoipa::path]`).
    fn router(&self, platform: &Platform) -> Result<OpenApiRouter, BoxError>;

    /// Its migrations, oldest first. Tables are prefixed with the system's name.
    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        Vec::new()
    }

    /// Roles it adds to `user` and `admin` (`chef`, `author`).
    fn roles(&self) -> &'static [&'static str] {
        &[]
    }

    /// Long-running tasks to run beside the server (cleanup, flushers).
    fn background_tasks(&self, _platform: &Platform) -> Vec<BackgroundTask> {
        Vec::new()
    }

    /// Its job kinds and cron schedules, added to the registry that `groundwork worker`
    /// (and `serve`, unless `worker.in_serve` is off) runs.
    fn jobs(
        &self,
        _platform: &Platform,
        _registry: &mut crate::jobs::Registry,
    ) -> Result<(), BoxError> {
        Ok(())
    }
}

type TaskFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A long-running task. It receives the shutdown token and must return soon after the
/// token is cancelled; the server waits for it (up to the grace period) before exiting.
pub struct BackgroundTask {
    /// For logs.
    pub name: &'static str,
    run: Box<dyn FnOnce(CancellationToken) -> TaskFuture + Send>,
}

impl BackgroundTask {
    /// Wraps an async function of the shutdown token.
    pub fn new<F, Fut>(name: &'static str, run: F) -> Self
    where
        F: FnOnce(CancellationToken) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Self {
            name,
            run: Box::new(move |token| Box::pin(run(token))),
        }
    }

    /// Starts the task's future.
    pub fn start(self, shutdown: CancellationToken) -> TaskFuture {
        (self.run)(shutdown)
    }

    /// A task that calls `tick` every `period` until shutdown.
    pub fn periodic<F, Fut>(name: &'static str, period: std::time::Duration, tick: F) -> Self
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Self::new(name, move |shutdown| async move {
            let mut interval = tokio::time::interval(period);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    _ = interval.tick() => tick().await,
                }
            }
        })
    }
}

/// Where a system is mounted in this process.
#[derive(Clone)]
pub struct Mount {
    /// The system.
    pub system: std::sync::Arc<dyn System>,
    /// Its path prefix (`/blog`, or `/` for the root).
    pub path: String,
}

impl std::fmt::Debug for Mount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mount")
            .field("system", &self.system.name())
            .field("path", &self.path)
            .finish()
    }
}

impl Mount {
    /// The system at its default path.
    pub fn default_for(system: std::sync::Arc<dyn System>) -> Self {
        let path = system.default_mount().to_owned();
        Self { system, path }
    }
}

/// Checks a mount path: starts with `/`, no trailing `/` (except the root), no
/// parameters or wildcards.
pub fn validate_mount_path(path: &str) -> Result<String, String> {
    if !path.starts_with('/') {
        return Err(format!("mount path {path:?} must start with /"));
    }
    // Letters, digits and `-._~/` only: anything else (`{id}`, `*`, `:x`) would be read
    // as a route parameter or is not a plain path segment.
    if !path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~/".contains(c))
    {
        return Err(format!("mount path {path:?} must be a plain path"));
    }
    let trimmed = path.trim_end_matches('/');
    Ok(if trimmed.is_empty() {
        "/".to_owned()
    } else {
        trimmed.to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_paths_are_normalised_and_checked() {
        assert_eq!(validate_mount_path("/blog/").unwrap(), "/blog");
        assert_eq!(validate_mount_path("/").unwrap(), "/");
        assert!(validate_mount_path("blog").is_err());
        assert!(validate_mount_path("/{x}").is_err());
        assert!(validate_mount_path("/:x").is_err());
        assert!(validate_mount_path("/a b").is_err());
    }
}
