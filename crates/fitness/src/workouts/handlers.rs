//! The `/workouts` endpoints.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use groundwork_platform::auth::AuthUser;
use groundwork_platform::error::Problem;
use groundwork_platform::http::extract::{Json, Path, Query};
use groundwork_platform::pagination::{PageQuery, Paginated};
use groundwork_platform::{ApiError, FieldError, FieldErrors};
use serde::Deserialize;
use utoipa::IntoParams;

use super::request::WorkoutRequest;
use super::{ListFilter, Status, WorkoutResponse, WorkoutService, WorkoutSummary};
use crate::time;

/// Workout ids are numbers; anything else names no workout.
fn workout_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found("workout"))
}

/// Schedule a workout (or log one already done).
///
/// Example body: `{"name": "Leg day", "scheduledAt": "2026-11-23T07:00", "timeZone":
/// "Europe/Paris", "exercises": [{"exerciseId": 15, "sets": [{"reps": 5, "weight":
/// {"amount": "100", "unit": "kg"}}]}]}`. A pending workout may be scheduled in the past
/// (planning after the fact); it then shows at the top of the active list as overdue.
#[utoipa::path(
    post,
    path = "/workouts",
    request_body = WorkoutRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The workout, whole", body = WorkoutResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, unknown or someone else's exercise, a local time the clocks skip", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_workout(
    State(workouts): State<WorkoutService>,
    user: AuthUser,
    Json(request): Json<WorkoutRequest>,
) -> Result<(StatusCode, Json<WorkoutResponse>), ApiError> {
    let created = workouts.create(user.id, request.parse()?).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Pending workouts, soonest first.
///
/// Example: `GET /fitness/workouts/active?page=1&limit=20` → `{"data": [{"id": 3, "name": "Leg day", "scheduledAt": "2026-11-23T06:00:00Z", "localTime": "2026-11-23T07:00:00", ...}], "page": 1, "limit": 20, "total": 1}`.
#[utoipa::path(
    get,
    path = "/workouts/active",
    params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{data, page, limit, total}`", body = Paginated<WorkoutSummary>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_active_workouts(
    State(workouts): State<WorkoutService>,
    user: AuthUser,
    Query(query): Query<PageQuery>,
) -> Result<Json<Paginated<WorkoutSummary>>, ApiError> {
    Ok(Json(workouts.active(user.id, query.page()?).await?))
}

/// `GET /workouts/past` parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PastQuery {
    /// First day (`YYYY-MM-DD`, in `timeZone`), inclusive.
    from: Option<String>,
    /// Last day, inclusive.
    to: Option<String>,
    /// The zone of `from` and `to` (default UTC).
    time_zone: Option<String>,
    /// Only these statuses, comma-separated.
    status: Option<String>,
    /// Only workouts with this exercise.
    exercise_id: Option<i64>,
    /// 1-based page.
    page: Option<u64>,
    /// Per page, 1 to 100.
    limit: Option<u64>,
}

fn date(field: &str, raw: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, "invalid", "expected a date as YYYY-MM-DD"))
}

impl PastQuery {
    fn parse(self) -> Result<(ListFilter, groundwork_platform::pagination::Page), ApiError> {
        let mut checks = FieldErrors::new();
        let page = PageQuery {
            page: self.page,
            limit: self.limit,
        }
        .page()
        .map_err(|e| checks.absorb(&e))
        .ok();
        let zone = match &self.time_zone {
            Some(raw) => checks.take(time::zone("timeZone", raw)),
            None => Some(chrono_tz::Tz::UTC),
        };
        let from = self
            .from
            .as_deref()
            .and_then(|d| checks.take(date("from", d)));
        let to = self.to.as_deref().and_then(|d| checks.take(date("to", d)));
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            checks.push(FieldError::new("from", "invalid_range", "from is after to"));
        }
        let mut statuses = Vec::new();
        for raw in self
            .status
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter(|s| !s.trim().is_empty())
        {
            if let Some(status) = checks.take(Status::parse(raw)) {
                statuses.push(status);
            }
        }
        checks.finish(|| {
            let zone = zone?;
            Some((
                ListFilter {
                    statuses,
                    from: from.map(|d| time::start_of_day(d, zone)),
                    before: to
                        .and_then(|d| d.succ_opt())
                        .map(|d| time::start_of_day(d, zone)),
                    exercise_id: self.exercise_id,
                },
                page?,
            ))
        })
    }
}

/// Workouts scheduled before now, most recent first, with filters.
///
/// Example: `GET /fitness/workouts/past?from=2026-11-01&to=2026-11-30&timeZone=Europe/Paris&status=completed&exerciseId=15`.
#[utoipa::path(
    get,
    path = "/workouts/past",
    params(PastQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{data, page, limit, total}`", body = Paginated<WorkoutSummary>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter (`from` after `to`, unknown status or zone)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_past_workouts(
    State(workouts): State<WorkoutService>,
    user: AuthUser,
    Query(query): Query<PastQuery>,
) -> Result<Json<Paginated<WorkoutSummary>>, ApiError> {
    let (filter, page) = query.parse()?;
    Ok(Json(workouts.past(user.id, filter, page).await?))
}

/// One of your workouts, with its exercises and sets.
///
/// Example: `GET /fitness/workouts/3`.
#[utoipa::path(
    get,
    path = "/workouts/{id}",
    params(("id" = i64, Path, description = "Workout id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The workout", body = WorkoutResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such workout of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_workout(
    State(workouts): State<WorkoutService>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<WorkoutResponse>, ApiError> {
    Ok(Json(workouts.get(user.id, workout_id(&id)?).await?))
}

/// Replace a workout: its fields, its exercises in the order sent (this is how they are
/// reordered) and their sets, planned and done.
///
/// Example: `PUT /fitness/workouts/3` with the body of the create example, `"status": "completed"`
/// and `"actualReps": 4` on a set that fell short.
#[utoipa::path(
    put,
    path = "/workouts/{id}",
    params(("id" = i64, Path, description = "Workout id")),
    request_body = WorkoutRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The new version", body = WorkoutResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such workout of yours", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn replace_workout(
    State(workouts): State<WorkoutService>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(request): Json<WorkoutRequest>,
) -> Result<Json<WorkoutResponse>, ApiError> {
    let id = workout_id(&id)?;
    Ok(Json(workouts.replace(user.id, id, request.parse()?).await?))
}

/// Delete a workout (its exercises, sets and comments go with it).
///
/// Example: `DELETE /fitness/workouts/3` → 204.
#[utoipa::path(
    delete,
    path = "/workouts/{id}",
    params(("id" = i64, Path, description = "Workout id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such workout of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_workout(
    State(workouts): State<WorkoutService>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    workouts.delete(user.id, workout_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
