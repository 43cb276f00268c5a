//! The jobs service (seed 002, "a background-job system using a queue and worker"),
//! under `/jobs`, for administrators: enqueue `webhook`, `email` and `noop` jobs over
//! HTTP, list and inspect them, retry dead ones, cancel, and read queue statistics. The
//! queue itself, the workers and their guarantees are the platform's
//! ([`groundwork_platform::jobs`]); `groundwork worker` runs workers in their own
//! processes. See docs/systems/jobs.md.

pub mod api;
pub mod kinds;
pub mod settings;
pub mod signing;
pub mod targets;

use std::time::Duration;

use groundwork_platform::Platform;
use groundwork_platform::jobs::Registry;
use groundwork_platform::system::{BoxError, System};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::kinds::{Checks, EmailContext, WebhookContext};
use crate::settings::JobsSettings;
use crate::targets::TargetPolicy;

/// The jobs system, mounted at `/jobs`.
pub struct JobsSystem;

fn settings(platform: &Platform) -> Result<JobsSettings, BoxError> {
    Ok(platform.config().section::<JobsSettings>("jobs")?)
}

fn policy(settings: &JobsSettings) -> TargetPolicy {
    TargetPolicy {
        allow_private: settings.allow_private_targets,
    }
}

impl System for JobsSystem {
    fn name(&self) -> &'static str {
        "jobs"
    }

    fn default_mount(&self) -> &'static str {
        "/jobs"
    }

    fn description(&self) -> &'static str {
        "Background jobs: signed webhooks and email through a durable queue with retries, for administrators."
    }

    fn router(&self, platform: &Platform) -> Result<OpenApiRouter, BoxError> {
        use api::handlers;
        let settings = settings(platform)?;
        let checks = Checks {
            policy: policy(&settings),
            email_configured: settings.smtp_url.is_some(),
            default_from: settings.email_from.clone(),
            max_payload_bytes: settings.max_payload_bytes,
        };
        Ok(OpenApiRouter::new()
            .routes(routes!(handlers::enqueue, handlers::list_jobs))
            .routes(routes!(handlers::stats))
            .routes(routes!(handlers::get_job))
            .routes(routes!(handlers::retry_job))
            .routes(routes!(handlers::cancel_job))
            .with_state(api::JobsApi::new(platform.db().clone(), checks)))
    }

    fn jobs(&self, platform: &Platform, registry: &mut Registry) -> Result<(), BoxError> {
        let settings = settings(platform)?;
        let secret = signing::load_or_create_key(
            settings.webhook_secret.as_ref().map(|s| s.expose()),
            &platform.settings().data_dir,
        )
        .map_err(|e| format!("cannot load the webhook signing key: {e}"))?;
        let timeout = Duration::from_secs(settings.webhook_timeout_secs.max(1));
        let webhook = WebhookContext::new(policy(&settings), secret, timeout)?;
        let email = EmailContext::new(
            settings.smtp_url.as_ref().map(|s| s.expose()),
            settings.email_from.clone(),
            Duration::from_secs(30),
        )
        .map_err(|e| format!("jobs.smtp_url: {e}"))?;
        kinds::register(registry, webhook, email);
        Ok(())
    }
}
