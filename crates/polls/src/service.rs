//! The polls service: what the handlers call. Turns repo results into API errors and
//! tells live watchers (on every instance, through the pub/sub) that a poll changed.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use groundwork_platform::auth::AuthUser;
use groundwork_platform::pagination::Page;
use groundwork_platform::ratelimit::{self, Quota, RateLimiter};
use groundwork_platform::{ApiError, Platform};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::api::response::PollResponse;
use crate::domain::{NewPoll, Voter, hash_token, parse_choices};
use crate::live::{Change, Live};
use crate::repo::{self, PollRecord, VoteError};

/// Anonymous voter tokens one address may obtain per hour: each is one more vote on
/// every public poll, so this is the cap on ballot stuffing from one address.
const VOTER_TOKENS_PER_HOUR: u32 = 20;

/// Shared by every handler (cheap to clone).
#[derive(Clone)]
pub struct Polls {
    db: DatabaseConnection,
    limiter: Arc<dyn RateLimiter>,
    /// Live tallies.
    pub live: Arc<Live>,
}

impl Polls {
    /// The service on the platform's database, limiter and pub/sub.
    pub fn new(platform: &Platform) -> Self {
        Self {
            db: platform.db().clone(),
            limiter: platform.rate_limiter().clone(),
            live: Live::new(platform),
        }
    }

    /// Creates a poll owned by `owner`.
    pub async fn create(&self, owner: Uuid, new: &NewPoll) -> Result<PollResponse, ApiError> {
        let id = repo::insert_poll(&self.db, owner, new, Utc::now())
            .await
            .map_err(ApiError::internal)?;
        self.get(id, None).await
    }

    /// A poll with its tallies, and the caller's choices when the caller is known.
    pub async fn get(&self, id: Uuid, voter: Option<&Voter>) -> Result<PollResponse, ApiError> {
        let record = self.record(id).await?;
        let mut response = PollResponse::new(&record, Utc::now());
        if let Some(voter) = voter {
            response.my_vote = Some(
                repo::choices_of(&self.db, id, voter)
                    .await
                    .map_err(ApiError::internal)?,
            );
        }
        Ok(response)
    }

    async fn record(&self, id: Uuid) -> Result<PollRecord, ApiError> {
        repo::find(&self.db, id)
            .await
            .map_err(ApiError::internal)?
            .ok_or_else(|| ApiError::not_found("poll"))
    }

    /// A page of the owner's polls.
    pub async fn list_owned(
        &self,
        owner: Uuid,
        page: Page,
    ) -> Result<(Vec<PollResponse>, u64), ApiError> {
        let (records, total) = repo::list_owned(&self.db, owner, page)
            .await
            .map_err(ApiError::internal)?;
        let now = Utc::now();
        Ok((
            records.iter().map(|r| PollResponse::new(r, now)).collect(),
            total,
        ))
    }

    /// Casts (`replace` false) or casts-or-changes (`replace` true) the voter's ballot.
    pub async fn vote(
        &self,
        id: Uuid,
        voter: Option<Voter>,
        chosen: &[Uuid],
        replace: bool,
    ) -> Result<PollResponse, ApiError> {
        let record = self.record(id).await?;
        let voter = self.admit_voter(&record, voter)?;
        let options: Vec<Uuid> = record.options.iter().map(|o| o.id).collect();
        let chosen = parse_choices(chosen, &options, record.poll.multiple_choice)?;
        repo::vote(&self.db, id, &voter, &chosen, replace, Utc::now())
            .await
            .map_err(vote_error)?;
        self.live.notify(id, Change::Votes).await;
        self.get(id, Some(&voter)).await
    }

    /// Withdraws the voter's ballot.
    pub async fn withdraw(&self, id: Uuid, voter: Option<Voter>) -> Result<(), ApiError> {
        let record = self.record(id).await?;
        let voter = self.admit_voter(&record, voter)?;
        repo::withdraw(&self.db, id, &voter, Utc::now())
            .await
            .map_err(vote_error)?;
        self.live.notify(id, Change::Votes).await;
        Ok(())
    }

    fn admit_voter(&self, record: &PollRecord, voter: Option<Voter>) -> Result<Voter, ApiError> {
        match voter {
            Some(Voter::Anonymous(_)) | None if record.poll.login_required => {
                Err(ApiError::unauthorized(
                    "login_required",
                    "only signed-in users may vote in this poll",
                ))
            }
            Some(voter) => Ok(voter),
            None => Err(ApiError::unauthorized(
                "voter_required",
                "sign in, or get a voter token from POST /polls/voter-tokens and send it as X-Voter-Token",
            )),
        }
    }

    /// Closes the poll (its owner only); closing a closed poll changes nothing.
    pub async fn close(&self, id: Uuid, user: &AuthUser) -> Result<PollResponse, ApiError> {
        let record = self.record(id).await?;
        if record.poll.owner_id != user.id {
            return Err(ApiError::forbidden("only the poll's owner may close it"));
        }
        if repo::close(&self.db, &record.poll, Utc::now())
            .await
            .map_err(ApiError::internal)?
        {
            self.live.notify(id, Change::Closed).await;
        }
        self.get(id, None).await
    }

    /// Issues an anonymous voter token (rate limited per address).
    pub async fn issue_voter_token(&self, client: std::net::IpAddr) -> Result<String, ApiError> {
        let key = format!(
            "polls-voter-token:{}",
            groundwork_platform::http::client_ip::limit_prefix(client)
        );
        let quota = Quota::per_window(VOTER_TOKENS_PER_HOUR, Duration::from_secs(3600));
        ratelimit::enforce(self.limiter.as_ref(), &key, quota).await?;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(e.to_string()))?;
        let token =
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes);
        repo::insert_voter_token(&self.db, &hash_token(&token), Utc::now())
            .await
            .map_err(ApiError::internal)?;
        Ok(token)
    }

    /// The voter a request identifies: the signed-in user, else the voter token (which
    /// must be one this server issued), else nobody.
    pub async fn identify(
        &self,
        user: Option<&AuthUser>,
        token: Option<&str>,
    ) -> Result<Option<Voter>, ApiError> {
        if let Some(user) = user {
            return Ok(Some(Voter::User(user.id)));
        }
        let Some(token) = token else {
            return Ok(None);
        };
        let hash = hash_token(token);
        if repo::voter_token_exists(&self.db, &hash)
            .await
            .map_err(ApiError::internal)?
        {
            Ok(Some(Voter::Anonymous(hash)))
        } else {
            Err(ApiError::unauthorized(
                "bad_voter_token",
                "this voter token was not issued by this server",
            ))
        }
    }
}

fn vote_error(error: VoteError) -> ApiError {
    match error {
        VoteError::NotFound => ApiError::not_found("poll"),
        VoteError::Closed => ApiError::conflict("poll_closed", "the poll is closed"),
        VoteError::AlreadyVoted => ApiError::conflict(
            "already_voted",
            "you already voted in this poll; change your vote with PUT",
        ),
        VoteError::NoBallot => ApiError::not_found("vote"),
        VoteError::OptionNotInPoll => ApiError::invalid_field(
            "optionIds",
            "not_in_poll",
            "an option is not one of this poll's",
        ),
        VoteError::Db(error) => ApiError::internal(error),
    }
}
