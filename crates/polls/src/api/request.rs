//! Request bodies (camelCase JSON).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A poll to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePollRequest {
    /// The question (1 to 500 characters).
    #[schema(example = "Where do we eat on Friday?")]
    pub question: String,
    /// 2 to 20 distinct options (1 to 200 characters each).
    #[schema(example = json!(["Pizza", "Sushi", "Tacos"]))]
    pub options: Vec<String>,
    /// Allow several options per ballot (default false).
    #[serde(default)]
    pub multiple_choice: bool,
    /// Only signed-in users may vote (default false: anyone with a voter token).
    #[serde(default)]
    pub login_required: bool,
    /// Closes on its own at this time (RFC 3339, in the future, within a year).
    pub closes_at: Option<DateTime<Utc>>,
}

/// A ballot.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VoteRequest {
    /// The chosen options' ids: exactly one, or several in a multiple-choice poll.
    pub option_ids: Vec<Uuid>,
}
