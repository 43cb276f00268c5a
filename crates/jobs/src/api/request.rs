//! What clients send.

use chrono::{DateTime, Utc};
use groundwork_platform::jobs::{JobState, ListFilter};
use groundwork_platform::{ApiError, FieldError, FieldErrors};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// `POST /jobs`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnqueueRequest {
    /// `webhook`, `email` or `noop`.
    pub kind: String,
    /// The kind's payload (see the kinds in docs/systems/jobs.md).
    #[serde(default)]
    pub payload: serde_json::Value,
    /// Queue name (letters, digits, `-`, `_`, `.`; 1 to 64); default: the kind's queue.
    pub queue: Option<String>,
    /// -1000 to 1000, higher runs first; default 0.
    pub priority: Option<i32>,
    /// Not before this time (RFC 3339); default now.
    pub run_at: Option<DateTime<Utc>>,
    /// While a queued or running job has this key, the enqueue returns it instead.
    pub unique_key: Option<String>,
    /// 1 to 100; default: the kind's (webhook 12, email 8, noop 3).
    pub max_attempts: Option<i32>,
}

/// The options of an enqueue, checked.
pub struct EnqueueOptions {
    /// Another queue than the kind's.
    pub queue: Option<String>,
    /// Another priority than 0.
    pub priority: Option<i32>,
    /// Not before.
    pub run_at: Option<DateTime<Utc>>,
    /// The uniqueness key.
    pub unique_key: Option<String>,
    /// Another limit than the kind's.
    pub max_attempts: Option<i32>,
}

/// Checks a queue name (also used by the list filter).
pub fn check_queue(field: &str, queue: &str) -> Result<String, FieldError> {
    let valid = !queue.is_empty()
        && queue.len() <= 64
        && queue
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if valid {
        Ok(queue.to_owned())
    } else {
        Err(FieldError::new(
            field,
            "invalid",
            "1 to 64 letters, digits, '-', '_' or '.'",
        ))
    }
}

impl EnqueueRequest {
    /// The options, or a 422 naming every bad one.
    pub fn options(&self) -> Result<EnqueueOptions, ApiError> {
        let mut errors = FieldErrors::new();
        let queue = self
            .queue
            .as_deref()
            .map(|q| errors.take(check_queue("queue", q)));
        if let Some(priority) = self.priority
            && !(-1000..=1000).contains(&priority)
        {
            errors.push(FieldError::new("priority", "out_of_range", "-1000 to 1000"));
        }
        if let Some(attempts) = self.max_attempts
            && !(1..=100).contains(&attempts)
        {
            errors.push(FieldError::new("maxAttempts", "out_of_range", "1 to 100"));
        }
        if let Some(key) = &self.unique_key
            && (key.is_empty() || key.len() > 200 || key.chars().any(char::is_control))
        {
            errors.push(FieldError::new(
                "uniqueKey",
                "invalid",
                "1 to 200 characters, no control characters",
            ));
        }
        errors.finish(|| {
            Some(EnqueueOptions {
                queue: match queue {
                    Some(checked) => Some(checked?),
                    None => None,
                },
                priority: self.priority,
                run_at: self.run_at,
                unique_key: self.unique_key.clone(),
                max_attempts: self.max_attempts,
            })
        })
    }
}

/// `GET /jobs` filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `queued`, `running`, `succeeded`, `dead` or `cancelled`.
    pub state: Option<String>,
    /// Only this queue.
    pub queue: Option<String>,
    /// Only this kind.
    pub kind: Option<String>,
    /// 1-based page number (default 1).
    pub page: Option<u64>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
}

impl ListQuery {
    /// The filter, or a 422.
    pub fn filter(&self) -> Result<ListFilter, ApiError> {
        let mut errors = FieldErrors::new();
        let state = match self.state.as_deref() {
            None | Some("") => None,
            Some(name) => match JobState::parse(name) {
                Some(state) => Some(state),
                None => {
                    errors.push(FieldError::new(
                        "state",
                        "invalid",
                        "one of queued, running, succeeded, dead, cancelled",
                    ));
                    None
                }
            },
        };
        let queue = self
            .queue
            .as_deref()
            .and_then(|q| errors.take(check_queue("queue", q)));
        errors.finish(|| {
            Some(ListFilter {
                state,
                queue,
                kind: self.kind.clone(),
            })
        })
    }
}
