//! The `[jobs]` configuration section (`GROUNDWORK__JOBS__*`).

use groundwork_platform::config::Secret;
use serde::Deserialize;

/// Jobs-service settings; every field has a default.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobsSettings {
    /// Let webhooks reach loopback and private addresses (local development only).
    /// Link-local and cloud-metadata addresses stay refused regardless.
    pub allow_private_targets: bool,
    /// The HMAC-SHA256 key webhooks are signed with; unset: a key generated into the data
    /// directory (`jobs-webhook.key`) on first start.
    pub webhook_secret: Option<Secret>,
    /// A webhook receiver that has not answered after this long counts as a failure.
    pub webhook_timeout_secs: u64,
    /// `smtp://user:pass@host:587?tls=required`, `smtps://...:465`; unset: email jobs
    /// are refused at enqueue.
    pub smtp_url: Option<Secret>,
    /// The sender of emails that do not name one.
    pub email_from: Option<String>,
    /// Largest payload accepted at enqueue, serialised.
    pub max_payload_bytes: usize,
}

impl Default for JobsSettings {
    fn default() -> Self {
        Self {
            allow_private_targets: false,
            webhook_secret: None,
            webhook_timeout_secs: 10,
            smtp_url: None,
            email_from: None,
            max_payload_bytes: 64 * 1024,
        }
    }
}

impl std::fmt::Debug for JobsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobsSettings")
            .field("allow_private_targets", &self.allow_private_targets)
            .field("webhook_timeout_secs", &self.webhook_timeout_secs)
            .field("smtp", &self.smtp_url.is_some())
            .field("email_from", &self.email_from)
            .finish_non_exhaustive()
    }
}
