//! The job kinds the service ships, and the checks that turn an API request into a job.
//! Everything is checked here, at enqueue: a job that is accepted has a payload its
//! handler can read.

pub mod email;
pub mod noop;
pub mod webhook;

use groundwork_platform::jobs::{Job, NewJob, Registry};
use groundwork_platform::{ApiError, FieldError};
use serde::de::DeserializeOwned;

pub use email::{Email, EmailContext};
pub use noop::Noop;
pub use webhook::{Webhook, WebhookContext};

use crate::targets::TargetPolicy;

/// The kinds `POST /jobs` accepts.
pub const KINDS: [&str; 3] = [Webhook::KIND, Email::KIND, Noop::KIND];

/// What the checks need to know about this deployment.
#[derive(Clone, Debug)]
pub struct Checks {
    /// Where webhooks may go.
    pub policy: TargetPolicy,
    /// Whether an SMTP server is configured.
    pub email_configured: bool,
    /// `jobs.email_from`.
    pub default_from: Option<String>,
    /// `jobs.max_payload_bytes`.
    pub max_payload_bytes: usize,
}

impl Checks {
    /// The job for `kind` and `payload`, with the kind's defaults, or a 422 naming every
    /// problem.
    pub fn prepare(&self, kind: &str, payload: serde_json::Value) -> Result<NewJob, ApiError> {
        let size = payload.to_string().len();
        if size > self.max_payload_bytes {
            return Err(ApiError::invalid_field(
                "payload",
                "too_large",
                format!(
                    "the payload has {size} bytes; at most {} are accepted",
                    self.max_payload_bytes
                ),
            ));
        }
        match kind {
            Webhook::KIND => {
                let webhook: Webhook = parse(payload)?;
                webhook
                    .validate(self.policy)
                    .map_err(ApiError::validation)?;
                new_job(&webhook)
            }
            Email::KIND => {
                if !self.email_configured {
                    return Err(ApiError::invalid_field(
                        "kind",
                        "not_configured",
                        "email is not configured on this server: set GROUNDWORK__JOBS__SMTP_URL",
                    ));
                }
                let email: Email = parse(payload)?;
                email
                    .validate(self.default_from.as_deref())
                    .map_err(ApiError::validation)?;
                new_job(&email)
            }
            Noop::KIND => {
                let noop: Noop = parse(payload)?;
                noop.validate().map_err(ApiError::validation)?;
                new_job(&noop)
            }
            other => Err(ApiError::invalid_field(
                "kind",
                "unknown_kind",
                format!(
                    "unknown job kind {other:?}; known kinds: {}",
                    KINDS.join(", ")
                ),
            )),
        }
    }
}

fn parse<T: DeserializeOwned>(payload: serde_json::Value) -> Result<T, ApiError> {
    let payload = match payload {
        serde_json::Value::Null => serde_json::json!({}),
        // serde would read a struct from an array too; payloads are objects.
        serde_json::Value::Object(_) => payload,
        _ => {
            return Err(ApiError::invalid_field(
                "payload",
                "invalid",
                "the payload must be a JSON object",
            ));
        }
    };
    serde_path_to_error::deserialize(payload).map_err(|error| {
        let path = error.path().to_string();
        let field = if path == "." {
            "payload".to_owned()
        } else {
            format!("payload.{path}")
        };
        ApiError::validation(vec![FieldError::new(
            field,
            "invalid",
            error.into_inner().to_string(),
        )])
    })
}

fn new_job<J: Job>(job: &J) -> Result<NewJob, ApiError> {
    NewJob::from_job(job).map_err(ApiError::internal)
}

/// Registers the service's kinds with their contexts.
pub fn register(registry: &mut Registry, webhook: WebhookContext, email: EmailContext) {
    registry
        .handle::<Webhook>(webhook)
        .handle::<Email>(email)
        .handle::<Noop>(());
}
