//! `groundwork serve`.

use std::collections::HashSet;
use std::sync::Arc;

use anyhow::Context;
use groundwork_platform::config::Config;
use groundwork_platform::jobs::{self, WorkerOptions};
use groundwork_platform::system::validate_mount_path;
use groundwork_platform::{Mount, System, app, server};
use tokio::net::TcpListener;

use crate::UsageError;
use crate::cli::ServeArgs;
use crate::systems;

/// Loads config, migrates (embedded default), mounts the systems, serves until a signal.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let mut config = Config::load()?;
    if let Some(bind) = args.bind {
        config.settings.server.bind = bind;
    }
    let all = systems::all();
    let mounts = resolve_mounts(&all, &args.only, &args.mount)?;
    let platform = super::platform(config).await?;
    super::ensure_schema(&platform, args.migrate).await?;
    let app =
        app::build(&platform, &mounts).map_err(|e| anyhow::anyhow!("cannot build the app: {e}"))?;

    let bind = platform.settings().server.bind;
    let listener = TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let address = listener.local_addr()?;
    tracing::info!(
        address = %format!("http://{address}"),
        database = %groundwork_platform::db::redact_url(&groundwork_platform::db::database_url(platform.settings())),
        systems = %mounts.iter().map(|m| format!("{}={}", m.system.name(), m.path)).collect::<Vec<_>>().join(","),
        "listening"
    );

    let mut tasks = Vec::new();
    let mut seen = HashSet::new();
    // The auth cleanup runs even when /auth is not mounted: every system's users live there.
    let auth: Arc<dyn System> = Arc::new(groundwork_platform::auth::AuthSystem);
    for system in std::iter::once(&auth).chain(mounts.iter().map(|m| &m.system)) {
        if seen.insert(system.name()) {
            tasks.extend(system.background_tasks(&platform));
        }
    }
    if platform.settings().worker.in_serve && !args.no_workers {
        let registry = super::job_registry(&platform)?;
        let options = WorkerOptions::from_settings(
            &platform.settings().worker,
            platform.db().get_database_backend(),
        );
        tasks.extend(jobs::background_tasks(&platform, registry, options));
    }
    server::run(platform, listener, app.router, tasks)
        .await
        .context("server error")
}

/// Applies `--only` and `--mount` to the list of systems.
fn resolve_mounts(
    all: &[Arc<dyn System>],
    only: &[String],
    overrides: &[String],
) -> anyhow::Result<Vec<Mount>> {
    let known = || all.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ");
    let find = |name: &str| {
        all.iter()
            .find(|s| s.name() == name)
            .cloned()
            .ok_or_else(|| {
                UsageError(format!(
                    "unknown system {name:?}; known systems: {}",
                    known()
                ))
            })
    };
    let selected: Vec<Arc<dyn System>> = if only.is_empty() {
        all.to_vec()
    } else {
        only.iter()
            .map(|name| find(name.trim()))
            .collect::<Result<_, _>>()?
    };
    let mut mounts: Vec<Mount> = selected.into_iter().map(Mount::default_for).collect();
    for spec in overrides {
        let (name, path) = spec
            .split_once('=')
            .ok_or_else(|| UsageError(format!("--mount expects NAME=/PATH, got {spec:?}")))?;
        find(name)?;
        let path = validate_mount_path(path).map_err(UsageError)?;
        let mount = mounts
            .iter_mut()
            .find(|m| m.system.name() == name)
            .ok_or_else(|| {
                UsageError(format!(
                    "--mount {name}: the system is not selected by --only"
                ))
            })?;
        mount.path = path;
    }
    let mut paths = HashSet::new();
    for mount in &mounts {
        if !paths.insert(mount.path.clone()) {
            return Err(UsageError(format!("two systems are mounted at {}", mount.path)).into());
        }
    }
    Ok(mounts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_and_mount_select_and_move_systems() {
        let all = systems::all();
        let mounts = resolve_mounts(&all, &["auth".into()], &["auth=/accounts/".into()]).unwrap();
        assert_eq!(mounts.len(), 1);
        assert_eq!(mounts[0].path, "/accounts");
    }

    #[test]
    fn unknown_systems_and_bad_mounts_are_usage_errors() {
        let all = systems::all();
        for (only, mount) in [
            (vec!["nope".to_owned()], vec![]),
            (vec![], vec!["auth".to_owned()]),
            (vec![], vec!["auth=relative".to_owned()]),
        ] {
            let error = resolve_mounts(&all, &only, &mount).unwrap_err();
            assert!(error.downcast_ref::<UsageError>().is_some(), "{error}");
        }
    }
}
