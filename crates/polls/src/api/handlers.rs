//! The REST endpoints of `/polls`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use groundwork_platform::ApiError;
use groundwork_platform::auth::AuthUser;
use groundwork_platform::error::Problem;
use groundwork_platform::http::client_ip::ClientIp;
use groundwork_platform::http::extract::{Json, Path, Query};
use groundwork_platform::pagination::{PageQuery, Paginated};
use uuid::Uuid;

use super::request::{CreatePollRequest, VoteRequest};
use super::response::{PollResponse, VoterTokenResponse};
use crate::domain::{NewPoll, Voter};
use crate::service::Polls;

/// The header anonymous voters send their token in.
pub const VOTER_TOKEN_HEADER: &str = "x-voter-token";

/// Poll ids are UUIDs; anything else names no poll.
pub(crate) fn poll_id(raw: &str) -> Result<Uuid, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found("poll"))
}

async fn voter(
    polls: &Polls,
    user: Option<&AuthUser>,
    headers: &HeaderMap,
) -> Result<Option<Voter>, ApiError> {
    let token = headers
        .get(VOTER_TOKEN_HEADER)
        .and_then(|v| v.to_str().ok());
    polls.identify(user, token).await
}

/// Create a poll (signed in).
///
/// `curl -X POST localhost:8080/polls -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"question":"Lunch?","options":["Pizza","Sushi"]}'`
#[utoipa::path(
    post,
    path = "/",
    request_body = CreatePollRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created, with zero tallies", body = PollResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad question, options or closing time", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_poll(
    State(polls): State<Polls>,
    user: AuthUser,
    Json(request): Json<CreatePollRequest>,
) -> Result<(StatusCode, Json<PollResponse>), ApiError> {
    let new = NewPoll::parse(
        &request.question,
        &request.options,
        request.multiple_choice,
        request.login_required,
        request.closes_at,
        chrono::Utc::now(),
    )?;
    Ok((
        StatusCode::CREATED,
        Json(polls.create(user.id, &new).await?),
    ))
}

/// List the polls you created, newest first.
///
/// `curl localhost:8080/polls/mine -H "Authorization: Bearer $TOKEN"`
#[utoipa::path(
    get,
    path = "/mine",
    params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{data, page, limit, total}`", body = Paginated<PollResponse>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad page or limit", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_my_polls(
    State(polls): State<Polls>,
    user: AuthUser,
    Query(query): Query<PageQuery>,
) -> Result<Json<Paginated<PollResponse>>, ApiError> {
    let page = query.page()?;
    let (data, total) = polls.list_owned(user.id, page).await?;
    Ok(Json(Paginated::new(data, page, total)))
}

/// A poll with its tallies; `myVote` when you are signed in or send your voter token.
///
/// `curl localhost:8080/polls/0193…`
#[utoipa::path(
    get,
    path = "/{id}",
    params(("id" = Uuid, Path, description = "Poll id"), ("X-Voter-Token" = Option<String>, Header, description = "Anonymous voter token")),
    responses(
        (status = 200, description = "The poll", body = PollResponse),
        (status = 401, description = "Unknown voter token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such poll", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_poll(
    State(polls): State<Polls>,
    user: Option<AuthUser>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<PollResponse>, ApiError> {
    let id = poll_id(&id)?;
    let voter = voter(&polls, user.as_ref(), &headers).await?;
    Ok(Json(polls.get(id, voter.as_ref()).await?))
}

/// Vote (once per voter: signed in, or with a voter token on public polls).
///
/// `curl -X POST localhost:8080/polls/0193…/votes -H "X-Voter-Token: $VT" -H 'content-type: application/json' -d '{"optionIds":["…"]}'`
#[utoipa::path(
    post,
    path = "/{id}/votes",
    params(("id" = Uuid, Path, description = "Poll id"), ("X-Voter-Token" = Option<String>, Header, description = "Anonymous voter token")),
    request_body = VoteRequest,
    responses(
        (status = 201, description = "Counted; the poll with your vote", body = PollResponse),
        (status = 401, description = "No voter (sign in or send a voter token), or the poll needs a login", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such poll", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already voted (use PUT to change), or the poll is closed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No option, several in a single-choice poll, or an option of another poll", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn cast_vote(
    State(polls): State<Polls>,
    user: Option<AuthUser>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(request): Json<VoteRequest>,
) -> Result<(StatusCode, Json<PollResponse>), ApiError> {
    let id = poll_id(&id)?;
    let voter = voter(&polls, user.as_ref(), &headers).await?;
    let poll = polls.vote(id, voter, &request.option_ids, false).await?;
    Ok((StatusCode::CREATED, Json(poll)))
}

/// Change your vote (or cast it, if you have not) while the poll is open.
///
/// `curl -X PUT localhost:8080/polls/0193…/votes -H "X-Voter-Token: $VT" -H 'content-type: application/json' -d '{"optionIds":["…"]}'`
#[utoipa::path(
    put,
    path = "/{id}/votes",
    params(("id" = Uuid, Path, description = "Poll id"), ("X-Voter-Token" = Option<String>, Header, description = "Anonymous voter token")),
    request_body = VoteRequest,
    responses(
        (status = 200, description = "Recorded; the poll with your vote", body = PollResponse),
        (status = 401, description = "No voter, or the poll needs a login", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such poll", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The poll is closed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad options", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn change_vote(
    State(polls): State<Polls>,
    user: Option<AuthUser>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(request): Json<VoteRequest>,
) -> Result<Json<PollResponse>, ApiError> {
    let id = poll_id(&id)?;
    let voter = voter(&polls, user.as_ref(), &headers).await?;
    Ok(Json(
        polls.vote(id, voter, &request.option_ids, true).await?,
    ))
}

/// Withdraw your vote while the poll is open.
///
/// `curl -X DELETE localhost:8080/polls/0193…/votes -H "X-Voter-Token: $VT"`
#[utoipa::path(
    delete,
    path = "/{id}/votes",
    params(("id" = Uuid, Path, description = "Poll id"), ("X-Voter-Token" = Option<String>, Header, description = "Anonymous voter token")),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 401, description = "No voter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such poll, or you have not voted", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The poll is closed", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn withdraw_vote(
    State(polls): State<Polls>,
    user: Option<AuthUser>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = poll_id(&id)?;
    let voter = voter(&polls, user.as_ref(), &headers).await?;
    polls.withdraw(id, voter).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Close your poll now; live clients get the final tallies.
///
/// `curl -X POST localhost:8080/polls/0193…/close -H "Authorization: Bearer $TOKEN"`
#[utoipa::path(
    post,
    path = "/{id}/close",
    params(("id" = Uuid, Path, description = "Poll id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Closed (or already closed)", body = PollResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your poll", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such poll", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn close_poll(
    State(polls): State<Polls>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<PollResponse>, ApiError> {
    let id = poll_id(&id)?;
    Ok(Json(polls.close(id, &user).await?))
}

/// Get an anonymous voter token (20 per hour per address); keep it client-side and send
/// it as `X-Voter-Token` to vote in public polls without an account.
///
/// `curl -X POST localhost:8080/polls/voter-tokens`
#[utoipa::path(
    post,
    path = "/voter-tokens",
    responses(
        (status = 201, description = "A new token", body = VoterTokenResponse),
        (status = 429, description = "Too many tokens from this address; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn issue_voter_token(
    State(polls): State<Polls>,
    ClientIp(ip): ClientIp,
) -> Result<(StatusCode, Json<VoterTokenResponse>), ApiError> {
    let voter_token = polls.issue_voter_token(ip).await?;
    Ok((
        StatusCode::CREATED,
        Json(VoterTokenResponse { voter_token }),
    ))
}
