//! The endpoints of `/jobs`. Every one is for administrators only.

use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use groundwork_platform::ApiError;
use groundwork_platform::auth::Admin;
use groundwork_platform::error::Problem;
use groundwork_platform::http::extract::{Json, Path, Query};
use groundwork_platform::jobs::{self, CancelOutcome, RetryOutcome};
use groundwork_platform::pagination::{PageQuery, Paginated};

use super::JobsApi;
use super::request::{EnqueueRequest, ListQuery};
use super::response::{JobResponse, StatsResponse};
use crate::kinds::KINDS;

/// Job ids are integers; anything else names no job.
fn job_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found("job"))
}

async fn load(api: &JobsApi, id: i64) -> Result<JobResponse, ApiError> {
    jobs::find(&api.db, id)
        .await?
        .map(JobResponse::from)
        .ok_or_else(|| ApiError::not_found("job"))
}

/// Enqueue a job (admin).
///
/// `curl -X POST localhost:8080/jobs -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"kind":"webhook","payload":{"url":"https://example.com/hook","body":{"event":"signup"}}}'`
///
/// 201 with the new job; 200 with the pending job that already holds `uniqueKey`.
#[utoipa::path(
    post,
    path = "/",
    request_body = EnqueueRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Enqueued", body = JobResponse),
        (status = 200, description = "A queued or running job already holds the unique key; that job", body = JobResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown kind, invalid payload or options, refused webhook target, email not configured", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn enqueue(
    State(api): State<JobsApi>,
    OriginalUri(uri): OriginalUri,
    _admin: Admin,
    Json(request): Json<EnqueueRequest>,
) -> Result<(StatusCode, HeaderMap, Json<JobResponse>), ApiError> {
    let options = request.options()?;
    let mut job = api.checks.prepare(&request.kind, request.payload)?;
    if let Some(queue) = options.queue {
        job.queue = queue;
    }
    if let Some(priority) = options.priority {
        job.priority = priority;
    }
    if let Some(attempts) = options.max_attempts {
        job.max_attempts = attempts;
    }
    job.run_at = options.run_at;
    job.unique_key = options.unique_key;
    // Twice at most: the job holding the key may finish between the insert and the read.
    for _ in 0..2 {
        if let Some(id) = jobs::insert(&api.db, &job).await? {
            let mut headers = HeaderMap::new();
            let collection = uri.path().trim_end_matches('/');
            if let Ok(location) = HeaderValue::from_str(&format!("{collection}/{id}")) {
                headers.insert(header::LOCATION, location);
            }
            return Ok((StatusCode::CREATED, headers, Json(load(&api, id).await?)));
        }
        if let Some(key) = &job.unique_key
            && let Some(existing) = jobs::find_pending_by_unique_key(&api.db, key).await?
        {
            return Ok((StatusCode::OK, HeaderMap::new(), Json(existing.into())));
        }
    }
    Err(ApiError::conflict(
        "unique_key_busy",
        "the unique key changed hands while enqueueing; try again",
    ))
}

/// List jobs, newest first (admin).
///
/// `curl 'localhost:8080/jobs?state=dead&queue=webhooks&page=1' -H "Authorization: Bearer $TOKEN"`
#[utoipa::path(
    get,
    path = "/",
    params(ListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{data, page, limit, total}`", body = Paginated<JobResponse>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown state, bad queue name or page", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_jobs(
    State(api): State<JobsApi>,
    _admin: Admin,
    Query(query): Query<ListQuery>,
) -> Result<Json<Paginated<JobResponse>>, ApiError> {
    let filter = query.filter()?;
    let page = PageQuery {
        page: query.page,
        limit: query.limit,
    }
    .page()?;
    let (found, total) = jobs::list(&api.db, &filter, page.limit, page.offset()).await?;
    let data = found.into_iter().map(JobResponse::from).collect();
    Ok(Json(Paginated::new(data, page, total)))
}

/// Counts per queue and state (admin).
///
/// `curl localhost:8080/jobs/stats -H "Authorization: Bearer $TOKEN"`
#[utoipa::path(
    get,
    path = "/stats",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Per-queue counts and the accepted kinds", body = StatsResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn stats(
    State(api): State<JobsApi>,
    _admin: Admin,
) -> Result<Json<StatsResponse>, ApiError> {
    Ok(Json(StatsResponse {
        queues: jobs::stats(&api.db).await?,
        kinds: KINDS.to_vec(),
    }))
}

/// One job (admin).
///
/// `curl localhost:8080/jobs/42 -H "Authorization: Bearer $TOKEN"`
#[utoipa::path(
    get,
    path = "/{id}",
    params(("id" = i64, Path, description = "Job id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The job", body = JobResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_job(
    State(api): State<JobsApi>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<JobResponse>, ApiError> {
    Ok(Json(load(&api, job_id(&id)?).await?))
}

/// Queue a dead job again, with its attempts reset (admin).
///
/// `curl -X POST localhost:8080/jobs/42/retry -H "Authorization: Bearer $TOKEN"`
#[utoipa::path(
    post,
    path = "/{id}/retry",
    params(("id" = i64, Path, description = "Job id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Queued again", body = JobResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job is not dead (`not_dead`), or a pending job holds its unique key (`unique_key_taken`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn retry_job(
    State(api): State<JobsApi>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<JobResponse>, ApiError> {
    let id = job_id(&id)?;
    match jobs::retry(&api.db, id).await? {
        RetryOutcome::Queued(job) => Ok(Json(JobResponse::from(*job))),
        RetryOutcome::NotDead(state) => Err(ApiError::conflict(
            "not_dead",
            format!(
                "only dead jobs can be retried; this one is {}",
                state.as_str()
            ),
        )),
        RetryOutcome::UniqueKeyTaken => Err(ApiError::conflict(
            "unique_key_taken",
            "a queued or running job holds this job's unique key",
        )),
        RetryOutcome::NotFound => Err(ApiError::not_found("job")),
    }
}

/// Cancel a job (admin): a queued job at once; a running one cooperatively.
///
/// `curl -X POST localhost:8080/jobs/42/cancel -H "Authorization: Bearer $TOKEN"`
///
/// 200 when the job is cancelled; 202 when it is running and its worker has been asked to
/// stop (it sees the request within a third of the lease, `worker.lease_secs`, and the job
/// ends `cancelled`, or `succeeded` if it finished first).
#[utoipa::path(
    post,
    path = "/{id}/cancel",
    params(("id" = i64, Path, description = "Job id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Cancelled", body = JobResponse),
        (status = 202, description = "Running; cancellation requested", body = JobResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already finished (`already_finished`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn cancel_job(
    State(api): State<JobsApi>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<JobResponse>), ApiError> {
    let id = job_id(&id)?;
    match jobs::cancel(&api.db, id).await? {
        CancelOutcome::Cancelled => Ok((StatusCode::OK, Json(load(&api, id).await?))),
        CancelOutcome::Requested => Ok((StatusCode::ACCEPTED, Json(load(&api, id).await?))),
        CancelOutcome::AlreadyFinished(state) => Err(ApiError::conflict(
            "already_finished",
            format!("the job already finished: it is {}", state.as_str()),
        )),
        CancelOutcome::NotFound => Err(ApiError::not_found("job")),
    }
}
