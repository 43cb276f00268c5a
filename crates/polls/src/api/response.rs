//! Response bodies (camelCase JSON).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::is_open;
use crate::repo::PollRecord;

/// A poll with its tallies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PollResponse {
    /// Id.
    pub id: Uuid,
    /// The question.
    pub question: String,
    /// The options in order, with their votes.
    pub options: Vec<OptionTally>,
    /// Ballots cast (in a multiple-choice poll, fewer than the sum of votes).
    pub voters: u64,
    /// Several options per ballot.
    pub multiple_choice: bool,
    /// Only signed-in users vote.
    pub login_required: bool,
    /// Whether it takes votes now.
    pub open: bool,
    /// When it closes (or closed) on its own.
    pub closes_at: Option<DateTime<Utc>>,
    /// When its owner closed it.
    pub closed_at: Option<DateTime<Utc>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// The account that created it.
    pub owner_id: Uuid,
    /// The options the caller chose, when the caller is known (signed in or with a voter
    /// token); empty if they have not voted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub my_vote: Option<Vec<Uuid>>,
}

/// One option and its votes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OptionTally {
    /// Id (use it to vote).
    pub id: Uuid,
    /// What it says.
    pub label: String,
    /// Ballots naming it.
    pub votes: u64,
}

impl PollResponse {
    /// The response for a stored poll, as of `now`.
    pub fn new(record: &PollRecord, now: DateTime<Utc>) -> Self {
        let poll = &record.poll;
        Self {
            id: poll.id,
            question: poll.question.clone(),
            options: record
                .options
                .iter()
                .map(|option| OptionTally {
                    id: option.id,
                    label: option.label.clone(),
                    votes: record.votes.get(&option.id).copied().unwrap_or(0),
                })
                .collect(),
            voters: record.voters,
            multiple_choice: poll.multiple_choice,
            login_required: poll.login_required,
            open: is_open(poll.closes_at, poll.closed_at, now),
            closes_at: poll.closes_at,
            closed_at: poll.closed_at,
            created_at: poll.created_at,
            owner_id: poll.owner_id,
            my_vote: None,
        }
    }
}

/// A new anonymous voter token.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VoterTokenResponse {
    /// Send it as `X-Voter-Token` when voting without an account; keep it (it is your
    /// vote's identity and cannot be recovered).
    pub voter_token: String,
}

/// A live update, as sent on `GET /polls/{id}/live`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum LiveMessage {
    /// The current tallies (on connect, then after votes change).
    Tally {
        /// The poll.
        poll: PollResponse,
    },
    /// The final tallies: the poll closed; the server closes the socket after this.
    Closed {
        /// The poll.
        poll: PollResponse,
    },
}
